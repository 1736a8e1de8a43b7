import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while handling one Slack request or one job carries. */
export interface LogContext {
  runId?: string;
  /** Socket Mode: the envelope id; HTTP: generated per request (Slack sends no request id). */
  slackRequestId?: string;
  /** Slack's retry number (`X-Slack-Retry-Num`) when Slack re-sent the request. */
  slackRetryNum?: number;
  jobId?: string;
  queue?: string;
}

// One storage per process is inherent to AsyncLocalStorage: it is a key into the async context,
// while each request or job gets its own store object.
const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` (and everything it awaits or starts) with `fields` added to the current log context. */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

/** Names the run the current request or job is about, from here on. A no-op outside a context. */
export function setRunId(runId: string | undefined): void {
  const store = storage.getStore();
  if (store && runId) store.runId = runId;
}

/** The current context, for pino's mixin. */
export function currentLogContext(): Readonly<LogContext> | undefined {
  return storage.getStore();
}

/** The job shape `inJobContext` reads (a BullMQ Job). */
interface JobLike {
  readonly id?: string | undefined;
  readonly queueName: string;
  readonly data: unknown;
}

/**
 * Wraps a BullMQ processor so that everything it does runs in a log context naming the job and,
 * when its data carries one, the run.
 */
export function inJobContext<J extends JobLike, A extends unknown[], R>(processor: (job: J, ...rest: A) => Promise<R>) {
  return (job: J, ...rest: A): Promise<R> => {
    const runId = (job.data as { runId?: unknown } | null)?.runId;
    const fields: LogContext = { jobId: job.id, queue: job.queueName, ...(typeof runId === 'string' ? { runId } : {}) };
    return withLogContext(fields, () => processor(job, ...rest));
  };
}
