import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { findFreePort, startRedisServer, type RedisServerHandle } from '../../src/sandbox/redis-server';
import { startSandboxWorld, type SandboxWorld } from '../../src/sandbox/world';
import { startBotProcess, type BotProcess } from '../support/bot-process';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

const MAIN = resolve(__dirname, '../../dist/main.js');

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => done({ code, stderr }));
  });
}

const status = (port: number, path: string, method = 'GET') =>
  fetch(`http://127.0.0.1:${port}${path}`, { method }).then(
    (r) => r.status,
    () => 0,
  );

describe('start-up with an invalid configuration', () => {
  it('stops with one message naming every bad or missing variable, and serves nothing', async () => {
    const port = await findFreePort();
    const { code, stderr } = await runMain({
      SLACK_SIGNING_SECRET: 's',
      AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
      AZURE_RESOURCE_GROUP: 'rg',
      FAILBACK_APPROVERS: 'U0APPROVER',
      FAILBACK_ROLE: 'boss',
      PORT: String(port),
    });
    expect(code).not.toBe(0);
    for (const v of ['SLACK_BOT_TOKEN', 'AZURE_RECOVERY_VAULT', 'FAILBACK_ROLE']) expect(stderr).toContain(v);
    expect(await status(port, '/healthz')).toBe(0);
  });
});

describe('a running bot process', () => {
  let world: SandboxWorld;
  let redis: RedisServerHandle;
  let bot: BotProcess | undefined;

  beforeEach(async () => {
    redis = await startRedisServer();
    world = await startSandboxWorld({ redisUrl: redis.url });
  });

  afterEach(async () => {
    await bot?.kill();
    bot = undefined;
    await world.stop();
    await redis.stop().catch(() => undefined);
  });

  it('is healthy, and ready only while Redis answers', async () => {
    bot = await startBotProcess(world.env);
    expect(await status(bot.port, '/healthz')).toBe(200);
    expect(await status(bot.port, '/readyz')).toBe(200);
    await redis.stop();
    await waitFor(async () => (await status(bot!.port, '/readyz')) === 503, { message: '/readyz says 503 without Redis' });
    expect(await status(bot.port, '/healthz')).toBe(200);
  });

  it('as a worker serves health but no Slack endpoint', async () => {
    bot = await startBotProcess({ ...world.env, FAILBACK_ROLE: 'worker' });
    expect(await status(bot.port, '/healthz')).toBe(200);
    expect(await status(bot.port, '/slack/events', 'POST')).toBe(404);
  });

  it('exits cleanly on SIGTERM', async () => {
    bot = await startBotProcess({ ...world.env, SHUTDOWN_TIMEOUT_SECONDS: '10' });
    const started = Date.now();
    const code = await bot.kill('SIGTERM');
    bot = undefined;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
