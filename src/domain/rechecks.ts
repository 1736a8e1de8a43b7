/**
 * How the bot waits when ASR cannot take an operation now. Another operation running on the VM, a
 * job ASR has not filled in yet, or a state that passes are waited out: ASR is read again with
 * back-off (from the poll interval, doubling, at most every few minutes), the card says what the
 * run waits for, and nothing is issued or failed meanwhile. ASR saying plainly that the operation is
 * not allowed (with nothing running) is believed only after a few such reads: a state between two
 * jobs can look like that for a moment.
 */
export const RECHECK_MAX_MS = 5 * 60_000;

/** Reads of a "not allowed" answer before it is taken as the operation's failure. */
export const BLOCKED_RECHECKS = 3;

/** The wait before the n-th read again (n = 1 for the first). */
export function recheckDelayMs(pollIntervalMs: number, n: number): number {
  return Math.min(RECHECK_MAX_MS, Math.max(1000, pollIntervalMs) * 2 ** Math.max(0, n - 1));
}
