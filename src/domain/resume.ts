import { opOf, type OpKind, type OpState, type Run } from './run';
import type { RunEffect } from './run-machine';

const STEPS: readonly OpKind[] = ['failover', 'commit', 'reprotect'];

/**
 * What a run needs queued to carry on from its saved state alone: its card, a step job for every
 * step with an operation not yet confirmed by ASR (that job reads ASR before it issues anything),
 * and the job that ends each wait (same id as the one first scheduled). Used when a process starts
 * and by the outbox sweep; every effect is idempotent.
 */
export function resumeEffects(run: Run, key: string): RunEffect[] {
  const effects: RunEffect[] = [{ kind: 'render-card' }];
  for (const step of STEPS) {
    const ops = run.vms.map((vm) => opOf(vm, step)).filter((op) => op !== undefined);
    // A failover is queued once its card is posted (card-posted does it): not before, not unseen.
    if (step === 'failover' && !run.card) continue;
    if (ops.some((op) => op.status === 'pending' || op.status === 'issuing'))
      effects.push({ kind: 'run-step', step, jobKey: key });
    for (const op of ops) {
      const jobKey = op.status === 'waiting' ? waitJobKey(run, step, op) : undefined;
      if (jobKey && !effects.some((e) => e.kind === 'run-step' && e.jobKey === jobKey)) {
        effects.push({ kind: 'run-step', step, jobKey, ...(op.nextAttemptAt ? { notBefore: op.nextAttemptAt } : {}) });
      }
    }
  }
  return effects;
}

/**
 * The step job that ends a wait: one id per wait (a re-read of ASR: by check; a reprotect retry: by
 * attempt), so a duplicate or a restart re-schedules the same job instead of adding one.
 */
export function waitJobKey(run: Run, step: OpKind, op: OpState): string | undefined {
  const round = step === 'reprotect' ? `r${run.reprotect?.round ?? 1}-` : '';
  if (op.checks) return `${round}a${op.attempt ?? 1}-c${op.checks}`;
  return step === 'reprotect' ? `${round}a${op.attempt ?? 2}` : undefined;
}
