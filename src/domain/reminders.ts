/** The longest wait between two Commit reminders. */
export const MAX_REMINDER_GAP_MS = 4 * 3600_000;

/**
 * How long after the previous one (or after the run began waiting, for the first) the n-th Commit
 * reminder comes: the configured interval, then doubling up to four hours (or the configured
 * interval, if that is longer).
 */
export function commitReminderDelayMs(baseMs: number, n: number): number {
  if (n <= 1) return baseMs;
  return Math.min(Math.max(MAX_REMINDER_GAP_MS, baseMs), baseMs * 2 ** (n - 1));
}
