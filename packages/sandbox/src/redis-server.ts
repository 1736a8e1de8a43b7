import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Thrown when no `redis-server` executable can be found; the message says how to get one. */
export class RedisServerNotFoundError extends Error {
  override readonly name = 'RedisServerNotFoundError';
  readonly code = 'REDIS_SERVER_NOT_FOUND' as const;
  constructor(readonly searched: readonly string[]) {
    super(
      'redis-server was not found (looked in REDIS_SERVER_BIN and PATH). Install it: ' +
        '`sudo apt-get install -y redis-server` on Debian/Ubuntu, `brew install redis` on macOS; ' +
        'or set REDIS_URL to an existing Redis (version 6.2 or newer).',
    );
  }
}

/** Thrown when redis-server was started but did not come up (its log tail is in the message). */
export class RedisServerStartError extends Error {
  override readonly name = 'RedisServerStartError';
  readonly code = 'REDIS_SERVER_START_FAILED' as const;
}

/** Options for {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** `--appendonly yes` (AOF, survives kill/restart). Default false. */
  appendOnly?: boolean;
  /** Data directory. Default: a fresh temporary directory, removed by `stop()`. */
  dir?: string;
  /** Fixed port. Default: a free loopback port (retried if another process takes it first). */
  port?: number;
  /** How long to wait for PING to answer. Default 10 s. */
  startTimeoutMs?: number;
}

/** A private redis-server child process. */
export interface RedisServerHandle {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The data directory (AOF files live here when `appendOnly`). */
  readonly dir: string;
  /** Graceful shutdown (SIGTERM), waits for the exit, removes the temporary dir if it made one. */
  stop(): Promise<void>;
  /** Crash it (default SIGKILL), as a failure test would. Does not wait. */
  kill(signal?: NodeJS.Signals): void;
  /** Stop (if running) and start again on the same port and directory. */
  restart(): Promise<void>;
}

const FALLBACK_DIRS = ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin', '/usr/sbin'];

/**
 * Finds the `redis-server` executable: `REDIS_SERVER_BIN`, then `PATH`, then the usual install dirs.
 * @throws RedisServerNotFoundError with install instructions.
 */
export function findRedisServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  const candidates: string[] = [];
  if (env.REDIS_SERVER_BIN) candidates.push(env.REDIS_SERVER_BIN);
  for (const dir of [...(env.PATH ?? '').split(delimiter), ...FALLBACK_DIRS]) {
    if (dir) candidates.push(join(dir, 'redis-server'));
  }
  for (const candidate of candidates) {
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  throw new RedisServerNotFoundError(candidates);
}

/** Asks the OS for a free loopback port. Another process may take it before we bind: callers retry. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends one raw RESP `PING` and resolves true when `+PONG` comes back. */
export function pingRedis(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    let answer = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\r\n')) finish(answer.startsWith('+PONG'));
    });
  });
}

interface RunningChild {
  child: ChildProcess;
  exited: Promise<void>;
  logTail: () => string;
}

function spawnRedis(binary: string, port: number, dir: string, appendOnly: boolean): RunningChild {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    appendOnly ? 'yes' : 'no',
    '--dir',
    dir,
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
    '--protected-mode',
    'no',
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => {
      keep(Buffer.from(String(err)));
      resolve();
    });
  });
  return { child, exited, logTail: () => log };
}

/** Polls PING until it answers, the child exits, or the deadline passes. */
async function waitUntilReady(
  running: RunningChild,
  port: number,
  deadline: number,
): Promise<'ready' | 'exited' | 'timeout'> {
  let exited = false;
  void running.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) return 'exited';
    if (await pingRedis(port)) return 'ready';
    // A poll interval between PINGs, not a synchronisation sleep: the deadline decides.
    await new Promise((r) => setTimeout(r, 25));
  }
  return 'timeout';
}

/**
 * Starts a private `redis-server` on a free loopback port with no RDB snapshots,
 * `maxmemory-policy noeviction`, and AOF only when asked. Resolves once it answers PING.
 * The child is killed when this process exits.
 */
export async function startRedisServer(opts: StartRedisServerOptions = {}): Promise<RedisServerHandle> {
  const binary = findRedisServerBinary();
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'failback-redis-'));
  const appendOnly = opts.appendOnly ?? false;
  const startTimeoutMs = opts.startTimeoutMs ?? 10_000;
  let running: RunningChild | undefined;
  let port = opts.port ?? 0;

  const killOnExit = (): void => {
    running?.child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const launch = async (fixedPort: number | undefined): Promise<void> => {
    const attempts = fixedPort === undefined ? 5 : 1;
    let lastLog = '';
    for (let attempt = 0; attempt < attempts; attempt++) {
      const candidate = fixedPort ?? (await findFreePort());
      const next = spawnRedis(binary, candidate, dir, appendOnly);
      const outcome = await waitUntilReady(next, candidate, Date.now() + startTimeoutMs);
      if (outcome === 'ready') {
        running = next;
        port = candidate;
        return;
      }
      next.child.kill('SIGKILL');
      await next.exited;
      lastLog = next.logTail();
      if (outcome === 'timeout') break;
      // 'exited': most likely another process took the port between our probe and the bind.
    }
    throw new RedisServerStartError(`redis-server (${binary}) did not start. Last log lines:\n${lastLog.trim()}`);
  };

  const stopChild = async (): Promise<void> => {
    const current = running;
    running = undefined;
    if (!current || current.child.exitCode !== null || current.child.signalCode !== null) return;
    current.child.kill('SIGTERM');
    await current.exited;
  };

  await launch(opts.port);
  return {
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    dir,
    async stop() {
      await stopChild();
      process.off('exit', killOnExit);
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    },
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      running?.child.kill(signal);
    },
    async restart() {
      const current = running;
      if (current) {
        if (current.child.exitCode === null && current.child.signalCode === null) current.child.kill('SIGTERM');
        await current.exited;
      }
      running = undefined;
      await launch(port);
    },
  };
}
