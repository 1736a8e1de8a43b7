import { createServer, type Server } from 'node:http';
import type { App } from '@slack/bolt';
import type { Worker } from 'bullmq';
import type { Config } from './config';
import { serveRoutes } from './observability/http-routes';
import { loadChecksFile } from './checks';
import { buildCore, type RuntimeOptions } from './runtime/core';
import { startWebRole } from './runtime/web-role';
import { startWorkerRole } from './runtime/worker-role';

export type { RuntimeOptions };

export interface Runtime {
  /** The port the HTTP server (Slack receiver and/or health) listens on. */
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Builds and starts the bot for `config.role`: the Slack receiver (web), the BullMQ workers
 * (worker), or both (all). Health is served in every role. `stop()` closes Bolt, then the workers,
 * then the queues, then Redis.
 */
export async function startRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  // A bad checks file stops the start (a ChecksFileError naming every bad line), before anything connects.
  const checks = options.checks ?? (config.checksFile ? await loadChecksFile(config.checksFile) : undefined);
  const core = await buildCore(config, { ...options, checks });
  const workers: Worker[] = config.role !== 'web' ? await startWorkerRole(core, options.tuning) : [];
  let app: App | undefined;
  let server: Server | undefined;
  if (config.role !== 'worker') {
    ({ app, server } = await startWebRole(core));
  } else {
    const health = createServer((req, res) => serveRoutes(core.health, req, res));
    await new Promise<void>((resolve) => health.listen(config.port, resolve));
    server = health;
  }
  const addr = server?.address();
  const port = addr && typeof addr === 'object' ? addr.port : config.port;
  core.log.info({ role: config.role, mode: config.slack.mode, port }, 'failback-bot started');

  return {
    port,
    async stop() {
      core.listenerReads.abort(new Error('failback-bot is shutting down'));
      if (app) await app.stop().catch((err) => core.log.warn({ err }, 'bolt stop failed'));
      else await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await Promise.all(workers.map((w) => w.close()));
      await core.queues.close();
      core.redis.disconnect();
      core.log.info('failback-bot stopped');
    },
  };
}
