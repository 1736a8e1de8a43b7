import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { DefaultAzureCredential } from '@azure/identity';
import { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { ArmReadBudget, DEFAULT_ARM_READ_BUDGET } from '../azure/arm-budget-policy';
import { SdkAsrEstate, type AsrEstate } from '../azure/estate';
import { armScope } from '../azure/sdk-gateway';
import type { Config } from '../config';
import type { ChecksConfig } from '../domain/app-checks';
import type { RunEvent } from '../domain/run-machine';
import { changeRun, type ChangeResult } from '../jobs/change-run';
import { EffectRunner } from '../jobs/effects';
import { FailbackQueues } from '../jobs/queues';
import type { WorkerTuning } from '../jobs/workers';
import { observabilityRoutes, type Route } from '../observability/http-routes';
import { FailbackMetrics } from '../observability/metrics';
import { Readiness } from '../observability/readiness';
import { DEFAULT_KEY_PREFIX, keyPrefix } from '../store/keys';
import { MessageLedger } from '../store/message-ledger';
import { RedisConnections, type RedisClient } from '../store/redis-connection';
import { RunStore } from '../store/run-store';

export interface RuntimeOptions {
  readonly log: Logger;
  /** Redis key and BullMQ prefix, made a hash tag (`{fb}`, see store/keys.ts); tests give each run its own. */
  readonly prefix?: string;
  readonly credential?: TokenCredential;
  /** Extra Azure pipeline policies (the sandbox uses one to trust its self-signed certificate). */
  readonly azurePolicies?: readonly PipelinePolicy[];
  readonly estate?: AsrEstate;
  readonly now?: () => number;
  readonly tuning?: WorkerTuning;
  /** At most one edit of a run card per this many ms (Slack's chat.update is ~50/min per workspace). */
  readonly minCardIntervalMs?: number;
  /** The application checks, loaded from FAILBACK_CHECKS_FILE by startRuntime. */
  readonly checks?: ChecksConfig | undefined;
}

/** What both roles share: Redis, the run store, queues, the ASR gateway, effects, metrics, health. */
export interface Core {
  readonly config: Config;
  readonly log: Logger;
  readonly prefix: string;
  readonly now: () => number;
  readonly redis: RedisClient;
  /** Makes every other Redis connection (BullMQ workers' among them) as the store's was made. */
  readonly redisConnections: RedisConnections;
  readonly store: RunStore;
  readonly ledger: MessageLedger;
  readonly queues: FailbackQueues;
  /** Every vault the bot serves, each behind its gateway. */
  readonly estate: AsrEstate;
  readonly effects: EffectRunner;
  readonly metrics: FailbackMetrics;
  /** The Web API client of jobs (quick retries; BullMQ retries the job). */
  readonly client: WebClient;
  /** The one way to change a run (state machine, trail, effects). */
  readonly change: (runId: string, event: RunEvent) => Promise<ChangeResult>;
  readonly health: Route[];
  /** Aborted first at shutdown: ARM reads a Slack listener started end instead of holding the exit. */
  readonly listenerReads: AbortController;
  /** The application checks file, loaded and validated at start (FAILBACK_CHECKS_FILE). */
  readonly checks: ChecksConfig | undefined;
}

export async function buildCore(config: Config, options: RuntimeOptions): Promise<Core> {
  const { log } = options;
  const listenerReads = new AbortController();
  const prefix = keyPrefix(options.prefix ?? DEFAULT_KEY_PREFIX);
  const now = options.now ?? Date.now;
  const credential = options.credential ?? new DefaultAzureCredential();
  const redisConnections = await RedisConnections.open({ url: config.redisUrl, ...config.redis }, { credential, log });
  // Web-facing commands fail fast when Redis is away instead of queueing past Slack's 3 s.
  const redis = redisConnections.create('store');
  // Shutdown ends this connection last: the others still open (the one BullMQ's workers were given)
  // and the Entra token refresh end with it.
  redis.once('end', () => redisConnections.close());
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection problem'));
  await redis.connect().catch((err: unknown) => log.error({ err }, 'redis not reachable at start'));

  const store = new RunStore({ redis, prefix, retentionMs: config.timing.retentionMs, now });
  const ledger = new MessageLedger({ redis, prefix });
  const queues = new FailbackQueues({ connection: redisConnections.create('queue'), prefix, ownsConnection: true });
  const metrics = new FailbackMetrics({ runs: store, queues: [queues.steps, queues.watch, queues.slack], now, log });
  store.onChange((before, after) => metrics.runChanged(before, after));
  const estate =
    options.estate ??
    new SdkAsrEstate({
      credential,
      endpoint: config.azure.armEndpoint,
      vaults: config.azure.vaults,
      discoverIn: config.azure.discoverIn,
      // One budget per process for every vault: ARM counts reads per subscription, not per vault.
      extraPolicies: [...(options.azurePolicies ?? []), new ArmReadBudget(DEFAULT_ARM_READ_BUDGET).policy()],
      attemptPolicies: [metrics.armPolicy()],
      now,
      log,
    });
  // The vaults' regions (and discovered vaults) are what the first form shows: waited for, briefly.
  await keepEstateFresh(estate, config.azure.refreshMs, listenerReads.signal, log);
  const effects = new EffectRunner({
    queues,
    ledger,
    minCardIntervalMs: options.minCardIntervalMs ?? 3000,
    now,
    autoReprotect: config.policy.autoReprotect !== undefined,
    commitReminderMs: config.timing.commitReminderMs,
    appChecks: options.checks !== undefined,
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
    vaults: () => estate.access(),
  });
  readiness.warm();
  return {
    config,
    log,
    prefix,
    now,
    redis,
    redisConnections,
    store,
    ledger,
    queues,
    estate,
    effects,
    metrics,
    client,
    change: (runId, event) => changeRun({ store, effects, log }, runId, event),
    health: observabilityRoutes({ readiness, metrics, log }),
    listenerReads,
    checks: options.checks,
  };
}

/** How long start-up waits for the first read of the vaults; it goes on in the background after that. */
const FIRST_REFRESH_WAIT_MS = 3_000;

/**
 * Reads the vaults' regions and access now and every `everyMs`, discovering vaults where configured,
 * until `stop` is aborted (the runtime stops). Resolves when the first read is done, or after
 * FIRST_REFRESH_WAIT_MS: start-up never waits longer on ARM.
 */
async function keepEstateFresh(estate: AsrEstate, everyMs: number, stop: AbortSignal, log: Logger): Promise<void> {
  const refresh = () =>
    estate
      .refresh({ abortSignal: stop })
      .catch((err: unknown) => (stop.aborted ? undefined : log.warn({ err }, 'could not refresh the vaults')));
  const first = refresh();
  const timer = setInterval(() => void refresh(), everyMs);
  timer.unref();
  stop.addEventListener('abort', () => clearInterval(timer), { once: true });
  let wait: NodeJS.Timeout | undefined;
  await Promise.race([first, new Promise<void>((resolve) => (wait = setTimeout(resolve, FIRST_REFRESH_WAIT_MS)))]);
  clearTimeout(wait);
}
