import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { failedFailovers } from '../../../domain/run';
import { isFailbackError } from '../../../errors';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { leaveOutModal } from '../../views';
import { authorizedRun, tellClicker } from '../commit-guard';
import { changeRun } from '../../../jobs/change-run';

/**
 * Partial failure, on the verification prompt: **Retry failover** tries the failed VMs again in the
 * same run (VM by VM); **Leave out…** asks which VM and why. Both are for the requester or an approver.
 */
export function registerFailedVmButtons(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.retryFailover, async ({ ack, body, action, client, respond }) => {
    await ack();
    const tell = tellClicker(deps, { body, client, respond });
    try {
      const run = await authorizedRun(deps, action.value ?? '', body.user.id, 'handle-failed', tell);
      if (!run) return;
      const at = new Date(deps.now()).toISOString();
      const result = await changeRun(deps, run.id, { type: 'failover-retry-requested', by: body.user.id, at });
      if (!result.applied) return void (await tell(`Nothing to retry: ${escapeMrkdwn(result.reason)}.`));
      deps.log.info({ runId: run.id, user: body.user.id }, 'failover retry requested');
    } catch (e) {
      deps.log.error({ err: e }, 'retry failover failed');
      await tell(isFailbackError(e) ? e.userMessage : 'Something went wrong; nothing was retried.');
    }
  });

  app.action<BlockAction<ButtonAction>>(ACTION.leaveOut, async ({ ack, body, action, client, respond }) => {
    await ack();
    const tell = tellClicker(deps, { body, client, respond });
    try {
      const run = await authorizedRun(deps, action.value ?? '', body.user.id, 'handle-failed', tell);
      if (!run) return;
      if (run.commit || failedFailovers(run).length === 0) return void (await tell(`Run ${run.id} has no failed VM to leave out.`));
      await client.views.open({ trigger_id: body.trigger_id, view: leaveOutModal(run) });
    } catch (e) {
      deps.log.error({ err: e }, 'leave-out button failed');
      await tell(isFailbackError(e) ? e.userMessage : 'Something went wrong; nothing changed.');
    }
  });
}
