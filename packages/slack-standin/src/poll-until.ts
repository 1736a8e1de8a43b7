/** Options for {@link pollUntil}. */
export interface PollOptions {
  /** Default 10 000 ms. */
  timeoutMs?: number;
  /** Default 20 ms. */
  intervalMs?: number;
  /** Said in the error at the deadline. */
  message?: string;
}

/**
 * Resolves with the first truthy value of `predicate`; rejects at the deadline with `message` and
 * the last value. Polling is bounded by the deadline; the condition, not a sleep, decides.
 */
export async function pollUntil<T>(
  predicate: () => T | Promise<T>,
  options: PollOptions = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 20, message = 'condition not met' } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await predicate();
    if (last) return last as NonNullable<T>;
    if (Date.now() >= deadline) {
      let shown: string;
      try {
        shown = JSON.stringify(last) ?? String(last);
      } catch {
        shown = String(last);
      }
      throw new Error(`timed out after ${timeoutMs} ms: ${message}; last value: ${shown.slice(0, 1000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
