import type { OpState } from '../domain/run';

/** Whether an op is to be issued (or looked at again) now. */
export function isDue(op: OpState | undefined, now: number): boolean {
  if (!op) return false;
  if (op.status === 'pending' || op.status === 'issuing') return true;
  return op.status === 'waiting' && !(Date.parse(op.nextAttemptAt ?? '') > now);
}

/** When an earlier attempt's POST may have gone through unanswered: ASR's jobs since then decide first. */
export function unconfirmedSince(op: OpState | undefined): Date | undefined {
  return op?.unconfirmedPostAt ? new Date(op.unconfirmedPostAt) : undefined;
}
