import type { Server } from 'node:http';
import type { App } from '@slack/bolt';
import type { BotDeps } from '../bot/deps';
import { registerListeners } from '../bot/listeners';
import { asrJobLink } from '../bot/views/portal-link';
import { slackLogContext } from '../observability/slack-context';
import { ApproverDirectory } from '../slack/approvers';
import { boltApp } from '../slack/bolt-app';
import { FactsCache } from '../store/facts-cache';
import type { Core } from './core';

/** The web role: the Bolt app (HTTP receiver or Socket Mode) with the listeners, and health on its port. */
export async function startWebRole(core: Core): Promise<{ app: App; server: Server | undefined }> {
  const { config, log, now, metrics } = core;
  const app = boltApp(config, log, core.health);
  metrics.watchSlackClient(app.client);
  // First: every listener runs inside the request's log context.
  app.use(slackLogContext((c) => metrics.watchSlackClient(c)));
  const deps: BotDeps = {
    estate: core.estate,
    store: core.store,
    facts: new FactsCache({ redis: core.redis, prefix: core.prefix, now }),
    queues: core.queues,
    effects: core.effects,
    approvers: new ApproverDirectory({ client: core.client, groups: config.policy.approverGroups, log, now }),
    policy: { ...config.policy },
    jobLink: asrJobLink(config.azure.armEndpoint),
    reprotectRetryWindowMs: config.timing.reprotectRetryWindowMs,
    storeReady: () => core.redis.status === 'ready',
    now,
    log,
    shutdown: core.listenerReads.signal,
  };
  registerListeners(app, deps);
  app.error(async (err) => {
    log.error({ err }, 'unhandled error in a Slack listener');
  });
  const started = (await app.start(config.port)) as unknown;
  return {
    app,
    server: started && typeof (started as Server).address === 'function' ? (started as Server) : undefined,
  };
}
