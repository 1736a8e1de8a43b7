import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { commitWaitingSince, opOutcomes, phaseOf, type OpKind, type Run, type RunPhase } from '../domain/run';
import { armMetricsPolicy, type ArmRequestFacts, type ArmRequestObserver } from './arm-metrics-policy';

/** Where the run gauges come from (the RunStore). */
export interface ActiveRunsSource {
  activeRunIds(): Promise<string[]>;
  get(runId: string): Promise<Run | undefined>;
}

/** Where the queue depth comes from (BullMQ queues). */
export interface QueueCountsSource {
  readonly name: string;
  getJobCounts(
    ...types: ('waiting' | 'active' | 'delayed' | 'prioritized' | 'failed')[]
  ): Promise<Record<string, number>>;
}

/** Anything that says when Slack rate-limited it (@slack/web-api's WebClient). */
export interface RateLimitEmitter {
  on(event: 'rate_limited', listener: (...args: unknown[]) => void): unknown;
}

/** What the step/watch/slack workers report. */
export interface WorkerMetrics {
  /** Starts timing one step job; call the result with how it ended. */
  stepTimer(step: OpKind): (outcome: StepOutcome) => void;
  /** A job attempt failed; `willRetry` when BullMQ tries it again, `busy` when that was expected. */
  jobAttemptFailed(queue: string, willRetry: boolean, busy: boolean): void;
  /** A reprotect attempt that waited for the VM's agent came due. */
  reprotectRetry(): void;
}

/** ok: the step did its work; deferred: busy or not due, comes back later; error: the attempt failed. */
export type StepOutcome = 'ok' | 'deferred' | 'error';

/** @slack/web-api's WebClientEvent.RATE_LIMITED. */
const SLACK_RATE_LIMITED = 'rate_limited';

const PHASES: Record<RunPhase, true> = {
  cancelled: true,
  'failing-over': true,
  'awaiting-commit': true,
  committing: true,
  'awaiting-reprotect': true,
  reprotecting: true,
  'reprotect-failed': true,
  done: true,
  failed: true,
};

/** A scrape reads at most this many active runs (the gauges say so when they were cut). */
const MAX_SCRAPED_RUNS = 500;
/** Gauges collected in one scrape share one read of the runs. */
const SNAPSHOT_TTL_MS = 1000;
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

interface RunsSnapshot {
  readonly byPhase: ReadonlyMap<RunPhase, number>;
  readonly awaitingCommit: number;
  readonly oldestApprovalWaitSeconds: number;
  readonly truncated: boolean;
}

export interface FailbackMetricsOptions {
  readonly runs: ActiveRunsSource;
  readonly queues: readonly QueueCountsSource[];
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * The bot's Prometheus metrics, on a registry of its own (several runtimes may share a process in
 * tests). Counters and histograms are fed by the workers, the ARM pipeline policy and the Slack
 * clients; gauges about runs and queues are read from Redis when scraped.
 */
export class FailbackMetrics implements WorkerMetrics, ArmRequestObserver {
  readonly registry = new Registry();
  private readonly stepDuration: Histogram<'step' | 'outcome'>;
  private readonly armDuration: Histogram<'method' | 'operation' | 'status_class'>;
  private readonly armErrors: Counter<'method' | 'operation' | 'status_class'>;
  private readonly throttled: Counter<'service'>;
  private readonly retries: Counter<'queue' | 'reason'>;
  private readonly reprotectRetries: Counter;
  private readonly asrOperations: Counter<'op' | 'outcome'>;
  private readonly asrOperationDuration: Histogram<'op' | 'outcome'>;
  private readonly watchedClients = new WeakSet<object>();
  private snapshot: { at: number; value: Promise<RunsSnapshot | undefined> } | undefined;

