import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import {
  chooseVms,
  findFreePort,
  openRequestModal,
  type RedisServerHandle,
  type SandboxWorld,
  startRedisServer,
  startSandboxWorld,
  submitRequest,
} from '@failback/sandbox';
import { waitFor } from '../support/wait-for';

// Needs `npm run build --silent` first: these tests run the built bot, `node dist/main.js`.
jest.setTimeout(60_000);

const MAIN = resolve(__dirname, '../../dist/main.js');

interface Child {
  readonly port: number;
  /** stdout and stderr so far. */
  readonly output: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  hasExited(): boolean;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `node dist/main.js` with exactly `env` (plus PATH/HOME) on `port`; does not wait for it. */
function spawnMain(env: Record<string, string>, port: number): Child {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    out += d.toString();
  });
  let done = false;
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      done = true;
      r(code);
    }),
  );
  return { port, output: () => out, stderr: () => err, exited, hasExited: () => done, kill: (s) => child.kill(s) };
}

/** Starts the bot and waits until `/healthz` answers 200. */
async function startMain(env: Record<string, string>): Promise<Child> {
  const bot = spawnMain(env, await findFreePort());
  await waitFor(
    async () => {
      if (bot.hasExited()) throw new Error(`bot exited early:\n${bot.output()}`);
      return (await status(bot.port, '/healthz')) === 200;
    },
    { timeoutMs: 20_000, intervalMs: 50, message: 'bot answers /healthz' },
  );
  return bot;
}

/** HTTP status of a request to the bot, or 0 when nothing answered. */
function status(port: number, path: string, init: RequestInit = {}): Promise<number> {
  return fetch(`http://127.0.0.1:${port}${path}`, init).then(
    (r) => r.status,
    () => 0,
  );
}

