import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { phaseOf, type Run } from '../../../domain/run';
import { isFailbackError } from '../../../errors';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { NOT_CANCELLABLE } from '../../views/run-card';
import { authorizedRun, tellClicker } from '../commit-guard';
import { changeRun } from '../../../jobs/change-run';

/**
 * **Cancel run** on the card: the requester or an approver calls the run off while no failover has
 * been issued. The state machine decides atomically against the failover's "issuing" checkpoint, so
 * a cancel and a starting failover never both win. Once ASR runs the failover, the click explains
 * what can still be done there.
 */
export function registerCancelButton(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.cancelRun, async ({ ack, body, action, client, respond }) => {
    await ack();
    const tell = tellClicker(deps, { body, client, respond });
    try {
      const run = await authorizedRun(deps, action.value ?? '', body.user.id, 'cancel', tell);
      if (!run) return;
      const at = new Date(deps.now()).toISOString();
      const result = await changeRun(deps, run.id, { type: 'run-cancelled', by: body.user.id, at });
      if (!result.applied) {
        await deps.store.audit(run.id, { at, what: 'cancel refused', actor: body.user.id, detail: result.reason });
        return void (await tell(notCancelled(result.run, result.reason)));
      }
      deps.log.info({ runId: run.id, user: body.user.id }, 'run cancelled before the failover was issued');
    } catch (e) {
      deps.log.error({ err: e }, 'cancel failed');
      await tell(isFailbackError(e) ? e.userMessage : 'Something went wrong; the run was not cancelled.');
    }
  });
}

function notCancelled(run: Run, reason: string): string {
  if (run.cancelled) return `${run.id} was already cancelled by <@${run.cancelled.by}>.`;
  if (phaseOf(run) === 'failing-over') {
    const jobs = run.vms.map((v) => v.failover.jobName).filter((j): j is string => !!j);
    const seen = jobs.length ? ` (ASR job ${jobs.map((j) => `\`${escapeMrkdwn(j)}\``).join(', ')})` : '';
    return `${run.id} cannot be cancelled: the failover has been issued${seen}. ${NOT_CANCELLABLE}.`;
  }
  return `${run.id} cannot be cancelled: ${escapeMrkdwn(reason)}. Nothing is deleted before someone commits; to stop here, do not commit.`;
}
