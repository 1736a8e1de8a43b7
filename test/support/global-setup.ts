import { type RedisServerHandle, RedisServerNotFoundError, startRedisServer } from '@failback/sandbox';

/**
 * Jest globalSetup: starts one private redis-server for the whole run and publishes its address as
 * `process.env.TEST_REDIS_URL`.
 *
 * Why process.env works: globalSetup runs in jest's parent process before the workers are forked,
 * and the workers inherit the parent's environment (globals set here do NOT reach test files; env
 * vars do — packages/slack-standin/test/transcript… does not need it, test/integration/… read it via
 * `testRedisUrl()` in ./redis.ts).
 *
 * An externally provided `TEST_REDIS_URL` is used as is. Without a redis-server binary the run
 * continues (unit tests need no Redis) and `testRedisUrl()` throws the install instructions.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_REDIS_URL) return;
  try {
    const server = await startRedisServer();
    (globalThis as { __failbackTestRedis?: RedisServerHandle }).__failbackTestRedis = server;
    process.env.TEST_REDIS_URL = server.url;
  } catch (err) {
    if (!(err instanceof RedisServerNotFoundError)) throw err;
    process.env.TEST_REDIS_UNAVAILABLE = err.message;
  }
}
