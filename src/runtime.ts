import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { DefaultAzureCredential } from '@azure/identity';
import type { App } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AsrGateway } from './azure/gateway';
import { armScope, SdkAsrGateway } from './azure/sdk-gateway';
import type { BotDeps } from './bot/deps';
import { registerListeners } from './bot/listeners';
import { asrJobLink } from './bot/views/portal-link';
import type { Config } from './config';
import { EffectRunner } from './jobs/effects';
import { FailbackQueues } from './jobs/queues';
import { startWorkers, type WorkerTuning } from './jobs/workers';
import { ApproverDirectory } from './slack/approvers';
import { FactsCache } from './store/facts-cache';
import { JobWatchList } from './store/job-watch';
import { RunStore } from './store/run-store';
import { reconcileActiveRuns } from './jobs/reconcile';
import { observabilityRoutes, serveRoutes } from './observability/http-routes';
import { FailbackMetrics } from './observability/metrics';
import { Readiness } from './observability/readiness';
import { slackLogContext } from './observability/slack-context';
import { boltApp } from './slack/bolt-app';

export interface RuntimeOptions {
  readonly log: Logger;
  /** Redis key and BullMQ prefix; tests give each run its own. */
  readonly prefix?: string;
  readonly credential?: TokenCredential;
  /** Extra Azure pipeline policies (the sandbox uses one to trust its self-signed certificate). */
  readonly azurePolicies?: readonly PipelinePolicy[];
  readonly gateway?: AsrGateway;
  readonly now?: () => number;
  readonly tuning?: WorkerTuning;
  /** At most one edit of a run card per this many ms (Slack's chat.update is ~50/min per workspace). */
  readonly minCardIntervalMs?: number;
}

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
  const { log } = options;
  const prefix = options.prefix ?? 'fb';
  const now = options.now ?? Date.now;
  const redisUrl = config.redisUrl;
  // Web-facing commands fail fast when Redis is away instead of queueing past Slack's 3 s.
  const redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2000, lazyConnect: true });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection problem'));
  await redis.connect().catch((err) => log.error({ err }, 'redis not reachable at start'));
  const queueConnection = { url: redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 1 } as const;
  const workerConnection = { url: redisUrl, maxRetriesPerRequest: null } as const;

  const credential = options.credential ?? new DefaultAzureCredential();
  const store = new RunStore(redis, prefix, config.timing.retentionMs);
  const queues = new FailbackQueues(queueConnection, prefix);
  // ARM reads started by Slack listeners (modal fills, recovery points) end when the runtime stops.
  const listenerReads = new AbortController();
  const metrics = new FailbackMetrics({ runs: store, queues: [queues.steps, queues.watch, queues.slack], now, log });
  store.onChange((before, after) => metrics.runChanged(before, after));
  const gateway =
    options.gateway ??
    new SdkAsrGateway({
      credential,
      subscriptionId: config.azure.subscriptionId,
      resourceGroup: config.azure.resourceGroup,
      vault: config.azure.vault,
      endpoint: config.azure.armEndpoint,
      extraPolicies: options.azurePolicies,
      attemptPolicies: [metrics.armPolicy()],
    });
  const effects = new EffectRunner(
    queues,
    redis,
    prefix,
    options.minCardIntervalMs ?? 3000,
    now,
    config.policy.autoReprotect !== undefined,
    config.timing.commitReminderMs,
  );
  const client = new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    // Inside jobs BullMQ retries: never let one 429 pause the client for minutes.
    retryConfig: { retries: 2, factor: 1.5, minTimeout: 200, maxTimeout: 2000 },
    rejectRateLimitedCalls: true,
  });
  metrics.watchSlackClient(client);
  const approvers = { users: config.policy.approverUsers, groups: config.policy.approverGroups };

  let workers: Worker[] = [];
  if (config.role !== 'web') {
    const workerDirectory = new ApproverDirectory(client, config.policy.approverGroups, log, now);
    const watch = new JobWatchList(redis, prefix);
    workers = startWorkers(
      workerConnection,
      prefix,
      {
        steps: {
          gateway,
          store,
          watch,
          effects,
          pollIntervalMs: config.timing.asrPollIntervalMs,
          reprotectRetryIntervalMs: config.timing.reprotectRetryIntervalMs,
          issueLockMs: Math.max(5_000, 2 * config.timing.jobLockMs),
          now,
          log,
        },
        watch: {
          gateway,
          store,
          watch,
          effects,
          now,
          reprotectRetryIntervalMs: config.timing.reprotectRetryIntervalMs,
          jobReadsPerPoll: config.timing.asrJobReadsPerPoll,
          outsideEveryMs: 4 * config.timing.asrPollIntervalMs,
          lastRead: new Map(),
          log,
        },
        messages: { client, redis, prefix, store, effects, approvers, jobLink: asrJobLink(config.azure), now, log },
        channels: {
          client,
          store,
          effects,
          approverUsers: async () => [...config.policy.approverUsers, ...(await workerDirectory.groupMembers())],
          scheduleRecheck: (runId, n, delayMs) => queues.enqueueChannelRecheck(runId, n, delayMs),
          recheckMs: 4 * config.timing.asrPollIntervalMs,
          now,
          log,
        },
        reminders: {
          client,
          redis,
          prefix,
          store,
          approvers,
          reminderMs: config.timing.commitReminderMs,
          scheduleReminder: (runId, n, delayMs) => queues.enqueueReminder(runId, n, delayMs),
          now,
          log,
        },
        log,
        metrics,
        autoReprotect: config.policy.autoReprotect && {
          processServer: config.policy.autoReprotect.processServer,
          windowMs: config.timing.reprotectRetryWindowMs,
        },
      },
      options.tuning ?? { lockDurationMs: config.timing.jobLockMs, stalledIntervalMs: Math.max(500, config.timing.jobLockMs / 2) },
    );
    await queues.scheduleWatcher(config.timing.asrPollIntervalMs).catch((err) => log.error({ err }, 'could not schedule the ASR watcher'));
    // Not awaited: start-up must not wait on ARM; the run's own jobs carry on meanwhile.
    void reconcileActiveRuns({ gateway, store, watch, queues, effects, now, log }).then(
      (summary) => log.info(summary, 'active runs reconciled with ASR'),
      (err: unknown) => log.warn({ err }, 'could not reconcile the active runs'),
    );
  }

  const readiness = new Readiness({ pingRedis: () => redis.ping(), credential, scope: armScope(config.azure.armEndpoint), log, now });
  readiness.warm();
  const health = observabilityRoutes({ readiness, metrics, log });
  let app: App | undefined;
  let server: Server | undefined;
  let port = config.port;
  if (config.role !== 'worker') {
    app = boltApp(config, log, health);
    metrics.watchSlackClient(app.client);
    // First: every listener runs inside the request's log context.
    app.use(slackLogContext((c) => metrics.watchSlackClient(c)));
    const deps: BotDeps = {
      gateway,
      store,
      facts: new FactsCache(redis, prefix),
      queues,
      effects,
      approvers: new ApproverDirectory(client, config.policy.approverGroups, log, now),
      policy: { ...config.policy },
      jobLink: asrJobLink(config.azure),
      reprotectRetryWindowMs: config.timing.reprotectRetryWindowMs,
      storeReady: () => redis.status === 'ready',
      now,
      log,
      shutdown: listenerReads.signal,
    };
    registerListeners(app, deps);
    app.error(async (err) => {
      log.error({ err }, 'unhandled error in a Slack listener');
    });
    const started = (await app.start(config.port)) as unknown;
    if (started && typeof (started as Server).address === 'function') server = started as Server;
  } else {
    server = createServer((req, res) => serveRoutes(health, req, res));
    await new Promise<void>((resolve) => server?.listen(config.port, resolve));
  }
  const addr = server?.address();
  if (addr && typeof addr === 'object') port = addr.port;
  log.info({ role: config.role, mode: config.slack.mode, port }, 'failback-bot started');

  return {
    port,
    async stop() {
      listenerReads.abort(new Error('failback-bot is shutting down'));
      if (app) await app.stop().catch((err) => log.warn({ err }, 'bolt stop failed'));
      else await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
      redis.disconnect();
      log.info('failback-bot stopped');
    },
  };
}
