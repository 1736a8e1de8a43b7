/**
 * The benchmark's baseline: a bare Bolt app on the same HTTP receiver that answers `/failback` the
 * way the bot's fast path does — `ack()`, then `views.open` with the bot's own loading modal — and
 * nothing else (no Redis, no ARM, no filling of the modal). The bot's ack latency is reported as a
 * ratio to this one's, measured in interleaved rounds of the same run.
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { loadingModal } from '../bot/views/request-modal';

async function main(): Promise<void> {
  const receiver = new HTTPReceiver({
    signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
    endpoints: '/slack/events',
    customRoutes: [{ path: '/healthz', method: ['GET'], handler: (_req, res) => res.writeHead(200).end('ok') }],
    logLevel: LogLevel.ERROR,
  });
  const app = new App({
    token: process.env.SLACK_BOT_TOKEN,
    receiver,
    logLevel: LogLevel.ERROR,
    // The bot's listener client options (src/slack/bolt-app.ts listenerClientOptions), copied so that
    // this process loads nothing of the product but the loading view.
    clientOptions: {
      slackApiUrl: process.env.SLACK_API_URL,
      timeout: 2_500,
      retryConfig: { retries: 1, factor: 1.5, minTimeout: 200, maxTimeout: 500 },
    },
  });
  app.command('/failback', async ({ ack, command, client }) => {
    await ack();
    // A refused open (an expired trigger) is what the bench counts as a lost modal, from the stand-in's
    // side; nothing to log here.
    await client.views.open({ trigger_id: command.trigger_id, view: loadingModal() }).catch(() => undefined);
  });
  await app.start(Number(process.env.PORT ?? 0));
  // A clean exit on SIGTERM, as the bot's: `--cpu-prof` writes its profile only then.
  process.once('SIGTERM', () => {
    void app.stop().finally(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
