import type { Listeners } from '../../../slack/listener-router';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { hasFailedVmsToDecide } from '../../../domain/run';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { leaveOutModal } from '../../views';
import { onRunButton, type RunClick } from '../run-button';
import { changeRun } from '../../../jobs/change-run';

/**
 * Partial failure, on the verification prompt: **Retry failover** tries the failed VMs again in the
 * same run (VM by VM); **Leave out…** asks which VM and why. Both are for the requester or an approver.
 */
export async function retryClicked(deps: BotDeps, click: RunClick): Promise<void> {
  const at = new Date(deps.now()).toISOString();
  const result = await changeRun(deps, click.run.id, { type: 'failover-retry-requested', by: click.userId, at });
  if (!result.applied) return void (await click.tell(`Nothing to retry: ${escapeMrkdwn(result.reason)}.`));
  deps.log.info({ runId: click.run.id, user: click.userId }, 'failover retry requested');
}

export async function leaveOutClicked(click: RunClick): Promise<void> {
  if (!hasFailedVmsToDecide(click.run))
    return void (await click.tell(`Run ${click.run.id} has no failed VM to leave out.`));
  await click.client.views.open({ trigger_id: click.triggerId, view: leaveOutModal(click.run) });
}

export function registerFailedVmButtons(app: Listeners, deps: BotDeps): void {
  onRunButton(app, deps, ACTION.retryFailover, {
    who: 'handle-failed',
    whenFailed: 'Something went wrong; nothing was retried.',
    handle: (click) => retryClicked(deps, click),
  });
  onRunButton(app, deps, ACTION.leaveOut, {
    who: 'handle-failed',
    whenFailed: 'Something went wrong; nothing changed.',
    handle: leaveOutClicked,
  });
}
