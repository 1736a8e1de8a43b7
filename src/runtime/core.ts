import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { DefaultAzureCredential } from '@azure/identity';
import { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AsrGateway } from '../azure/gateway';
import { armScope, SdkAsrGateway } from '../azure/sdk-gateway';
import type { Config } from '../config';
import type { RunEvent } from '../domain/run-machine';
import { changeRun, type ChangeResult } from '../jobs/change-run';
import { EffectRunner } from '../jobs/effects';
import { FailbackQueues } from '../jobs/queues';
import type { WorkerTuning } from '../jobs/workers';
import { observabilityRoutes, type Route } from '../observability/http-routes';
import { FailbackMetrics } from '../observability/metrics';
import { Readiness } from '../observability/readiness';
import { MessageLedger } from '../store/message-ledger';
import { RunStore } from '../store/run-store';

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

/** What both roles share: Redis, the run store, queues, the ASR gateway, effects, metrics, health. */
export interface Core {
  readonly config: Config;
  readonly log: Logger;
  readonly prefix: string;
  readonly now: () => number;
  readonly redis: Redis;
  readonly store: RunStore;
  readonly ledger: MessageLedger;
  readonly queues: FailbackQueues;
  readonly gateway: AsrGateway;
  readonly effects: EffectRunner;
  readonly metrics: FailbackMetrics;
  /** The Web API client of jobs (quick retries; BullMQ retries the job). */
  readonly client: WebClient;
  /** The one way to change a run (state machine, trail, effects). */
  readonly change: (runId: string, event: RunEvent) => Promise<ChangeResult>;
  readonly health: Route[];
  /** Aborted first at shutdown: ARM reads a Slack listener started end instead of holding the exit. */
  readonly listenerReads: AbortController;
}

export async function buildCore(config: Config, options: RuntimeOptions): Promise<Core> {
  const { log } = options;
  const prefix = options.prefix ?? 'fb';
  const now = options.now ?? Date.now;
  // Web-facing commands fail fast when Redis is away instead of queueing past Slack's 3 s.
  const redis = new Redis(config.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    lazyConnect: true,
  });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection problem'));
  await redis.connect().catch((err) => log.error({ err }, 'redis not reachable at start'));

  const credential = options.credential ?? new DefaultAzureCredential();
  const store = new RunStore({ redis, prefix, retentionMs: config.timing.retentionMs, now });
  const ledger = new MessageLedger({ redis, prefix });
  const queues = new FailbackQueues({
    connection: { url: config.redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    prefix,
  });
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
  const effects = new EffectRunner({
    queues,
    ledger,
    minCardIntervalMs: options.minCardIntervalMs ?? 3000,
    now,
    autoReprotect: config.policy.autoReprotect !== undefined,
    commitReminderMs: config.timing.commitReminderMs,
  });
  const client = new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    // Inside jobs BullMQ retries: never let one 429 pause the client for minutes.
    retryConfig: { retries: 2, factor: 1.5, minTimeout: 200, maxTimeout: 2000 },
    rejectRateLimitedCalls: true,
  });
  metrics.watchSlackClient(client);
  const readiness = new Readiness({
    pingRedis: () => redis.ping(),
    credential,
    scope: armScope(config.azure.armEndpoint),
    log,
    now,
  });
  readiness.warm();
  return {
    config,
    log,
    prefix,
    now,
    redis,
    store,
    ledger,
    queues,
    gateway,
    effects,
    metrics,
    client,
    change: (runId, event) => changeRun({ store, effects, log }, runId, event),
    health: observabilityRoutes({ readiness, metrics, log }),
    listenerReads: new AbortController(),
  };
}
