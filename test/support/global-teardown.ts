import type { RedisServerHandle } from '@failback/sandbox';

/** Jest globalTeardown: stops the redis-server that global-setup.ts started (same process). */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { __failbackTestRedis?: RedisServerHandle };
  const server = holder.__failbackTestRedis;
  holder.__failbackTestRedis = undefined;
  await server?.stop();
}
