import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The shared test Redis started by global-setup.ts (or given as TEST_REDIS_URL).
 * @throws with install instructions when no redis-server was available.
 */
export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (url) return url;
  throw new Error(
    process.env.TEST_REDIS_UNAVAILABLE ??
      'TEST_REDIS_URL is not set: run the tests through jest (test/support/global-setup.ts starts redis-server).',
  );
}

/**
 * A key prefix no other test (or parallel jest worker) uses, e.g. `t-3f9a1c2b-`; valid as a BullMQ
 * `prefix` and inside queue names (no `:`).
 */
export function uniquePrefix(label = 't'): string {
  const safe = label.replace(/[^A-Za-z0-9_-]/g, '-');
  return `${safe}-${process.pid.toString(36)}${randomBytes(4).toString('hex')}-`;
}

/** Deletes every key that starts with `prefix` (SCAN + UNLINK, never KEYS). Returns how many. */
export async function deleteKeysByPrefix(redis: Redis, prefix: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
