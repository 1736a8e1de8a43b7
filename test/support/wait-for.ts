/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long. Default 10 000 ms. */
  timeoutMs?: number;
  /** Time between polls. Default 20 ms. */
  intervalMs?: number;
  /** Said in the error at the deadline (with the last value seen). */
  message?: string;
}

/** Thrown by {@link waitFor} at its deadline. */
export class WaitForTimeoutError extends Error {
  override readonly name = 'WaitForTimeoutError';
  constructor(
    message: string,
    readonly lastValue: unknown,
    readonly lastError: unknown,
  ) {
    super(message);
  }
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
  } catch {
    return String(value);
  }
}

/**
 * Polls `predicate` until it returns a truthy value and resolves with that value; rejects at the
 * deadline with `message`, the last value and the last error thrown by the predicate.
 * The poll interval is not a synchronisation sleep: the condition decides, the deadline bounds it.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 20, message = 'condition not met' }: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastValue: unknown;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      lastValue = value;
      lastError = undefined;
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const errText = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new WaitForTimeoutError(
        `waitFor timed out after ${timeoutMs} ms: ${message}; last value: ${describe(lastValue)}${errText}`,
        lastValue,
        lastError,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
