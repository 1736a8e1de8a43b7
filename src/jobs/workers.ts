import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { OpKind } from '../domain/run';
import { isComeBackLater, RunNotFoundError, SlackChannelUnavailableError } from '../errors';
import { inJobContext } from '../observability/log-context';
import type { WorkerMetrics } from '../observability/metrics';
import { syncRunMessages, type RunMessagesDeps } from '../slack/run-messages';
import { channelUnavailable } from '../slack/channel-refusal';
import { uploadRunReport } from '../slack/run-report-upload';
import { autoReprotect } from './auto-reprotect';
import { channelLost, recheckChannel, type ChannelWatchDeps } from './channel-watch';
import {
  AUTO_REPROTECT_JOB,
  cardJobSchema,
  CHANNEL_RECHECK_JOB,
  CHECKS_JOB,
  checksJobSchema,
  DIGEST_JOB,
  QUEUE,
  REMINDER_JOB,
  REPORT_JOB,
  reminderJobSchema,
  reportJobSchema,
  stepJobSchema,
} from './queues';
import { sendCommitReminder, type CommitReminderDeps } from '../slack/commit-reminder';
import { runStep, type StepDeps } from './step-processor';
import { watchTick, type WatchDeps } from './watch-processor';
import { runChecksRound, type ChecksStepDeps } from './app-checks-step';
import { postReadinessDigest, type DigestDeps } from '../slack/readiness-messages';

export interface WorkerTuning {
  /** BullMQ lock: a step whose process died is taken over after about this long. */
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
}

/**
 * BullMQ retries with our own delays: ARM's Retry-After when it sent one, otherwise exponential
 * back-off up to a minute.
 */
export function backoffDelay(attemptsMade: number, err: unknown): number {
  const retryAfter = (err as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  if (typeof retryAfter === 'number' && retryAfter > 0) return retryAfter;
  return Math.min(60_000, 500 * 2 ** Math.max(0, attemptsMade - 1));
}

const OP_KINDS: readonly OpKind[] = ['failover', 'commit', 'reprotect'];

/** Times one step job for the step-duration histogram. */
async function timed(metrics: WorkerMetrics | undefined, step: OpKind, fn: () => Promise<void>): Promise<void> {
  const done = metrics?.stepTimer(step);
  try {
    await fn();
    done?.('ok');
  } catch (e) {
    done?.(isComeBackLater(e) ? 'deferred' : 'error');
    throw e;
  }
}

/**
 * Runs a job; when it asks to come back later (another process holds the card, Slack asked to
 * wait, a retry ran early, another worker issues the operation) it is moved to the delayed set for
 * that long, without using up an attempt. (BullMQ's delays run on the real clock.)
 */
async function orLater(job: Job, token: string | undefined, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (isComeBackLater(e) && token) {
      await job.moveToDelayed(Date.now() + e.retryAfterMs, token);
      throw new DelayedError();
    }
    throw e;
  }
}

export interface WorkerDeps {
  steps: StepDeps;
  watch: WatchDeps;
  messages: RunMessagesDeps;
  /** A run's channel that Slack refuses: the run held, people told, the channel looked at again. */
  channels?: ChannelWatchDeps | undefined;
  /** Commit reminders (the slack queue's `commit-reminder` jobs). */
  reminders?: CommitReminderDeps | undefined;
  log: Logger;
  metrics?: WorkerMetrics | undefined;
  autoReprotect?: { readonly processServer: string; readonly windowMs: number } | undefined;
  /** Application checks (FAILBACK_CHECKS_FILE): rounds of a VM's checks, each scheduling the next. */
  checks?: (Omit<ChecksStepDeps, 'signal'> & { readonly schedule: NextChecksRound }) | undefined;
  /** The daily readiness digest (FAILBACK_READINESS_DIGEST_CHANNEL). */
  digest?: Omit<DigestDeps, 'signal'> | undefined;
}

type NextChecksRound = (runId: string, vmId: string, round: number, delayMs: number) => Promise<void>;

