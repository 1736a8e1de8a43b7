import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '@failback/slack-standin';
import { productRoot } from './product';
import { findFreePort } from './redis-server';

/** A built script (`dist/…`) as a real child process: the bot to kill -9 and restart, or a benchmark peer. */
export interface BotProcess {
  readonly port: number;
  readonly pid: number;
  readonly output: () => string;
  /** Resident set size now, in MiB (Linux /proc; 0 elsewhere). */
  rssMb(): number;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Where a built script is. The bot (`main.js`, or any product script) comes from the product build,
 * `npm run build` → dist/, as production runs it. The benchmark's peers (`bench/…`, e.g. its bare
 * Bolt app) are not product: the sandbox build compiles src/bench (`npm run build:sandbox` →
 * packages/sandbox/dist/src/bench/).
 */
export function builtScript(script: string): string {
  const root = productRoot();
  return script.startsWith('bench/') ? join(root, 'packages/sandbox/dist/src', script) : join(root, 'dist', script);
}

/** How to start a {@link startBotProcess} child beyond its environment. */
export interface BotProcessOptions {
  /** Node flags before the script, e.g. `['--cpu-prof', '--cpu-prof-dir=bench-out/cpu']`. */
  readonly execArgv?: readonly string[];
}

/**
 * Starts a built script (default the bot, `main.js`; see {@link builtScript}) with `env` on `port`
 * (default a free one) and waits until its `/healthz` answers 200.
 */
export async function startBotProcess(
  env: Record<string, string>,
  port?: number,
  script = 'main.js',
  options: BotProcessOptions = {},
): Promise<BotProcess> {
  const p = port ?? (await findFreePort());
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [...(options.execArgv ?? []), builtScript(script)], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...env,
      PORT: String(p),
      LOG_LEVEL: env.LOG_LEVEL ?? process.env.BOT_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await pollUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`${script} exited early:\n${out}`);
      const res = await fetch(`http://127.0.0.1:${p}/healthz`).catch(() => undefined);
      return res?.status === 200;
    },
    { timeoutMs: 20_000, intervalMs: 50, message: `${script} healthy` },
  );
  return {
    port: p,
    pid: child.pid ?? 0,
    output: () => out,
    rssMb() {
      try {
        const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        return kb ? Number(kb) / 1024 : 0;
      } catch {
        return 0;
      }
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}
