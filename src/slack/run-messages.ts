import type { JobLink } from '../bot/views/portal-link';
import { createHash } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { runCard, runSummary, verificationPrompt } from '../bot/views';
import { phaseOf, type Run } from '../domain/run';
import type { RunEvent } from '../domain/run-machine';
import { CardBusyError } from '../errors';
import type { MessageLedger } from '../store/message-ledger';
import type { RunStore } from '../store/run-store';
import { slackCall } from './slack-rate-limit';

export interface RunMessagesDeps {
  readonly client: WebClient;
  readonly ledger: MessageLedger;
  readonly store: RunStore;
  /** Changes the run the one way (state machine, trail, effects): posting the card queues its failover. */
  readonly change: (runId: string, event: RunEvent) => Promise<{ readonly run: Run }>;
  readonly approvers: { readonly users: readonly string[]; readonly groups: readonly string[] };
  /** Links the run card's steps to their ASR jobs in the Azure portal (`asrJobLink`); without it, step names only. */
  readonly jobLink?: JobLink | undefined;
  readonly now: () => number;
  readonly log: Logger;
}

export { CardBusyError };

/**
 * Brings a run's Slack messages up to date: the run card (posted once, then edited in place) and,
 * once the failover has ended, the verification prompt (a thread reply broadcast to the channel).
 * A per-run lock keeps two processes from interleaving edits; the rendered version and a content
 * hash keep repeated renders from calling Slack again.
 */
export async function syncRunMessages(deps: RunMessagesDeps, runId: string): Promise<void> {
  // Long enough for two Slack calls; short enough that a process killed while holding it blocks little.
  const token = await deps.ledger.lockCard(runId, 5_000);
  if (!token) throw new CardBusyError(runId);
  try {
    await sync(deps, runId);
  } finally {
    await deps.ledger.unlockCard(runId, token);
  }
}

async function sync(deps: RunMessagesDeps, runId: string): Promise<void> {
  const { client, ledger, store } = deps;
  const call = <T>(method: string, fn: () => Promise<T>) => slackCall(deps, method, fn);
  let run = await store.require(runId);
  const now = new Date(deps.now());
  const rendered = await ledger.renderedVersion(runId);

  if (!run.card) {
    const card = runCard(run, now, { jobLink: deps.jobLink });
    const ts = await postOnce(
      deps,
      run.id,
      'card',
      (since) => findCard(deps, run, since),
      async () => {
        const res = await call('chat.postMessage', () =>
          client.chat.postMessage({
            channel: run.channelId,
            text: card.text,
            blocks: card.blocks,
            metadata: marker('card', run.id),
          }),
        );
        return String(res.ts);
      },
    );
    // Posting the card is what queues the run's failover.
    run = (await deps.change(runId, { type: 'card-posted', ts })).run;
    await ledger.setRenderedVersion(runId, run.version);
  } else if (rendered < run.version) {
    const card = runCard(run, now, { jobLink: deps.jobLink });
    const cardTs = run.card.ts;
    await call('chat.update', () =>
      client.chat.update({ channel: run.channelId, ts: cardTs, text: card.text, blocks: card.blocks }),
    );
    await ledger.setRenderedVersion(runId, run.version);
  }
  await ledger.markCardEdited(runId, deps.now());

  // The prompt appears once the failover has ended; once posted it also shows a retry under way.
  if (!run.card || run.cancelled || (phaseOf(run) === 'failing-over' && !run.prompt)) return;
  if (phaseOf(run) === 'done') await postSummary(deps, run.id, run.channelId, run.card.ts);
  const prompt = verificationPrompt(run, deps.approvers, now);
  const hash = createHash('sha1').update(JSON.stringify(prompt.blocks)).digest('hex');
  if (!run.prompt) {
    const cardTs = run.card.ts;
    const ts = await postOnce(
      deps,
      run.id,
      'prompt',
      (since) => findInThread(deps, run.channelId, cardTs, run.id, 'prompt', since),
      async () => {
        const res = await call('chat.postMessage', () =>
          client.chat.postMessage({
            channel: run.channelId,
            thread_ts: cardTs,
            reply_broadcast: true,
            text: prompt.text,
            blocks: prompt.blocks,
            metadata: marker('prompt', run.id),
          }),
        );
        return String(res.ts);
      },
    );
    const posted = await deps.change(runId, { type: 'prompt-posted', ts, at: new Date(deps.now()).toISOString() });
    await ledger.setPromptHash(runId, hash);
    // Recording the prompt changes no card content: mark that version as rendered too.
    if (rendered <= run.version) await ledger.setRenderedVersion(runId, posted.run.version);
  } else if ((await ledger.promptHash(runId)) !== hash) {
    const promptTs = run.prompt.ts;
    await call('chat.update', () =>
      client.chat.update({ channel: run.channelId, ts: promptTs, text: prompt.text, blocks: prompt.blocks }),
    );
    await ledger.setPromptHash(runId, hash);
  }
}

