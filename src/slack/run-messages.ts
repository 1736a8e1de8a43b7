import { createHash, randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { runCard, runSummary, verificationPrompt } from '../bot/views';
import { phaseOf } from '../domain/run';
import type { RunStore } from '../store/run-store';
import { cardEditedAtKey } from '../jobs/effects';
import { slackCall } from './slack-rate-limit';
import { changeRun } from '../jobs/change-run';
import type { EffectRunner } from '../jobs/effects';


export interface RunMessagesDeps {
  /** Queues what a change of the run needs (the failover once its card is posted). */
  readonly effects: EffectRunner;
  readonly client: WebClient;
  readonly redis: Redis;
  readonly prefix: string;
  readonly store: RunStore;
  readonly approvers: { readonly users: readonly string[]; readonly groups: readonly string[] };
  /** Links the run card's steps to their ASR jobs in the Azure portal (`asrJobLink(config.azure)`); without it, step names only. */
  readonly jobLink?: ((jobName: string) => string | undefined) | undefined;
  readonly now: () => number;
  readonly log: Logger;
}

/** Thrown when another process is rendering the same run's messages; the job retries shortly. */
export class CardBusyError extends Error {
  override readonly name = 'CardBusyError';
  readonly retryAfterMs = 300;
}

/** Render bookkeeping outlives any run's activity on its card (a week), then goes. */
const KEEP_SECONDS = 7 * 24 * 3600;

/**
 * Brings a run's Slack messages up to date: the run card (posted once, then edited in place) and,
 * once the failover has ended, the verification prompt (a thread reply broadcast to the channel).
 * A per-run lock keeps two processes from interleaving edits; the rendered version and a content
 * hash keep repeated renders from calling Slack again.
 */
export async function syncRunMessages(deps: RunMessagesDeps, runId: string): Promise<void> {
  const lockKey = `${deps.prefix}:card-lock:${runId}`;
  const token = randomUUID();
  // Long enough for two Slack calls; short enough that a process killed while holding it blocks little.
  if ((await deps.redis.set(lockKey, token, 'PX', 5_000, 'NX')) !== 'OK') throw new CardBusyError(runId);
  try {
    await sync(deps, runId);
  } finally {
    await deps.redis.eval(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
      1,
      lockKey,
      token,
    );
  }
}

async function sync(deps: RunMessagesDeps, runId: string): Promise<void> {
  const { client, redis, prefix, store } = deps;
  const call = <T>(method: string, fn: () => Promise<T>) => slackCall(deps, method, fn);
  let run = await store.require(runId);
  const now = new Date(deps.now());
  const versionKey = `${prefix}:card-ver:${runId}`;
  const rendered = Number(await redis.get(versionKey)) || 0;

  if (!run.card) {
    const card = runCard(run, now, { jobLink: deps.jobLink });
    const ts = await postOnce(deps, run.id, 'card', (since) => findCard(deps, run, since), async () => {
      const res = await call('chat.postMessage', () => client.chat.postMessage({ channel: run.channelId, text: card.text, blocks: card.blocks, metadata: marker('card', run.id) }));
      return String(res.ts);
    });
    // Through changeRun: posting the card is what queues the run's failover.
    const posted = await changeRun(deps, runId, { type: 'card-posted', ts });
    run = posted.run;
    await redis.set(versionKey, String(run.version), 'EX', KEEP_SECONDS);
  } else if (rendered < run.version) {
    const card = runCard(run, now, { jobLink: deps.jobLink });
    const cardTs = run.card.ts;
    await call('chat.update', () => client.chat.update({ channel: run.channelId, ts: cardTs, text: card.text, blocks: card.blocks }));
    await redis.set(versionKey, String(run.version), 'EX', KEEP_SECONDS);
  }
  await redis.set(cardEditedAtKey(prefix, runId), String(deps.now()), 'EX', 3600);

  // The prompt appears once the failover has ended; once posted it also shows a retry under way.
  if (!run.card || run.cancelled || (phaseOf(run) === 'failing-over' && !run.prompt)) return;
  if (phaseOf(run) === 'done') await postSummary(deps, run.id, run.channelId, run.card.ts);
  const prompt = verificationPrompt(run, deps.approvers, now);
  const hash = createHash('sha1').update(JSON.stringify(prompt.blocks)).digest('hex');
  const hashKey = `${prefix}:prompt-hash:${runId}`;
  if (!run.prompt) {
    const cardTs = run.card.ts;
    const ts = await postOnce(deps, run.id, 'prompt', (since) => findInThread(deps, run.channelId, cardTs, run.id, 'prompt', since), async () => {
      const res = await call('chat.postMessage', () => client.chat.postMessage({
        channel: run.channelId,
        thread_ts: cardTs,
        reply_broadcast: true,
        text: prompt.text,
        blocks: prompt.blocks,
        metadata: marker('prompt', run.id),
      }));
      return String(res.ts);
    });
    const posted = await store.apply(runId, { type: 'prompt-posted', ts, at: new Date(deps.now()).toISOString() });
    await redis.set(hashKey, hash, 'EX', KEEP_SECONDS);
    // Recording the prompt changes no card content: mark that version as rendered too.
    if (rendered <= run.version) await redis.set(versionKey, String(posted.run.version), 'EX', KEEP_SECONDS);
  } else if ((await redis.get(hashKey)) !== hash) {
    const promptTs = run.prompt.ts;
    await call('chat.update', () => client.chat.update({ channel: run.channelId, ts: promptTs, text: prompt.text, blocks: prompt.blocks }));
    await redis.set(hashKey, hash, 'EX', KEEP_SECONDS);
  }
}

/** Set once the closing summary is in the run's thread. */
export const summaryPostedKey = (prefix: string, runId: string) => `${prefix}:summary-posted:${runId}`;

/** The closing summary in the run's thread, once. */
async function postSummary(deps: RunMessagesDeps, runId: string, channel: string, cardTs: string): Promise<void> {
  const doneKey = summaryPostedKey(deps.prefix, runId);
  if (await deps.redis.get(doneKey)) return;
  const run = await deps.store.require(runId);
  const summary = runSummary(run, await deps.store.trail(runId));
  await postOnce(deps, runId, 'summary', (since) => findInThread(deps, channel, cardTs, runId, 'summary', since), async () => {
    const res = await slackCall(deps, 'chat.postMessage', () => deps.client.chat.postMessage({ channel, thread_ts: cardTs, text: summary.text, blocks: summary.blocks, metadata: marker('summary', runId) }));
    return String(res.ts);
  });
  await deps.redis.set(doneKey, '1', 'EX', 30 * 24 * 3600);
}

type MessageKind = 'card' | 'prompt' | 'summary';
const EVENT_TYPE: Record<MessageKind, string> = { card: 'failback_run_card', prompt: 'failback_verification', summary: 'failback_summary' };

/** Message metadata that names the run, so a message whose post was not recorded can be found again. */
function marker(kind: MessageKind, runId: string) {
  return { event_type: EVENT_TYPE[kind], event_payload: { run_id: runId } };
}

function isMarked(m: { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }, kind: MessageKind, runId: string) {
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
  deps: Pick<RunMessagesDeps, 'redis' | 'prefix' | 'log' | 'now'>,
  runId: string,
  kind: MessageKind | 'report',
  find: (since: number) => Promise<string | undefined>,
  post: () => Promise<string>,
): Promise<string> {
  const key = `${deps.prefix}:posting:${kind}:${runId}`;
  const attempted = Number(await deps.redis.get(key));
  if (attempted) {
    const found = await find(attempted);
    if (found) {
      deps.log.info({ runId, kind }, 'found the message an interrupted attempt had posted');
      return found;
    }
  }
  await deps.redis.set(key, String(deps.now()), 'EX', 30 * 24 * 3600);
  return post();
}

/** How far before a recorded attempt its message is looked for (clocks differ). */
export const FIND_MARGIN_MS = 60_000;

/** A Slack timestamp (seconds with microseconds) for epoch ms. */
export const slackTs = (ms: number) => (Math.max(0, ms) / 1000).toFixed(6);

async function findCard(deps: RunMessagesDeps, run: { id: string; channelId: string }, since: number): Promise<string | undefined> {
  const res = await slackCall(deps, 'conversations.history', () =>
    deps.client.conversations.history({ channel: run.channelId, oldest: slackTs(since - FIND_MARGIN_MS), latest: slackTs(since + FIND_MARGIN_MS), limit: 100, include_all_metadata: true }),
  );
  return (res.messages ?? []).find((m) => isMarked(m as never, 'card', run.id))?.ts;
}

async function findInThread(deps: RunMessagesDeps, channel: string, cardTs: string, runId: string, kind: MessageKind, since: number): Promise<string | undefined> {
  const res = await slackCall(deps, 'conversations.replies', () =>
    deps.client.conversations.replies({ channel, ts: cardTs, oldest: slackTs(since - FIND_MARGIN_MS), include_all_metadata: true, limit: 100 }),
  );
  return (res.messages ?? []).find((m) => isMarked(m as never, kind, runId))?.ts;
}
