/** Every failure the bot tells a person about. Users see `userMessage`; logs get the detail and `cause`. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'ASR_REFUSED'
  | 'ASR_TRANSIENT'
  | 'ASR_OUTCOME_UNKNOWN'
  | 'RUN_NOT_FOUND'
  | 'RUN_CONFLICT'
  | 'STORE_UNAVAILABLE'
  | 'SLACK_CHANNEL_UNAVAILABLE'
  | 'UNKNOWN_VAULT';

export abstract class FailbackError extends Error {
  abstract readonly code: ErrorCode;
  /** A constant, helpful sentence that is safe to show in Slack (may contain ASR's own message). */
  abstract get userMessage(): string;
}

/** ASR answered the operation with an error (4xx): it did not start. `asrMessage` is ASR's own text. */
export class AsrRefusedError extends FailbackError {
  override readonly name = 'AsrRefusedError';
  readonly code = 'ASR_REFUSED' as const;
  constructor(
    readonly asrCode: string,
    readonly asrMessage: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(`ASR refused (${status ?? '?'} ${asrCode}): ${asrMessage}`, options);
  }
  get userMessage(): string {
    return `Azure Site Recovery refused: ${this.asrMessage}${this.asrCode ? ` (${this.asrCode})` : ''}`;
  }
}

/** ARM throttled, failed with a 5xx, or the network failed on a read: try again later. */
export class AsrTransientError extends FailbackError {
  override readonly name = 'AsrTransientError';
  readonly code = 'ASR_TRANSIENT' as const;
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  get userMessage(): string {
    return 'Azure is not answering right now; the bot keeps trying.';
  }
}

/**
 * An operation POST may or may not have reached ASR (lost response, 5xx after send). It is never
 * re-sent blindly: the next attempt reads the item to find out.
 */
export class AsrOutcomeUnknownError extends FailbackError {
  override readonly name = 'AsrOutcomeUnknownError';
  readonly code = 'ASR_OUTCOME_UNKNOWN' as const;
  get userMessage(): string {
    return 'The answer from Azure was lost; the bot is checking whether the operation started.';
  }
}

export class RunNotFoundError extends FailbackError {
  override readonly name = 'RunNotFoundError';
  readonly code = 'RUN_NOT_FOUND' as const;
  constructor(readonly runId: string) {
    super(`Run ${runId} not found`);
  }
  get userMessage(): string {
    return `There is no run ${this.runId}.`;
  }
}

/** An ARM id that lies under no Recovery Services vault: nothing to send it to. */
export class UnknownVaultError extends FailbackError {
  override readonly name = 'UnknownVaultError';
  readonly code = 'UNKNOWN_VAULT' as const;
  constructor(readonly armId: string) {
    super(`No Recovery Services vault in the id ${armId}`);
  }
  get userMessage(): string {
    return 'This item does not belong to a Recovery Services vault the bot serves.';
  }
}

/** Optimistic concurrency on a run lost too many times in a row. */
export class RunConflictError extends FailbackError {
  override readonly name = 'RunConflictError';
  readonly code = 'RUN_CONFLICT' as const;
  constructor(readonly runId: string) {
    super(`Run ${runId} changed concurrently too often`);
  }
  get userMessage(): string {
    return `Run ${this.runId} is busy; try again.`;
  }
}

/** Redis did not answer in time: the bot is degraded and changes nothing. */
export class StoreUnavailableError extends FailbackError {
  override readonly name = 'StoreUnavailableError';
  readonly code = 'STORE_UNAVAILABLE' as const;
  /**
   * The command was sent but its answer did not come in time: Redis may still carry it out (a
   * create may yet happen). Otherwise it was never sent.
   */
  get timedOut(): boolean {
    return /timed out/i.test(String((this.cause as Error | undefined)?.message ?? ''));
  }
  get userMessage(): string {
    return 'failback-bot is degraded (its state store is not reachable). Nothing was started; try again in a minute.';
  }
}

/** Slack will not take the run's messages in its channel (the bot is not in it, it is gone or archived). */
export class SlackChannelUnavailableError extends FailbackError {
  override readonly name = 'SlackChannelUnavailableError';
  readonly code = 'SLACK_CHANNEL_UNAVAILABLE' as const;
  constructor(
    readonly channelId: string,
    readonly slackError: string,
  ) {
    super(`Slack refused the run's message in ${channelId}: ${slackError}`);
  }
  get userMessage(): string {
    return this.slackError === 'not_in_channel'
      ? `failback-bot is not a member of <#${this.channelId}>: invite it there (/invite) so the run's card can be posted.`
      : `Slack does not let failback-bot post in <#${this.channelId}> (${this.slackError}).`;
  }
}

const FAILBACK_ERRORS = new Set([
  'AsrRefusedError',
  'AsrTransientError',
  'AsrOutcomeUnknownError',
  'RunNotFoundError',
  'RunConflictError',
  'StoreUnavailableError',
  'SlackChannelUnavailableError',
]);

/**
 * One of ours, with a `userMessage` safe to show. Checked by name as Azure's and BullMQ's guards do,
 * so an error from another copy of this module (a second bundle, a worker thread) still counts.
 */
export function isFailbackError(e: unknown): e is FailbackError {
  return (
    e instanceof FailbackError ||
    (e instanceof Error &&
      FAILBACK_ERRORS.has(e.name) &&
      typeof (e as { userMessage?: unknown }).userMessage === 'string')
  );
}
