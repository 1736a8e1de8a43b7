import type { App } from '@slack/bolt';
import type { View } from '@slack/types';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { isFailbackError } from '../../../errors';
import { setRunId } from '../../../observability/log-context';
import type { BotDeps } from '../../deps';
import { CALLBACK } from '../../ids';
import { commitVerdict } from '../commit-guard';

const notice = (text: string): View => ({
  type: 'modal',
  title: { type: 'plain_text', text: 'Commit failback' },
  close: { type: 'plain_text', text: 'Close' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
});

/**
 * The confirmed commit. The policy is checked again on the run as stored; the state machine
 * accepts one approval per run, so double clicks, Slack retries and concurrent approvers all
 * end in exactly one commit step.
 */
export function registerCommitConfirmation(app: App, deps: BotDeps): void {
  app.view(CALLBACK.confirmCommit, async ({ ack, body, view }) => {
    const update = (text: string) => ack({ response_action: 'update', view: notice(text) });
    setRunId(view.private_metadata);
    try {
      const run = await deps.store.get(view.private_metadata);
      if (!run) return update('This run no longer exists.');
      const verdict = await commitVerdict(deps, run, body.user.id);
      if (!verdict.allowed) return update(verdict.reason);
      const at = new Date(deps.now()).toISOString();
      const result = await deps.store.apply(run.id, { type: 'commit-approved', by: body.user.id, at });
      if (!result.applied) return update(`Nothing to do: ${escapeMrkdwn(result.reason)}.`);
      await deps.effects.run(result.run, result.effects);
      deps.log.info({ runId: run.id, user: body.user.id }, 'commit approved');
      return ack({ response_action: 'clear' });
    } catch (e) {
      deps.log.error({ err: e }, 'commit confirmation failed');
      return update(isFailbackError(e) ? e.userMessage : 'Something went wrong; nothing was committed.');
    }
  });
}
