/** A retry that ran before its time; BullMQ tries the job again after `retryAfterMs`. */
export class NotDueYetError extends Error {
  override readonly name = 'NotDueYetError';
  constructor(readonly retryAfterMs: number) {
    super(`next attempt is due in ${retryAfterMs} ms`);
  }
}

/** Another worker is issuing an operation on this VM (or plan) right now. */
export class OperationBusyError extends Error {
  override readonly name = 'OperationBusyError';
  readonly retryAfterMs = 1000;
}
