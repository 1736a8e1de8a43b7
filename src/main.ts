import { ChecksFileError } from './checks';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logging';
import { startRuntime } from './runtime';

/** Composition root: the only place that reads process.env. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`failback-bot cannot start.\n${e.message}\nSee .env.example for every variable.\n`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config.logLevel);
  let runtime;
  try {
    runtime = await startRuntime(config, { log });
  } catch (e) {
    if (e instanceof ChecksFileError) {
      process.stderr.write(`failback-bot cannot start.\n${e.message}\nSee docs/app-checks.md for the format.\n`);
      process.exit(2);
    }
    throw e;
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.timing.shutdownTimeoutMs);
    timer.unref();
    runtime.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`failback-bot failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
