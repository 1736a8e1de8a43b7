import { isRedisInstance, Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { OpKind } from '../domain/run';
import { FINAL_REPORT_KEY } from '../store/message-ledger';

export const QUEUE = { steps: 'fb-steps', watch: 'fb-watch', slack: 'fb-slack' } as const;

export const AUTO_REPROTECT_JOB = 'auto-reprotect';
/** A run report upload in the slack queue (its other jobs render cards). */
export const REPORT_JOB = 'report';
export { FINAL_REPORT_KEY };

/** A look at whether a run's lost channel takes the bot's messages again (the n-th of the run). */
export const CHANNEL_RECHECK_JOB = 'channel-recheck';

/** A round of a VM's application checks in the steps queue (the n-th of that VM). */
export const CHECKS_JOB = 'app-checks';
export const checksJobSchema = z.object({
  runId: z.string().regex(/^FB-\d+$/),
  vmId: z.string().min(1),
  round: z.number().int().nonnegative(),
});
/** The daily readiness digest in the steps queue (a job scheduler; it may take minutes on a large vault). */
export const DIGEST_JOB = 'readiness-digest';

/** A Commit reminder in the slack queue: the n-th one of a run. */
export const REMINDER_JOB = 'commit-reminder';
export const reminderJobSchema = z.object({ runId: z.string().regex(/^FB-\d+$/), n: z.number().int().positive() });

export const stepJobSchema = z.object({ runId: z.string().regex(/^FB-\d+$/) });
export const cardJobSchema = z.object({ runId: z.string().regex(/^FB-\d+$/), version: z.number().int() });
export type StepJob = z.infer<typeof stepJobSchema>;
export type CardJob = z.infer<typeof cardJobSchema>;
export const reportJobSchema = z.object({ runId: z.string().regex(/^FB-\d+$/), key: z.string().min(1) });
export type ReportJob = z.infer<typeof reportJobSchema>;

/** Deterministic job ids: a double click, a Slack retry or a second process cannot enqueue a step twice. */
export const stepJobId = (runId: string, step: OpKind, key?: string) => `run-${runId}-${step}${key ? `-${key}` : ''}`;
export const cardJobId = (runId: string, version: number) => `card-${runId}-v${version}`;

const STEP_OPTIONS: JobsOptions = {
  attempts: 50,
  backoff: { type: 'asr' },
  // Steps are idempotent (read-before-issue, state machine), so a finished one needs no record:
  // the run's audit trail has what happened.
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
};
const CARD_OPTIONS: JobsOptions = {
  attempts: 20,
  backoff: { type: 'asr' },
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600 },
};

/**
 * The producer side of the queues, used by listeners and processors alike. On Redis Cluster the
 * `prefix` must be a hash tag (`{fb}`) so that each queue's keys share a slot (see store/keys.ts).
 */
export class FailbackQueues {
  readonly steps: Queue;
  readonly watch: Queue;
  readonly slack: Queue;
  private readonly connection: ConnectionOptions;
  private readonly ownsConnection: boolean;

  constructor({
    connection,
    prefix,
    ownsConnection = false,
  }: {
    /** Options (each queue connects on its own) or one connection the three queues share. */
    readonly connection: ConnectionOptions;
    readonly prefix: string;
    /** The connection was made for the queues: `close()` closes it too. */
    readonly ownsConnection?: boolean;
  }) {
    this.connection = connection;
    this.ownsConnection = ownsConnection;
    // BullMQ's event stream is for dashboards; nothing here reads it: keep it short (default 10 000).
    const options = { connection, prefix, streams: { events: { maxLen: 100 } } };
    this.steps = new Queue(QUEUE.steps, options);
    this.watch = new Queue(QUEUE.watch, options);
    this.slack = new Queue(QUEUE.slack, options);
  }

