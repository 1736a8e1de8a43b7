import { createHash, randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { runCard, runSummary, verificationPrompt } from '../bot/views';
import { phaseOf } from '../domain/run';
import type { RunStore } from '../store/run-store';
import { cardEditedAtKey } from '../jobs/effects';
import { withSlackRateLimit } from './slack-rate-limit';


export interface RunMessagesDeps {
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
    // Inside the lock: a 429 blocks every process before the next render may take the lock.
    await withSlackRateLimit(deps, () => sync(deps, runId));
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
  let run = await store.require(runId);
  const now = new Date(deps.now());
  const versionKey = `${prefix}:card-ver:${runId}`;
  const rendered = Number(await redis.get(versionKey)) || 0;

  if (!run.card) {
    const card = runCard(run, now, { jobLink: deps.jobLink });
    const ts = await postOnce(deps, run.id, 'card', () => findCard(client, run), async () => {
      const res = await client.chat.postMessage({ channel: run.channelId, text: card.text, blocks: card.blocks, metadata: marker('card', run.id) });
      return String(res.ts);
    });
    const posted = await store.apply(runId, { type: 'card-posted', ts });
    run = posted.run;
    await redis.set(versionKey, String(run.version), 'EX', KEEP_SECONDS);
  } else if (rendered < run.version) {
    const card = runCard(run, now, { jobLink: deps.jobLink });
    await client.chat.update({ channel: run.channelId, ts: run.card.ts, text: card.text, blocks: card.blocks });
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
    const ts = await postOnce(deps, run.id, 'prompt', () => findInThread(client, run.channelId, cardTs, run.id, 'prompt'), async () => {
      const res = await client.chat.postMessage({
        channel: run.channelId,
        thread_ts: cardTs,
        reply_broadcast: true,
        text: prompt.text,
        blocks: prompt.blocks,
        metadata: marker('prompt', run.id),
      });
      return String(res.ts);
    });
    const posted = await store.apply(runId, { type: 'prompt-posted', ts, at: new Date(deps.now()).toISOString() });
    await redis.set(hashKey, hash, 'EX', KEEP_SECONDS);
    // Recording the prompt changes no card content: mark that version as rendered too.
    if (rendered <= run.version) await redis.set(versionKey, String(posted.run.version), 'EX', KEEP_SECONDS);
  } else if ((await redis.get(hashKey)) !== hash) {
    await client.chat.update({ channel: run.channelId, ts: run.prompt.ts, text: prompt.text, blocks: prompt.blocks });
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
  await postOnce(deps, runId, 'summary', () => findInThread(deps.client, channel, cardTs, runId, 'summary'), async () => {
    const res = await deps.client.chat.postMessage({ channel, thread_ts: cardTs, text: summary.text, blocks: summary.blocks, metadata: marker('summary', runId) });
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
 * Posts a run's message (or file) at most once across crashes: a marker is set before posting; if
 * it is already there, an earlier attempt may have posted without recording it, so `find` looks for
 * it (the message's metadata, the file's name) before posting again.
 */
export async function postOnce(
  deps: Pick<RunMessagesDeps, 'redis' | 'prefix' | 'log'>,
  runId: string,
  kind: MessageKind | 'report',
  find: () => Promise<string | undefined>,
  post: () => Promise<string>,
): Promise<string> {
  const key = `${deps.prefix}:posting:${kind}:${runId}`;
  if (await deps.redis.get(key)) {
    const found = await find();
    if (found) {
      deps.log.info({ runId, kind }, 'found the message an interrupted attempt had posted');
      return found;
    }
  }
  await deps.redis.set(key, '1', 'EX', 30 * 24 * 3600);
  return post();
}

async function findCard(client: WebClient, run: { id: string; channelId: string; createdAt: string }): Promise<string | undefined> {
  const oldest = String(Math.floor(Date.parse(run.createdAt) / 1000) - 60);
  const res = await client.conversations.history({ channel: run.channelId, oldest, limit: 200, include_all_metadata: true });
  return (res.messages ?? []).find((m) => isMarked(m as never, 'card', run.id))?.ts;
}

async function findInThread(client: WebClient, channel: string, cardTs: string, runId: string, kind: MessageKind): Promise<string | undefined> {
  const res = await client.conversations.replies({ channel, ts: cardTs, include_all_metadata: true, limit: 200 });
  return (res.messages ?? []).find((m) => isMarked(m as never, kind, runId))?.ts;
}
