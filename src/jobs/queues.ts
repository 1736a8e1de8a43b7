import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { z } from 'zod';
import type { OpKind } from '../domain/run';

export const QUEUE = { steps: 'fb-steps', watch: 'fb-watch', slack: 'fb-slack' } as const;

export const AUTO_REPROTECT_JOB = 'auto-reprotect';

export const stepJobSchema = z.object({ runId: z.string().regex(/^FB-\d+$/) });
export const cardJobSchema = z.object({ runId: z.string().regex(/^FB-\d+$/), version: z.number().int() });
export type StepJob = z.infer<typeof stepJobSchema>;
export type CardJob = z.infer<typeof cardJobSchema>;

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

/** The producer side of the queues, used by listeners and processors alike. */
export class FailbackQueues {
  readonly steps: Queue;
  readonly watch: Queue;
  readonly slack: Queue;

  constructor(connection: ConnectionOptions, prefix: string) {
    // BullMQ's event stream is for dashboards; nothing here reads it: keep it short (default 10 000).
    const options = { connection, prefix, streams: { events: { maxLen: 100 } } };
    this.steps = new Queue(QUEUE.steps, options);
    this.watch = new Queue(QUEUE.watch, options);
    this.slack = new Queue(QUEUE.slack, options);
  }

  /** `key` tells attempts of one step apart (reprotect retries); `delayMs` schedules it (kept in Redis). */
  async enqueueStep(runId: string, step: OpKind, options: { key?: string | undefined; delayMs?: number } = {}): Promise<void> {
    await this.steps.add(step, { runId } satisfies StepJob, {
      ...STEP_OPTIONS,
      jobId: stepJobId(runId, step, options.key),
      delay: Math.max(0, options.delayMs ?? 0),
    });
  }

  async enqueueAutoReprotect(runId: string): Promise<void> {
    await this.steps.add(AUTO_REPROTECT_JOB, { runId } satisfies StepJob, { ...STEP_OPTIONS, jobId: `run-${runId}-autoreprotect` });
  }

  async enqueueCard(runId: string, version: number, delayMs: number): Promise<void> {
    await this.slack.add('card', { runId, version } satisfies CardJob, {
      ...CARD_OPTIONS,
      jobId: cardJobId(runId, version),
      delay: Math.max(0, delayMs),
    });
  }

  /** One scheduler for the whole vault: every poll interval one worker reads all watched ASR jobs. */
  async scheduleWatcher(everyMs: number): Promise<void> {
    await this.watch.upsertJobScheduler('asr-watch', { every: everyMs }, { name: 'tick', opts: { removeOnComplete: true, removeOnFail: true } });
  }

  async close(): Promise<void> {
    await Promise.all([this.steps.close(), this.watch.close(), this.slack.close()]);
  }
}
