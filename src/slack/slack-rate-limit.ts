import type { Redis } from 'ioredis';

/** Slack rate-limited one of its methods: no call of that method from any process until its Retry-After has passed. */
export class SlackRateLimitedError extends Error {
  override readonly name = 'SlackRateLimitedError';
  constructor(
    readonly retryAfterMs: number,
    readonly method: string,
  ) {
    super(`Slack rate-limited ${method}; waiting ${retryAfterMs} ms`);
  }
}

const blockedKey = (prefix: string, method: string) => `${prefix}:slack-blocked-until:${method}`;

/**
 * One Slack Web API call under Slack's per-method rate limits: nothing calls `method` while an
 * earlier 429 of that method lasts (any process), and a 429 now blocks that method — only that one:
 * Slack limits each method (tier) on its own, and some apps get conversations.history at one call a
 * minute, which must not hold up card edits. Either way the job gets a SlackRateLimitedError to come
 * back later.
 */
export async function slackCall<T>(deps: { redis: Redis; prefix: string; now: () => number }, method: string, call: () => Promise<T>): Promise<T> {
  const blockedUntil = Number(await deps.redis.get(blockedKey(deps.prefix, method))) || 0;
  if (blockedUntil > deps.now()) throw new SlackRateLimitedError(blockedUntil - deps.now(), method);
  try {
    return await call();
  } catch (e) {
    // @slack/web-api with rejectRateLimitedCalls: the error carries Slack's Retry-After in seconds.
    const retryAfter = (e as { retryAfter?: number }).retryAfter;
    if ((e as { code?: string }).code === 'slack_webapi_rate_limited_error' && typeof retryAfter === 'number') {
      const ms = Math.max(1, retryAfter) * 1000;
      await deps.redis.set(blockedKey(deps.prefix, method), String(deps.now() + ms), 'PX', ms);
      throw new SlackRateLimitedError(ms, method);
    }
    throw e;
  }
}
