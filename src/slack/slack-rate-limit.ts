import type { Redis } from 'ioredis';

/** Slack rate-limited the bot: no Slack call from any process until its Retry-After has passed. */
export class SlackRateLimitedError extends Error {
  override readonly name = 'SlackRateLimitedError';
  constructor(readonly retryAfterMs: number) {
    super(`Slack rate-limited the bot; waiting ${retryAfterMs} ms`);
  }
}

const blockedKey = (prefix: string) => `${prefix}:slack-blocked-until`;

/**
 * Runs the Slack calls of one job with the workspace-wide 429 rule: nothing is called while an
 * earlier 429's Retry-After lasts (any process), and a 429 now blocks every process for its
 * Retry-After. Either way the job gets a SlackRateLimitedError to come back later.
 */
export async function withSlackRateLimit<T>(deps: { redis: Redis; prefix: string; now: () => number }, calls: () => Promise<T>): Promise<T> {
  const blockedUntil = Number(await deps.redis.get(blockedKey(deps.prefix))) || 0;
  if (blockedUntil > deps.now()) throw new SlackRateLimitedError(blockedUntil - deps.now());
  try {
    return await calls();
  } catch (e) {
    // @slack/web-api with rejectRateLimitedCalls: the error carries Slack's Retry-After in seconds.
    const retryAfter = (e as { retryAfter?: number }).retryAfter;
    if ((e as { code?: string }).code === 'slack_webapi_rate_limited_error' && typeof retryAfter === 'number') {
      const ms = Math.max(1, retryAfter) * 1000;
      await deps.redis.set(blockedKey(deps.prefix), String(deps.now() + ms), 'PX', ms);
      throw new SlackRateLimitedError(ms);
    }
    throw e;
  }
}
