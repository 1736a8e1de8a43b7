import type { Listeners } from '../../../slack/listener-router';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { changeRun } from '../../../jobs/change-run';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { onRunButton, type RunClick } from '../run-button';

/**
 * **Look at ASR again now** on the card, while an operation waits on ASR (another operation runs on
 * the VM, a job ASR has not filled in): the next read happens now instead of at the back-off's time.
 * It issues nothing by itself — the step reads ASR first, as always.
 */
export async function recheckClicked(deps: BotDeps, click: RunClick): Promise<void> {
  const result = await changeRun(deps, click.run.id, {
    type: 'recheck-requested',
    by: click.userId,
    at: new Date(deps.now()).toISOString(),
  });
  if (!result.applied) return void (await click.tell(`Nothing to look at again: ${escapeMrkdwn(result.reason)}.`));
  deps.log.info({ runId: click.run.id, user: click.userId }, 'asked to look at ASR again');
}

export function registerRecheckButton(app: Listeners, deps: BotDeps): void {
  onRunButton(app, deps, ACTION.recheck, {
    who: 'recheck',
    whenFailed: 'Something went wrong; try again.',
    handle: (click) => recheckClicked(deps, click),
  });
}
