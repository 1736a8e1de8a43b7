import { randomBytes } from 'node:crypto';
import { Cluster, type Redis } from 'ioredis';

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
 * A key prefix no other test (or parallel jest worker) uses, e.g. `{t-3f9a1c2b-}`: a hash tag, as the
 * bot's own prefix is (src/store/keys.ts), so `${prefix}:run:FB-1` is the bot's key and every key of
 * the test shares one slot on a Redis Cluster. Valid as a BullMQ `prefix`.
 */
export function uniquePrefix(label = 't'): string {
  const safe = label.replace(/[^A-Za-z0-9_-]/g, '-');
  return `{${safe}-${process.pid.toString(36)}${randomBytes(4).toString('hex')}-}`;
}

/**
 * Deletes every key that starts with `prefix` (SCAN + UNLINK, never KEYS), on each master of a
 * cluster. Returns how many.
 */
export async function deleteKeysByPrefix(redis: Redis | Cluster, prefix: string): Promise<number> {
  if (redis instanceof Cluster) {
    const counts = await Promise.all(redis.nodes('master').map((node) => deleteKeysByPrefix(node, prefix)));
    return counts.reduce((a, b) => a + b, 0);
  }
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    // One by one: on a cluster node, keys of different slots cannot go in one UNLINK.
    for (const key of keys) deleted += await redis.unlink(key);
  } while (cursor !== '0');
  return deleted;
}
