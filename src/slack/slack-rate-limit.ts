import { SlackRateLimitedError } from '../errors';
import type { MessageLedger } from '../store/message-ledger';

export { SlackRateLimitedError };

/**
 * One Slack Web API call under Slack's per-method rate limits: nothing calls `method` while an
 * earlier 429 of that method lasts (any process), and a 429 now blocks that method — only that one:
 * Slack limits each method (tier) on its own, and some apps get conversations.history at one call a
 * minute, which must not hold up card edits. Either way the job gets a SlackRateLimitedError to come
 * back later.
 */
export async function slackCall<T>(
  deps: { ledger: MessageLedger; now: () => number },
  method: string,
  call: () => Promise<T>,
): Promise<T> {
  const blockedUntil = await deps.ledger.slackBlockedUntil(method);
  if (blockedUntil > deps.now()) throw new SlackRateLimitedError(blockedUntil - deps.now(), method);
  try {
    return await call();
  } catch (e) {
    // @slack/web-api with rejectRateLimitedCalls: the error carries Slack's Retry-After in seconds.
    const retryAfter = (e as { retryAfter?: number }).retryAfter;
    if ((e as { code?: string }).code === 'slack_webapi_rate_limited_error' && typeof retryAfter === 'number') {
      const ms = Math.max(1, retryAfter) * 1000;
      await deps.ledger.blockSlack(method, deps.now() + ms, ms);
      throw new SlackRateLimitedError(ms, method);
    }
    throw e;
  }
}
