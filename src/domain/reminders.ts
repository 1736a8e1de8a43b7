/** The longest wait between two Commit reminders. */
export const MAX_REMINDER_GAP_MS = 4 * 3600_000;

/**
 * How long after the previous one (or after the run began waiting, for the first) the n-th Commit
 * reminder comes: the configured interval, then doubling, never more than four hours.
 */
export function commitReminderDelayMs(baseMs: number, n: number): number {
  return Math.min(MAX_REMINDER_GAP_MS, baseMs * 2 ** Math.max(0, n - 1));
}
