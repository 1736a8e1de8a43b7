import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { isFailbackError } from '../../../errors';
import { changeRun } from '../../../jobs/change-run';
import { setRunId } from '../../../observability/log-context';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { authorizedRun, tellClicker } from '../commit-guard';

/**
 * **Look at ASR again now** on the card, while an operation waits on ASR (another operation runs on
 * the VM, a job ASR has not filled in): the next read happens now instead of at the back-off's time.
 * It issues nothing by itself — the step reads ASR first, as always.
 */
export function registerRecheckButton(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.recheck, async ({ ack, body, action, client, respond }) => {
    await ack();
    setRunId(action.value);
    const tell = tellClicker(deps, { body, client, respond });
    try {
      const run = await authorizedRun(deps, action.value ?? '', body.user.id, 'recheck', tell);
      if (!run) return;
      const result = await changeRun(deps, run.id, { type: 'recheck-requested', by: body.user.id, at: new Date(deps.now()).toISOString() });
      if (!result.applied) return void (await tell(`Nothing to look at again: ${escapeMrkdwn(result.reason)}.`));
      deps.log.info({ runId: run.id, user: body.user.id }, 'asked to look at ASR again');
    } catch (e) {
      deps.log.error({ err: e }, 'recheck button failed');
      await tell(isFailbackError(e) ? e.userMessage : 'Something went wrong; try again.');
    }
  });
}