/** The closing summary in the run's thread, once. */
async function postSummary(deps: RunMessagesDeps, runId: string, channel: string, cardTs: string): Promise<void> {
  if (await deps.ledger.posted('summary', runId)) return;
  const run = await deps.store.require(runId);
  const summary = runSummary(run, await deps.store.trail(runId));
  await postOnce(
    deps,
    runId,
    'summary',
    (since) => findInThread(deps, channel, cardTs, runId, 'summary', since),
    async () => {
      const res = await slackCall(deps, 'chat.postMessage', () =>
        deps.client.chat.postMessage({
          channel,
          thread_ts: cardTs,
          text: summary.text,
          blocks: summary.blocks,
          metadata: marker('summary', runId),
        }),
      );
      return String(res.ts);
    },
  );
  await deps.ledger.markPosted('summary', runId);
}

type MessageKind = 'card' | 'prompt' | 'summary';
const EVENT_TYPE: Record<MessageKind, string> = {
  card: 'failback_run_card',
  prompt: 'failback_verification',
  summary: 'failback_summary',
};

/** Message metadata that names the run, so a message whose post was not recorded can be found again. */
function marker(kind: MessageKind, runId: string) {
  return { event_type: EVENT_TYPE[kind], event_payload: { run_id: runId } };
}

function isMarked(
  m: { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } },
  kind: MessageKind,
  runId: string,
) {
  return m.metadata?.event_type === EVENT_TYPE[kind] && m.metadata.event_payload?.run_id === runId;
}

/**
 * Posts a run's message (or file) at most once across crashes. The time of the attempt is recorded
 * before posting; the message's ts after. If a record of an attempt is there, it may have posted
 * without its ts being recorded (the process died in between), so `find` looks for it — by its
 * metadata, only among the messages of that minute — before posting again. Recovery does not hang on
 * a whole channel's history (which Slack limits hard for some apps: one call a minute, 15 items).
 */
export async function postOnce(
  deps: Pick<RunMessagesDeps, 'ledger' | 'log' | 'now'>,
  runId: string,
  kind: MessageKind | 'report',
  find: (since: number) => Promise<string | undefined>,
  post: () => Promise<string>,
): Promise<string> {
  const attempted = await deps.ledger.attempted(kind, runId);
  if (attempted) {
    const found = await find(attempted);
    if (found) {
      deps.log.info({ runId, kind }, 'found the message an interrupted attempt had posted');
      return found;
    }
  }
  await deps.ledger.markAttempt(kind, runId, deps.now());
  return post();
}

/** How far before a recorded attempt its message is looked for (clocks differ). */
export const FIND_MARGIN_MS = 60_000;

/** A Slack timestamp (seconds with microseconds) for epoch ms. */
export const slackTs = (ms: number) => (Math.max(0, ms) / 1000).toFixed(6);

async function findCard(
  deps: RunMessagesDeps,
  run: { id: string; channelId: string },
  since: number,
): Promise<string | undefined> {
  const res = await slackCall(deps, 'conversations.history', () =>
    deps.client.conversations.history({
      channel: run.channelId,
      oldest: slackTs(since - FIND_MARGIN_MS),
      latest: slackTs(since + FIND_MARGIN_MS),
      limit: 100,
      include_all_metadata: true,
    }),
  );
  return (res.messages ?? []).find((m) => isMarked(m as never, 'card', run.id))?.ts;
}

async function findInThread(
  deps: RunMessagesDeps,
  channel: string,
  cardTs: string,
  runId: string,
  kind: MessageKind,
  since: number,
): Promise<string | undefined> {
  const res = await slackCall(deps, 'conversations.replies', () =>
    deps.client.conversations.replies({
      channel,
      ts: cardTs,
      oldest: slackTs(since - FIND_MARGIN_MS),
      include_all_metadata: true,
      limit: 100,
    }),
  );
  return (res.messages ?? []).find((m) => isMarked(m as never, kind, runId))?.ts;
}
