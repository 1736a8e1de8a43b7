import type { Logger } from 'pino';
import type { RunEvent } from '../domain/run-machine';
import type { RunStore, UpdateResult } from '../store/run-store';
import type { EffectRunner } from './effects';

export interface ChangeDeps {
  readonly store: RunStore;
  readonly effects: EffectRunner;
  readonly log: Logger;
}

export type Applied = Extract<UpdateResult, { applied: true }>;

/** A change of a run as its caller sees it: applied (its effects queued now, or left to the outbox) or refused. */
export type ChangeResult = (Applied & { readonly queued: boolean }) | Extract<UpdateResult, { applied: false }>;

/**
 * The one way to change a run: the event goes through the state machine (the audit trail in the
 * same atomic step), then its effects are queued and its outbox entry cleared. If queuing fails the
 * decision stands — it is recorded — and the outbox sweep queues its steps shortly; `queued: false`
 * lets a caller say so truthfully.
 */
export async function changeRun(deps: ChangeDeps, runId: string, event: RunEvent): Promise<ChangeResult> {
  const result = await deps.store.apply(runId, event);
  if (!result.applied) return result;
  return { ...result, queued: await settle(deps, result) };
}

/** Queues an accepted change's effects and clears its outbox entry; false when they could not be queued now. */
export async function settle(deps: ChangeDeps, change: Pick<Applied, 'run' | 'effects' | 'pending'>): Promise<boolean> {
  try {
    await deps.effects.run(change.run, change.effects);
  } catch (err) {
    deps.log.warn({ err, runId: change.run.id }, 'a run change is recorded; its steps are left to the outbox');
    return false;
  }
  if (change.pending) {
    await deps.store
      .outboxDone(change.pending)
      .catch((err: unknown) => deps.log.info({ err, runId: change.run.id }, 'outbox entry left; the sweep clears it'));
  }
  return true;
}
