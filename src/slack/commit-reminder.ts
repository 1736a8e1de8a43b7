import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { commitReminder, reminderMentions } from '../bot/views/commit-reminder';
import type { Approvers } from '../bot/views/verification-prompt';
import { commitReminderDelayMs } from '../domain/reminders';
import { commitWaitingSince, phaseOf } from '../domain/run';
import type { RunStore } from '../store/run-store';
import { slackCall } from './slack-rate-limit';
import type { MessageLedger } from '../store/message-ledger';

export interface CommitReminderDeps {
  readonly client: WebClient;
  readonly ledger: MessageLedger;
  readonly store: RunStore;
  readonly approvers: Approvers;
  /** FAILBACK_COMMIT_REMINDER_MINUTES, in ms: the first reminder's delay, doubled for each next one. */
  readonly reminderMs: number;
  readonly scheduleReminder: (runId: string, n: number, delayMs: number) => Promise<void>;
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * The n-th Commit reminder of a run: recorded in the run (and its trail), posted to the card's thread
 * once, and the next one scheduled. A run no longer waiting for Commit gets none. A job that runs
 * again after a crash posts what was recorded but not posted, never a reminder twice.
 */
export async function sendCommitReminder(deps: CommitReminderDeps, runId: string, n: number): Promise<void> {
  let run = await deps.store.get(runId);
  const card = run?.card;
  if (!run || !card || run.commit || phaseOf(run) !== 'awaiting-commit') return;
  const sent = run.commitReminders ?? 0;
  if (n < sent || n > sent + 1) return;
  const at = new Date(deps.now()).toISOString();
  if (n === sent + 1) {
    const r = await deps.store.apply(runId, {
      type: 'commit-reminder-sent',
      n,
      at,
      mentioned: reminderMentions(deps.approvers) || 'nobody',
    });
    if (!r.applied) return;
    run = r.run;
  }
  const nextInMs = commitReminderDelayMs(deps.reminderMs, n + 1);
  if (!(await deps.ledger.posted(`reminder-${n}`, runId))) {
    const msg = commitReminder(run, {
      n,
      approvers: deps.approvers,
      waitingSince: commitWaitingSince(run),
      now: new Date(deps.now()),
      nextInMs,
    });
    // Posted, then marked: a crash in between repeats one reminder rather than losing it.
    await slackCall(deps, 'chat.postMessage', () =>
      deps.client.chat.postMessage({ channel: run.channelId, thread_ts: card.ts, text: msg.text, blocks: msg.blocks }),
    );
    await deps.ledger.markPosted(`reminder-${n}`, runId);
    deps.log.info({ runId, n }, 'commit reminder sent');
  }
  await deps.scheduleReminder(runId, n + 1, nextInMs);
}
