/**
 * `npm run sandbox`: rehearse a failback in your own Slack workspace, against the emulated vault —
 * no Azure account. The bot connects in Socket Mode with your app's tokens; the vault (classic and
 * modernized VMs, recovery plans) runs on loopback; Redis is a private redis-server unless REDIS_URL
 * is set. Stop it with Ctrl-C.
 *
 *   SLACK_BOT_TOKEN=xoxb-… SLACK_APP_TOKEN=xapp-… FAILBACK_APPROVERS=U… npm run sandbox
 */
import { startAsrEmulator, trustEmulatorPolicy } from '@failback/asr-emulator';
import { ConfigError, createLogger, loadConfig, startRuntime } from './product';
import { startRedisServer } from './redis-server';

/** What the person must provide; everything Azure-side comes from the emulator. */
const REQUIRED = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'FAILBACK_APPROVERS'] as const;

async function main(): Promise<void> {
  const missing = REQUIRED.filter((k) => (process.env[k] ?? '').trim() === '');
  if (missing.length > 0) {
    process.stderr.write(
      `npm run sandbox needs ${missing.join(', ')}.\n` +
        'Create the Slack app from slack-app-manifest.yml with Socket Mode on, install it, then run\n' +
        '  SLACK_BOT_TOKEN=xoxb-… SLACK_APP_TOKEN=xapp-… FAILBACK_APPROVERS=<your user id> npm run sandbox\n',
    );
    process.exit(2);
  }
  const redis = process.env.REDIS_URL ? undefined : await startRedisServer();
  const emulator = await startAsrEmulator({ taskMs: 1500, agentRegistrationDelayMs: 20_000 });
  const env = {
    SLACK_BOT_TOKEN: process.env.SLACK_BOT_TOKEN,
    SLACK_APP_TOKEN: process.env.SLACK_APP_TOKEN,
    SLACK_MODE: 'socket',
    FAILBACK_APPROVERS: process.env.FAILBACK_APPROVERS,
    FAILBACK_ALLOWED_CHANNELS: process.env.FAILBACK_ALLOWED_CHANNELS,
    FAILBACK_FOUR_EYES: process.env.FAILBACK_FOUR_EYES,
    REDIS_URL: process.env.REDIS_URL ?? redis?.url,
    AZURE_SUBSCRIPTION_ID: emulator.vault.subscriptionId,
    AZURE_RESOURCE_GROUP: emulator.vault.resourceGroup,
    AZURE_RECOVERY_VAULT: emulator.vault.name,
    AZURE_ARM_ENDPOINT: emulator.url,
    ASR_POLL_INTERVAL_SECONDS: '3',
    REPROTECT_RETRY_INTERVAL_SECONDS: '10',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  // The bot finds the emulator's managed identity the way it finds Azure's.
  process.env.IDENTITY_ENDPOINT = emulator.identity.endpoint;
  process.env.IDENTITY_HEADER = emulator.identity.header;
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`npm run sandbox cannot start.\n${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  // The bot's own logger: secrets redacted, run and Slack request ids on every line.
  const log = createLogger(config.logLevel);
  const runtime = await startRuntime(config, { log, azurePolicies: [trustEmulatorPolicy(emulator.caCertPem)] });
  process.stdout.write(
    'failback-bot is rehearsing against the emulated vault (classic: app-01, db-01, web-01; modernized: crm-01, crm-02;\n' +
      'plans: avs-failback-plan, avs-rcm-failback-plan). Type /failback in a channel the app is in. Ctrl-C stops it.\n',
  );
  const stop = async () => {
    await runtime.stop();
    await emulator.stop();
    await redis?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  process.stderr.write(`npm run sandbox failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
