import type { Listeners } from '../../../slack/listener-router';
import type { View } from '@slack/types';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { isFailbackError } from '../../../errors';
import { changeRun } from '../../../jobs/change-run';
import { setRunId } from '../../../observability/log-context';
import type { BotDeps } from '../../deps';
import { ACTION, BLOCK, CALLBACK } from '../../ids';
import { uncheckedForCommit } from '../../../domain/run';
import { z } from 'zod';
import { workingModal } from '../../views/notice-modals';
import { confirmCommitModal } from '../../views';
import { commitVerdict } from '../commit-guard';
import { onSubmission, type ModalAnswer } from '../deadline';

const notice = (text: string): View => ({
  type: 'modal',
  title: { type: 'plain_text', text: 'Commit failback' },
  close: { type: 'plain_text', text: 'Close' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
});

const update = (text: string): ModalAnswer => ({ kind: 'update', view: notice(text) });

/**
 * The confirmed commit. The policy is checked again on the run as stored; the state machine
 * accepts one approval per run, so double clicks, Slack retries and concurrent approvers all
 * end in exactly one commit step. Answered within Slack's 3 s; an approval that is recorded is
 * never reported as failed (if its step could not be queued at once, the outbox queues it).
 */
export function registerCommitConfirmation(app: Listeners, deps: BotDeps): void {
  onSubmission(
    app,
    deps.log,
    CALLBACK.confirmCommit,
    workingModal(CALLBACK.confirmCommit, 'Commit failback', 'Recording the commit…'),
    (view, userId) => {
      setRunId(view.private_metadata);
      return decideCommit(deps, view.private_metadata, userId, checksReasonOf(view.state.values));
    },
  );
}

const reasonState = z.object({
  [BLOCK.checksReason]: z.object({ [ACTION.checksReason]: z.object({ value: z.string().nullish() }) }),
});

/** The reason typed for committing despite application checks, when the confirmation asked for one. */
function checksReasonOf(values: unknown): string | undefined {
  const parsed = reasonState.safeParse(values);
  return parsed.success
    ? (parsed.data[BLOCK.checksReason][ACTION.checksReason].value ?? '').trim() || undefined
    : undefined;
}

async function decideCommit(
  deps: BotDeps,
  runId: string,
  userId: string,
  checksReason: string | undefined,
): Promise<ModalAnswer> {
  try {
    const run = await deps.store.get(runId);
    if (!run) return update('This run no longer exists.');
    const verdict = await commitVerdict(deps, run, userId);
    if (!verdict.allowed) return update(verdict.reason);
    // Checks that failed (or still try) since the confirmation opened: it is shown again, asking why.
    if (uncheckedForCommit(run).length > 0 && !checksReason) return { kind: 'update', view: confirmCommitModal(run) };
    const at = new Date(deps.now()).toISOString();
    const result = await changeRun(deps, run.id, { type: 'commit-approved', by: userId, at, checksReason });
    if (!result.applied) return update(`Nothing to do: ${escapeMrkdwn(result.reason)}.`);
    deps.log.info({ runId: run.id, user: userId, queued: result.queued }, 'commit approved');
    if (!result.queued)
      return update(
        `Commit of ${run.id} approved and recorded. The bot’s job queue did not answer just now; the commit starts by itself as soon as it does (usually within a minute).`,
      );
    return {
      kind: 'clear',
      late: notice(`:white_check_mark: Commit of ${run.id} approved; the run card shows its progress.`),
    };
  } catch (e) {
    deps.log.error({ err: e }, 'commit confirmation failed');
    return update(isFailbackError(e) ? e.userMessage : 'Something went wrong; nothing was committed.');
  }
}
