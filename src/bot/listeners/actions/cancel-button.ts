import type { Listeners } from '../../../slack/listener-router';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { phaseOf, type Run } from '../../../domain/run';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { actorText } from '../../views/people';
import { NOT_CANCELLABLE } from '../../views/run-card';
import { onRunButton, type RunClick } from '../run-button';
import { changeRun } from '../../../jobs/change-run';

/**
 * **Cancel run** on the card: the requester or an approver calls the run off while no failover has
 * been issued. The state machine decides atomically against the failover's "issuing" checkpoint, so
 * a cancel and a starting failover never both win. Once ASR runs the failover, the click explains
 * what can still be done there.
 */
export async function cancelClicked(deps: BotDeps, click: RunClick): Promise<void> {
  const at = new Date(deps.now()).toISOString();
  const result = await changeRun(deps, click.run.id, { type: 'run-cancelled', by: click.userId, at });
  if (!result.applied) {
    await deps.store.audit(click.run.id, { at, what: 'cancel refused', actor: click.userId, detail: result.reason });
    return void (await click.tell(notCancelled(result.run, result.reason)));
  }
  deps.log.info({ runId: click.run.id, user: click.userId }, 'run cancelled before the failover was issued');
}

export function registerCancelButton(app: Listeners, deps: BotDeps): void {
  onRunButton(app, deps, ACTION.cancelRun, {
    who: 'cancel',
    whenFailed: 'Something went wrong; the run was not cancelled.',
    handle: (click) => cancelClicked(deps, click),
  });
}

function notCancelled(run: Run, reason: string): string {
  if (run.cancelled) return `${run.id} was already cancelled by ${actorText(run.cancelled.by)}.`;
  if (phaseOf(run) === 'failing-over') {
    const jobs = run.vms.map((v) => v.failover.jobName).filter((j): j is string => !!j);
    const seen = jobs.length ? ` (ASR job ${jobs.map((j) => `\`${escapeMrkdwn(j)}\``).join(', ')})` : '';
    return `${run.id} cannot be cancelled: the failover has been issued${seen}. ${NOT_CANCELLABLE}.`;
  }
  return `${run.id} cannot be cancelled: ${escapeMrkdwn(reason)}. Nothing is deleted before someone commits; to stop here, do not commit.`;
}
