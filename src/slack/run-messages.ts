import { createHash, randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { runCard, verificationPrompt } from '../bot/views';
import { phaseOf } from '../domain/run';
import type { RunStore } from '../store/run-store';
import { cardEditedAtKey } from '../jobs/effects';

export interface RunMessagesDeps {
  readonly client: WebClient;
  readonly redis: Redis;
  readonly prefix: string;
  readonly store: RunStore;
  readonly approvers: { readonly users: readonly string[]; readonly groups: readonly string[] };
  readonly now: () => number;
  readonly log: Logger;
}

/** Thrown when another process is rendering the same run's messages; the job retries shortly. */
export class CardBusyError extends Error {
  override readonly name = 'CardBusyError';
}

/**
 * Brings a run's Slack messages up to date: the run card (posted once, then edited in place) and,
 * once the failover has ended, the verification prompt (a thread reply broadcast to the channel).
 * A per-run lock keeps two processes from interleaving edits; the rendered version and a content
 * hash keep repeated renders from calling Slack again.
 */
export async function syncRunMessages(deps: RunMessagesDeps, runId: string): Promise<void> {
  const lockKey = `${deps.prefix}:card-lock:${runId}`;
  const token = randomUUID();
  if ((await deps.redis.set(lockKey, token, 'PX', 15_000, 'NX')) !== 'OK') throw new CardBusyError(runId);
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
  let run = await store.require(runId);
  const now = new Date(deps.now());
  const versionKey = `${prefix}:card-ver:${runId}`;
  const rendered = Number(await redis.get(versionKey)) || 0;

  if (!run.card) {
    const card = runCard(run, now);
    const res = await client.chat.postMessage({ channel: run.channelId, text: card.text, blocks: card.blocks });
    const posted = await store.apply(runId, { type: 'card-posted', ts: String(res.ts) });
    run = posted.run;
    await redis.set(versionKey, String(run.version));
  } else if (rendered < run.version) {
    const card = runCard(run, now);
    await client.chat.update({ channel: run.channelId, ts: run.card.ts, text: card.text, blocks: card.blocks });
    await redis.set(versionKey, String(run.version));
  }
  await redis.set(cardEditedAtKey(prefix, runId), String(deps.now()), 'EX', 3600);

  if (phaseOf(run) === 'failing-over' || !run.card) return;
  const prompt = verificationPrompt(run, deps.approvers, now);
  const hash = createHash('sha1').update(JSON.stringify(prompt.blocks)).digest('hex');
  const hashKey = `${prefix}:prompt-hash:${runId}`;
  if (!run.prompt) {
    const res = await client.chat.postMessage({
      channel: run.channelId,
      thread_ts: run.card.ts,
      reply_broadcast: true,
      text: prompt.text,
      blocks: prompt.blocks,
    });
    const posted = await store.apply(runId, { type: 'prompt-posted', ts: String(res.ts) });
    await redis.set(hashKey, hash);
    // Recording the prompt changes no card content: mark that version as rendered too.
    if (rendered <= run.version) await redis.set(versionKey, String(posted.run.version));
  } else if ((await redis.get(hashKey)) !== hash) {
    await client.chat.update({ channel: run.channelId, ts: run.prompt.ts, text: prompt.text, blocks: prompt.blocks });
    await redis.set(hashKey, hash);
  }
}
