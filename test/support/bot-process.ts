import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { findFreePort } from '../../src/sandbox/redis-server';
import { waitFor } from './wait-for';

/** The built bot (`dist/main.js`) as a real child process, to kill -9 and restart. */
export interface BotProcess {
  readonly port: number;
  readonly output: () => string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startBotProcess(env: Record<string, string>, port?: number): Promise<BotProcess> {
  const p = port ?? (await findFreePort());
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [resolve(__dirname, '../../dist/main.js')], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(p), LOG_LEVEL: process.env.BOT_LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`bot exited early:\n${out}`);
      const res = await fetch(`http://127.0.0.1:${p}/healthz`).catch(() => undefined);
      return res?.status === 200;
    },
    { timeoutMs: 20_000, intervalMs: 50, message: 'bot process healthy' },
  );
  return {
    port: p,
    output: () => out,
    async kill(signal = 'SIGKILL') {
      child.kill(signal);
      return exited;
    },
  };
}
