/**
 * Errors that mean "not now, come back later": a job that meets one is tried again after
 * `retryAfterMs` without it counting as a failure. The worker asks {@link isComeBackLater} once,
 * instead of keeping lists of such errors in step.
 */
export abstract class ComeBackLaterError extends Error {
  abstract readonly retryAfterMs: number;
}

/** A retry that ran before its time (process clocks differ); due in `retryAfterMs`. */
export class NotDueYetError extends ComeBackLaterError {
  override readonly name = 'NotDueYetError';
  constructor(readonly retryAfterMs: number) {
    super(`next attempt is due in ${retryAfterMs} ms`);
  }
}

/** Another worker is issuing an operation on this VM (or plan) right now. */
export class OperationBusyError extends ComeBackLaterError {
  override readonly name = 'OperationBusyError';
  readonly retryAfterMs = 1000;
}

/** Another process is rendering the same run's messages. */
export class CardBusyError extends ComeBackLaterError {
  override readonly name = 'CardBusyError';
  readonly retryAfterMs = 300;
}

/** Slack rate-limited one of its methods: no call of that method from any process until its Retry-After has passed. */
export class SlackRateLimitedError extends ComeBackLaterError {
  override readonly name = 'SlackRateLimitedError';
  constructor(
    readonly retryAfterMs: number,
    readonly method: string,
  ) {
    super(`Slack rate-limited ${method}; waiting ${retryAfterMs} ms`);
  }
}

/** A run report cannot go yet (its run card, the thread, is not posted). */
export class ReportNotReadyError extends ComeBackLaterError {
  override readonly name = 'ReportNotReadyError';
  constructor(
    runId: string,
    why: string,
    readonly retryAfterMs = 1_000,
  ) {
    super(`report of ${runId} not uploaded yet: ${why}`);
  }
}

const LATER = new Set([
  'NotDueYetError',
  'OperationBusyError',
  'CardBusyError',
  'SlackRateLimitedError',
  'ReportNotReadyError',
]);

/** Whether `e` asks to come back later (by name, as Azure's and BullMQ's guards check). */
export function isComeBackLater(e: unknown): e is ComeBackLaterError {
  return e instanceof Error && LATER.has(e.name) && typeof (e as { retryAfterMs?: unknown }).retryAfterMs === 'number';
}
