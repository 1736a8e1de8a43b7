import { opOf, type OpKind, type Run } from './run';
import { waitJobKey, type RunEffect } from './run-machine';

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
    if (ops.some((op) => op.status === 'pending' || op.status === 'issuing')) effects.push({ kind: 'run-step', step, jobKey: key });
    for (const op of ops) {
      const jobKey = op.status === 'waiting' ? waitJobKey(run, step, op) : undefined;
      if (jobKey && !effects.some((e) => e.kind === 'run-step' && e.jobKey === jobKey)) {
        effects.push({ kind: 'run-step', step, jobKey, ...(op.nextAttemptAt ? { notBefore: op.nextAttemptAt } : {}) });
      }
    }
  }
  return effects;
}
