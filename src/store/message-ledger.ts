import { keyPrefix } from './keys';
import { acquireLock, releaseLock } from './locks';
import type { RedisClient } from './redis-connection';
import { TTL } from './ttl';

/** The key of the run report uploaded when a run closes: once per run, however often it is queued. */
export const FINAL_REPORT_KEY = 'final';

/** What a run posts in Slack besides its card and prompt edits: once each. */
export type PostedKind = 'card' | 'prompt' | 'summary' | 'report';

/**
 * The bookkeeping of a run's Slack messages in Redis — the one owner of these keys and their
 * lifetimes: the per-card lock, the rendered version and prompt hash (so a repeated render calls
 * Slack once), when a card was last edited (edits are spaced), when a post was attempted and that it
 * landed (posted once across crashes), and Slack's per-method rate limits shared by every process.
 */
export class MessageLedger {
  private readonly redis: RedisClient;
  private readonly prefix: string;

  constructor(options: { readonly redis: RedisClient; readonly prefix: string }) {
    this.redis = options.redis;
    this.prefix = keyPrefix(options.prefix);
  }

  private key(...parts: (string | number)[]): string {
    return [this.prefix, ...parts].join(':');
  }

  /** The render lock of a run's messages; its token, or undefined when another process holds it. */
  lockCard(runId: string, ttlMs: number): Promise<string | undefined> {
    return acquireLock(this.redis, this.key('card-lock', runId), ttlMs);
  }

  unlockCard(runId: string, token: string): Promise<void> {
    return releaseLock(this.redis, this.key('card-lock', runId), token);
  }

  async renderedVersion(runId: string): Promise<number> {
    return Number(await this.redis.get(this.key('card-ver', runId))) || 0;
  }

  async setRenderedVersion(runId: string, version: number): Promise<void> {
    await this.redis.set(this.key('card-ver', runId), String(version), 'EX', TTL.week);
  }

  promptHash(runId: string): Promise<string | null> {
    return this.redis.get(this.key('prompt-hash', runId));
  }

  async setPromptHash(runId: string, hash: string): Promise<void> {
    await this.redis.set(this.key('prompt-hash', runId), hash, 'EX', TTL.week);
  }

  /** When the run's card was last edited (epoch ms; 0 if not lately): edits are spaced from it. */
  async cardEditedAt(runId: string): Promise<number> {
    return Number(await this.redis.get(this.key('card-at', runId))) || 0;
  }

  async markCardEdited(runId: string, at: number): Promise<void> {
    await this.redis.set(this.key('card-at', runId), String(at), 'EX', TTL.hour);
  }

  /** When a post of `kind` was last attempted for the run (epoch ms), if ever. */
  async attempted(kind: string, runId: string): Promise<number | undefined> {
    return Number(await this.redis.get(this.key('posting', kind, runId))) || undefined;
  }

  async markAttempt(kind: string, runId: string, at: number): Promise<void> {
    await this.redis.set(this.key('posting', kind, runId), String(at), 'EX', TTL.month);
  }

  /** Whether `what` (the summary, the final report, reminder n) is known to be in the run's thread. */
  async posted(what: 'summary' | 'report' | `reminder-${number}`, runId: string): Promise<boolean> {
    return (await this.redis.get(this.key(`${what}-posted`, runId))) !== null;
  }

  async markPosted(what: 'summary' | 'report' | `reminder-${number}`, runId: string): Promise<void> {
    await this.redis.set(this.key(`${what}-posted`, runId), '1', 'EX', TTL.month);
  }

  /** True the first time in an hour that Slack's refusal of a run's channel is recorded. */
  async firstChannelRefusal(runId: string, error: string): Promise<boolean> {
    return (await this.redis.set(this.key('channel-refused', runId), error, 'EX', TTL.hour, 'NX')) === 'OK';
  }

  /** Until when (epoch ms) Slack asked every process to wait before calling `method` again. */
  async slackBlockedUntil(method: string): Promise<number> {
    return Number(await this.redis.get(this.key('slack-blocked-until', method))) || 0;
  }

  async blockSlack(method: string, until: number, forMs: number): Promise<void> {
    await this.redis.set(this.key('slack-blocked-until', method), String(until), 'PX', forMs);
  }
}