  /** `key` tells attempts of one step apart (reprotect retries); `delayMs` schedules it (kept in Redis). */
  async enqueueStep(
    runId: string,
    step: OpKind,
    options: { key?: string | undefined; delayMs?: number } = {},
  ): Promise<void> {
    await this.steps.add(step, { runId } satisfies StepJob, {
      ...STEP_OPTIONS,
      jobId: stepJobId(runId, step, options.key),
      delay: Math.max(0, options.delayMs ?? 0),
    });
  }

  async enqueueAutoReprotect(runId: string): Promise<void> {
    await this.steps.add(AUTO_REPROTECT_JOB, { runId } satisfies StepJob, {
      ...STEP_OPTIONS,
      jobId: `run-${runId}-autoreprotect`,
    });
  }

  /** The `round`-th round of a VM's application checks, after `delayMs` (a delayed job: it survives restarts). */
  async enqueueChecks(runId: string, vmId: string, round: number, delayMs: number): Promise<void> {
    const vmKey = createHash('sha1').update(vmId.toLowerCase()).digest('hex').slice(0, 12);
    await this.steps.add(
      CHECKS_JOB,
      { runId, vmId, round },
      {
        ...STEP_OPTIONS,
        attempts: 5,
        jobId: `checks-${runId}-${vmKey}-${round}`,
        delay: Math.max(0, delayMs),
      },
    );
  }

  async enqueueCard(runId: string, version: number, delayMs: number): Promise<void> {
    await this.slack.add('card', { runId, version } satisfies CardJob, {
      ...CARD_OPTIONS,
      jobId: cardJobId(runId, version),
      delay: Math.max(0, delayMs),
    });
  }

  /**
   * Uploads the run's report to its thread: `FINAL_REPORT_KEY` when the run closes (once), or a key
   * per request (the Slack trigger of a command or click, so a Slack retry does not upload twice).
   */
  async enqueueReport(runId: string, key: string): Promise<void> {
    const safeKey = key.replace(/[^\w.-]/g, '_');
    await this.slack.add(REPORT_JOB, { runId, key: safeKey } satisfies ReportJob, {
      ...CARD_OPTIONS,
      jobId: `report-${runId}-${safeKey}`,
      // The final report's own marker keeps it single; a request's job id does, for an hour.
      removeOnComplete: safeKey === FINAL_REPORT_KEY ? true : { age: 3600 },
    });
  }

  /** The n-th Commit reminder of a run, after `delayMs` (a delayed job: it survives restarts). */
  async enqueueReminder(runId: string, n: number, delayMs: number): Promise<void> {
    await this.slack.add(
      REMINDER_JOB,
      { runId, n },
      { ...CARD_OPTIONS, jobId: `reminder-${runId}-${n}`, delay: Math.max(0, delayMs) },
    );
  }

  async enqueueChannelRecheck(runId: string, n: number, delayMs: number): Promise<void> {
    await this.slack.add(
      CHANNEL_RECHECK_JOB,
      { runId, n },
      { ...CARD_OPTIONS, jobId: `channel-${runId}-${n}`, delay: Math.max(0, delayMs) },
    );
  }

  /** One scheduler for the whole vault: every poll interval one worker reads all watched ASR jobs. */
  async scheduleWatcher(everyMs: number): Promise<void> {
    await this.watch.upsertJobScheduler(
      'asr-watch',
      { every: everyMs },
      { name: 'tick', opts: { removeOnComplete: true, removeOnFail: true } },
    );
  }

  /** The daily readiness digest at hh:mm UTC; `undefined` removes a schedule set before. */
  async scheduleDigest(at: { readonly hour: number; readonly minute: number } | undefined): Promise<void> {
    if (!at) {
      await this.steps.removeJobScheduler(DIGEST_JOB);
      return;
    }
    await this.steps.upsertJobScheduler(
      DIGEST_JOB,
      { pattern: `${at.minute} ${at.hour} * * *`, tz: 'UTC' },
      { name: DIGEST_JOB, opts: { removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 }, attempts: 3 } },
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.steps.close(), this.watch.close(), this.slack.close()]);
    // BullMQ leaves a connection it was given open.
    if (this.ownsConnection && isRedisInstance(this.connection)) this.connection.disconnect();
  }
}