/** Whether anything accepts a TCP connection on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

let redis: RedisServerHandle;
let world: SandboxWorld;
const started: Child[] = [];

beforeAll(async () => {
  // Its own redis-server: bot processes use the production key prefix.
  redis = await startRedisServer();
  world = await startSandboxWorld({ redisUrl: redis.url, emulator: { taskMs: 1_500 } });
});

afterAll(async () => {
  await world.stop();
  await redis.stop();
});

afterEach(async () => {
  for (const bot of started.splice(0)) {
    if (!bot.hasExited()) bot.kill('SIGKILL');
    await bot.exited;
  }
});

const track = (bot: Child) => (started.push(bot), bot);

describe('when the configuration is invalid', () => {
  it('exits non-zero with one message naming every offending variable, and never listens', async () => {
    const port = await findFreePort();
    const { SLACK_BOT_TOKEN: _token, AZURE_RECOVERY_VAULT: _vault, ...rest } = world.env;
    const bot = track(spawnMain({ ...rest, FAILBACK_ROLE: 'boss', LOG_LEVEL: 'info' }, port));

    const code = await bot.exited;
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    const stderr = bot.stderr();
    for (const name of ['SLACK_BOT_TOKEN', 'AZURE_RECOVERY_VAULT', 'FAILBACK_ROLE']) expect(stderr).toContain(name);
    // One message: the three problems, and nothing about the variables that are fine.
    expect(stderr.match(/^\s+- /gm)).toHaveLength(3);
    expect(stderr).not.toMatch(/SLACK_SIGNING_SECRET|REDIS_URL|AZURE_SUBSCRIPTION_ID|FAILBACK_APPROVERS/);
    expect(stderr).not.toContain(world.env.SLACK_SIGNING_SECRET);
    expect(bot.output()).not.toContain('failback-bot started');
    expect(await listening(port)).toBe(false);
  });
});

describe('when the application checks file is invalid', () => {
  it('exits 2 with one message naming every bad line, and never listens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-checks-'));
    const file = join(dir, 'checks.yaml');
    writeFileSync(
      file,
      [
        'checks:',
        '  - name: web',
        '    vms: [web-01]',
        '    http: { url: ftp://web-01.corp.example/ }',
        '  - name: db',
        '    vms: [db-01]',
        '    tcp: { host: db-01.corp.example, port: 70000 }',
        '',
      ].join('\n'),
    );
    const port = await findFreePort();
    const bot = track(spawnMain({ ...world.env, FAILBACK_CHECKS_FILE: file }, port));
    expect(await bot.exited).toBe(2);
    const stderr = bot.stderr();
    expect(stderr).toMatch(/line 4 .*http/);
    expect(stderr).toMatch(/line 7 .*port/);
    expect(stderr).toContain('docs/app-checks.md');
    expect(await listening(port)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('when the bot runs in HTTP mode', () => {
  let ownRedis: RedisServerHandle | undefined;

  afterEach(async () => {
    await ownRedis?.stop();
    ownRedis = undefined;
  });

  it('is healthy, ready only while Redis answers, and ready again when Redis is back', async () => {
    ownRedis = await startRedisServer();
    const bot = track(await startMain({ ...world.env, REDIS_URL: ownRedis.url }));
    expect(await status(bot.port, '/healthz')).toBe(200);
    await waitFor(async () => (await status(bot.port, '/readyz')) === 200, {
      message: '/readyz 200 while Redis answers',
    });

    ownRedis.kill('SIGKILL');
    await waitFor(async () => (await status(bot.port, '/readyz')) === 503, { message: '/readyz 503 without Redis' });
    const body = (await (await fetch(`http://127.0.0.1:${bot.port}/readyz`)).json()) as Record<string, string>;
    expect(body).toMatchObject({ redis: 'unreachable' });
    expect(await status(bot.port, '/healthz')).toBe(200);
    expect(bot.hasExited()).toBe(false);

    await ownRedis.restart();
    await waitFor(async () => (await status(bot.port, '/readyz')) === 200, {
      timeoutMs: 15_000,
      message: '/readyz 200 once Redis is back',
    });
  });

  it('answers signed Slack requests on POST /slack/events', async () => {
    const bot = track(await startMain(world.env));
    world.slack.botUrl = `http://127.0.0.1:${bot.port}/slack/events`;
    const reply = await world.slack.sendCommand({ userId: 'U0RILEY', channelId: 'C0INCIDENT', text: 'help' });
    expect(reply.status).toBe(200);
    expect(JSON.stringify(reply.body)).toMatch(/commit/i);
  });
});

describe('when the bot runs as a worker only', () => {
  it('serves /healthz and does not answer POST /slack/events', async () => {
    const bot = track(await startMain({ ...world.env, FAILBACK_ROLE: 'worker' }));
    expect(await status(bot.port, '/healthz')).toBe(200);
    expect(await status(bot.port, '/readyz')).toBe(200);
    // A correctly signed Slack request: a 404 cannot be blamed on the signature.
    world.slack.botUrl = `http://127.0.0.1:${bot.port}/slack/events`;
    const reply = await world.slack.sendCommand({ userId: 'U0RILEY', channelId: 'C0INCIDENT', text: 'help' });
    expect(reply.status).toBe(404);
  });
});

describe('when the bot gets SIGTERM', () => {
  const timeoutSeconds = 8;

  it('stops cleanly with exit code 0 within SHUTDOWN_TIMEOUT_SECONDS while a failover runs', async () => {
    const bot = track(
      await startMain({ ...world.env, SHUTDOWN_TIMEOUT_SECONDS: String(timeoutSeconds), LOG_LEVEL: 'info' }),
    );
    world.slack.botUrl = `http://127.0.0.1:${bot.port}/slack/events`;
    const before = world.emulator.operationPosts('unplannedFailover').length;
    const { view } = await openRequestModal(world);
    const shown = await chooseVms(world, view, ['db-01']);
    expect((await submitRequest(world, shown, { vms: ['db-01'] })).responseAction).toBe('clear');
    await waitFor(() => world.emulator.operationPosts('unplannedFailover').length === before + 1, {
      message: 'failover POST',
    });
    expect(world.emulator.item('db-01')?.currentScenario.scenarioName).toBe('UnplannedFailover'); // still running

    const signalled = Date.now();
    bot.kill('SIGTERM');
    const code = await bot.exited;
    const tookMs = Date.now() - signalled;

    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(timeoutSeconds * 1000);
    // Exit 0 also happens when the event loop simply runs dry; the log proves stop() completed.
    expect(bot.output()).toContain('"msg":"shutting down"');
    expect(bot.output()).toContain('"msg":"failback-bot stopped"');
    expect(bot.output()).not.toContain('shutdown timed out');
    expect(await listening(bot.port)).toBe(false);
  });
});