  constructor(private readonly options: FailbackMetricsOptions) {
    const registers = [this.registry];
    // Process metrics keep their standard names (process_*, nodejs_*), so stock dashboards work.
    collectDefaultMetrics({ register: this.registry });
    this.stepDuration = new Histogram({
      name: 'failback_step_duration_seconds',
      help: 'Time one step job (failover, commit, reprotect) took to issue or follow its ASR operations, by outcome.',
      labelNames: ['step', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.armDuration = new Histogram({
      name: 'failback_arm_request_duration_seconds',
      help: 'Latency of each HTTP attempt to ARM (ASR), by method, operation (resource types), status class, vault and subscription.',
      labelNames: ['method', 'operation', 'status_class', 'vault', 'subscription'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.armErrors = new Counter({
      name: 'failback_arm_request_errors_total',
      help: 'ARM attempts answered 4xx/5xx or never answered (status_class "network"), by vault and subscription too.',
      labelNames: ['method', 'operation', 'status_class', 'vault', 'subscription'],
      registers,
    });
    this.throttled = new Counter({
      name: 'failback_throttled_total',
      help: 'Answers 429 (rate limited) from ARM or Slack.',
      labelNames: ['service'],
      registers,
    });
    this.retries = new Counter({
      name: 'failback_job_retries_total',
      help: 'Job attempts that failed and will be retried, by queue; reason "busy" is expected (locked, not due yet).',
      labelNames: ['queue', 'reason'],
      registers,
    });
    this.reprotectRetries = new Counter({
      name: 'failback_reprotect_retries_total',
      help: 'Reprotect attempts made again after waiting for the VM agent to register.',
      registers,
    });
    this.asrOperations = new Counter({
      name: 'failback_asr_operations_total',
      help: 'ASR operations (failover, commit, reprotect per VM) that ended, by outcome; "retry" waits for the VM agent and tries again.',
      labelNames: ['op', 'outcome'],
      registers,
    });
    this.asrOperationDuration = new Histogram({
      name: 'failback_asr_operation_duration_seconds',
      help: 'From issuing an ASR operation on a VM to ASR reporting its end (the ASR job), by outcome.',
      labelNames: ['op', 'outcome'],
      buckets: [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200],
      registers,
    });
    for (const service of ['arm', 'slack']) this.throttled.inc({ service }, 0);
    this.registerRunGauges(registers);
    this.registerQueueGauge(registers);
  }

  /** Prometheus text exposition of every metric. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  stepTimer(step: OpKind): (outcome: StepOutcome) => void {
    const end = this.stepDuration.startTimer({ step });
    return (outcome) => void end({ outcome });
  }

  jobAttemptFailed(queue: string, willRetry: boolean, busy: boolean): void {
    if (willRetry) this.retries.inc({ queue, reason: busy ? 'busy' : 'error' });
  }

  reprotectRetry(): void {
    this.reprotectRetries.inc();
  }

  /** Feeds the ASR operation series from a saved change of a run (RunStore.onChange). */
  runChanged(before: Run, after: Run): void {
    for (const o of opOutcomes(before, after)) {
      this.asrOperations.inc({ op: o.op, outcome: o.outcome });
      if (o.outcome !== 'retry' && o.seconds !== undefined)
        this.asrOperationDuration.observe({ op: o.op, outcome: o.outcome }, o.seconds);
    }
  }

  armRequest({ method, operation, status, seconds, vault, subscription }: ArmRequestFacts): void {
    const statusClass = status === undefined ? 'network' : `${Math.floor(status / 100)}xx`;
    const labels = { method, operation, status_class: statusClass, vault, subscription };
    this.armDuration.observe(labels, seconds);
    if (status === undefined || status >= 400) this.armErrors.inc(labels);
    if (status === 429) this.throttled.inc({ service: 'arm' });
  }

  /** The pipeline policy that feeds the ARM series; add it after the SDK's retry phase. */
  armPolicy(): PipelinePolicy {
    return armMetricsPolicy(this);
  }

  /** Counts Slack 429s seen by this client (each client once). */
  watchSlackClient(client: RateLimitEmitter): void {
    if (this.watchedClients.has(client)) return;
    this.watchedClients.add(client);
    client.on(SLACK_RATE_LIMITED, () => this.throttled.inc({ service: 'slack' }));
  }

  private registerRunGauges(registers: Registry[]): void {
    const runs = new Gauge({
      name: 'failback_runs',
      help: 'Active runs by phase.',
      labelNames: ['phase'],
      registers,
      collect: async () => {
        const snap = await this.runsSnapshot();
        runs.reset();
        if (!snap) return;
        for (const phase of Object.keys(PHASES) as RunPhase[]) runs.set({ phase }, snap.byPhase.get(phase) ?? 0);
      },
    });
    const waiting = new Gauge({
      name: 'failback_approvals_waiting',
      help: 'Runs whose failover ended and that wait for an approver to commit.',
      registers,
      collect: async () => {
        const snap = await this.runsSnapshot();
        waiting.reset();
        if (snap) waiting.set(snap.awaitingCommit);
      },
    });
    const oldest = new Gauge({
      name: 'failback_approval_wait_seconds_max',
      help: 'How long the longest-waiting run has waited for its commit approval (0 when none waits).',
      registers,
      collect: async () => {
        const snap = await this.runsSnapshot();
        oldest.reset();
        if (snap) oldest.set(snap.oldestApprovalWaitSeconds);
      },
    });
    const truncated = new Gauge({
      name: 'failback_runs_scrape_truncated',
      help: `1 when there were more than ${MAX_SCRAPED_RUNS} active runs and the run gauges count only those.`,
      registers,
      collect: async () => {
        const snap = await this.runsSnapshot();
        truncated.reset();
        if (snap) truncated.set(snap.truncated ? 1 : 0);
      },
    });
  }

  private registerQueueGauge(registers: Registry[]): void {
    const depth = new Gauge({
      name: 'failback_queue_jobs',
      help: 'Jobs in each BullMQ queue by state (the same in every process: aggregate with max).',
      labelNames: ['queue', 'state'],
      registers,
      collect: async () => {
        depth.reset();
        await Promise.all(
          this.options.queues.map(async (q) => {
            try {
              const counts = await q.getJobCounts(...QUEUE_STATES);
              for (const [state, n] of Object.entries(counts)) depth.set({ queue: q.name, state }, n);
            } catch (err) {
              this.options.log.debug({ err, queue: q.name }, 'metrics: could not read the queue counts');
            }
          }),
        );
      },
    });
  }

  /** One read of the active runs, shared by the gauges of one scrape. */
  private runsSnapshot(): Promise<RunsSnapshot | undefined> {
    const now = this.options.now();
    if (this.snapshot && now - this.snapshot.at < SNAPSHOT_TTL_MS) return this.snapshot.value;
    const value = this.readRuns(now).catch((err: unknown) => {
      this.options.log.debug({ err }, 'metrics: could not read the active runs');
      return undefined;
    });
    this.snapshot = { at: now, value };
    return value;
  }

  private async readRuns(now: number): Promise<RunsSnapshot> {
    const ids = await this.options.runs.activeRunIds();
    const runs = (await Promise.all(ids.slice(0, MAX_SCRAPED_RUNS).map((id) => this.options.runs.get(id)))).filter(
      (r): r is Run => !!r,
    );
    const byPhase = new Map<RunPhase, number>();
    let awaitingCommit = 0;
    let oldestWaitMs = 0;
    for (const run of runs) {
      const phase = phaseOf(run);
      byPhase.set(phase, (byPhase.get(phase) ?? 0) + 1);
      if (phase !== 'awaiting-commit') continue;
      awaitingCommit += 1;
      oldestWaitMs = Math.max(oldestWaitMs, now - Date.parse(commitWaitingSince(run)));
    }
    return {
      byPhase,
      awaitingCommit,
      oldestApprovalWaitSeconds: Math.max(0, oldestWaitMs) / 1000,
      truncated: ids.length > MAX_SCRAPED_RUNS,
    };
  }
}
