import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis-connection';

const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/** Takes a short exclusive lock; its token, or undefined when someone else holds it. */
export async function acquireLock(redis: RedisClient, key: string, ttlMs: number): Promise<string | undefined> {
  const token = randomUUID();
  return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : undefined;
}

/** Releases a lock only if it is still ours (it may have expired and been taken by another). */
export async function releaseLock(redis: RedisClient, key: string, token: string): Promise<void> {
  await redis.eval(RELEASE, 1, key, token);
}