/** Starts the three workers of the worker role on `connection` (BullMQ `prefix`). `close()` them in shutdown. */
export function startWorkers(options: {
  readonly connection: ConnectionOptions;
  readonly prefix: string;
  readonly deps: WorkerDeps;
  readonly tuning: WorkerTuning;
}): Worker[] {
  const { connection, prefix, deps, tuning } = options;
  const common = {
    connection,
    prefix,
    lockDuration: tuning.lockDurationMs,
    stalledInterval: tuning.stalledIntervalMs,
    maxStalledCount: 5,
    settings: { backoffStrategy: (n: number, _t?: string, err?: Error) => backoffDelay(n, err) },
  };
  const unrecoverable = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      if (e instanceof RunNotFoundError || e instanceof SlackChannelUnavailableError)
        throw new UnrecoverableError(e.message);
      throw e;
    }
  };
  const checksJob = async (job: Job, signal?: AbortSignal): Promise<void> => {
    const checks = deps.checks;
    if (!checks) return;
    const { runId, vmId } = checksJobSchema.parse(job.data);
    const next = await runChecksRound({ ...checks, signal }, runId, vmId);
    if (next.again) await checks.schedule(runId, vmId, next.round, next.delayMs);
  };
  const steps = new Worker(
    QUEUE.steps,
    inJobContext(async (job: Job, token?: string, signal?: AbortSignal) => {
      if (job.name === CHECKS_JOB) return checksJob(job, signal);
      // Not in the watch queue: a digest of a large vault takes minutes and must not hold the watcher.
      if (job.name === DIGEST_JOB) return deps.digest && postReadinessDigest({ ...deps.digest, signal });
      const { runId } = stepJobSchema.parse(job.data);
      if (job.name === AUTO_REPROTECT_JOB && deps.autoReprotect) {
        const auto = deps.autoReprotect;
        return unrecoverable(() =>
          autoReprotect({ ...deps.steps, reprotectRetryWindowMs: auto.windowMs }, runId, auto.processServer),
        );
      }
      const step = OP_KINDS.find((k) => k === job.name);
      if (!step) throw new UnrecoverableError(`unknown step ${job.name}`);
      // A delayed first attempt of a reprotect job is a retry after waiting for the VM's agent.
      if (step === 'reprotect' && (job.opts.delay ?? 0) > 0 && job.attemptsMade === 0 && job.attemptsStarted <= 1)
        deps.metrics?.reprotectRetry();
      await orLater(job, token, () =>
        timed(deps.metrics, step, () => unrecoverable(() => runStep(deps.steps, runId, step, signal))),
      );
    }),
    { ...common, concurrency: 8 },
  );
  const watch = new Worker(
    QUEUE.watch,
    inJobContext(async (_job: Job, _t?: string, signal?: AbortSignal) => watchTick(deps.watch, signal)),
    {
      ...common,
      concurrency: 1,
    },
  );
  /** The slack queue's jobs: card renders, report uploads, Commit reminders. */
  const slackJob = async (job: Job): Promise<void> => {
    const { runId } = stepJobSchema.parse(job.data); // every slack-queue job names its run
    try {
      if (job.name === REPORT_JOB) {
        const report = reportJobSchema.parse(job.data);
        await uploadRunReport(deps.messages, runId, report.key);
      } else if (job.name === CHANNEL_RECHECK_JOB) {
        if (deps.channels) await recheckChannel(deps.channels, runId, reminderJobSchema.parse(job.data).n);
      } else if (job.name === REMINDER_JOB) {
        const { n } = reminderJobSchema.parse(job.data);
        if (deps.reminders) await sendCommitReminder(deps.reminders, runId, n);
      } else {
        await syncRunMessages(deps.messages, cardJobSchema.parse(job.data).runId);
      }
    } catch (e) {
      const refused = await channelUnavailable(deps.messages, runId, e);
      if (refused instanceof SlackChannelUnavailableError && deps.channels)
        await channelLost(deps.channels, runId, refused.slackError);
      throw refused;
    }
  };
  const slack = new Worker(
    QUEUE.slack,
    inJobContext(async (job: Job, token?: string) => orLater(job, token, () => unrecoverable(() => slackJob(job)))),
    { ...common, concurrency: 8 },
  );
  for (const w of [steps, watch, slack]) {
    w.on('failed', (job, err) => {
      const expected = isComeBackLater(err);
      const level = expected ? 'debug' : 'warn';
      deps.log[level](
        {
          err,
          queue: w.name,
          jobId: job?.id,
          runId: (job?.data as { runId?: unknown } | undefined)?.runId,
          attempts: job?.attemptsMade,
        },
        'job attempt failed',
      );
      // finishedOn is set only when the job failed for good; otherwise BullMQ tries it again.
      deps.metrics?.jobAttemptFailed(w.name, job !== undefined && !job.finishedOn, expected);
    });
    w.on('error', (err) => deps.log.error({ err, queue: w.name }, 'worker error'));
  }
  return [steps, watch, slack];
}
