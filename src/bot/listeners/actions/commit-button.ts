import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { actorText, phaseOf } from '../../../domain/run';
import { isFailbackError } from '../../../errors';
import { setRunId } from '../../../observability/log-context';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { confirmCommitModal } from '../../views';
import { authorizedRun, tellClicker } from '../commit-guard';

/**
 * Commit button: checks the approval policy and opens a confirmation naming the Azure VMs that
 * the commit deletes. Nothing changes until the confirmation is submitted.
 */
export function registerCommitButton(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.commit, async ({ ack, body, action, client, respond }) => {
    await ack();
    setRunId(action.value);
    const tell = tellClicker(deps, { body, client, respond });
    try {
      const run = await authorizedRun(deps, action.value ?? '', body.user.id, 'commit', tell);
      if (!run) return;
      if (run.commit) return void (await tell(`Already committed: approved by ${actorText(run.commit.approvedBy)}.`));
      if (phaseOf(run) !== 'awaiting-commit') return void (await tell(`Run ${run.id} is not waiting for a commit.`));
      await client.views.open({ trigger_id: body.trigger_id, view: confirmCommitModal(run) });
    } catch (e) {
      deps.log.error({ err: e }, 'commit button failed');
      await tell(isFailbackError(e) ? e.userMessage : 'Something went wrong; nothing was committed.');
    }
  });
}
