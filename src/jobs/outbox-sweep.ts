import type { Logger } from 'pino';
import { resumeEffects } from '../domain/resume';
import type { JobWatchList } from '../store/job-watch';
import type { RunStore } from '../store/run-store';
import type { EffectRunner } from './effects';
import { watchRunning } from './reconcile';

/** Whoever changed a run queues its steps at once; past this, the sweep does. */
const GRACE_MS = 5_000;

/**
 * Carries on runs whose last change could not queue its steps (the queue did not answer, or the
 * process died in between): each is resumed from its saved state — card, step jobs, waits, watched
 * jobs — which is idempotent, so a run resumed twice is harmless.
 */
export async function sweepOutbox(deps: {
  store: RunStore;
  effects: EffectRunner;
  watch: JobWatchList;
  now: () => number;
  log: Logger;
}): Promise<number> {
  const entries = await deps.store.outboxDue(deps.now() - GRACE_MS);
  const runIds = [...new Set(entries.map((e) => e.split('@')[0] ?? e))];
  let resumed = 0;
  for (const runId of runIds) {
    const run = await deps.store.get(runId);
    if (run && !run.cancelled && !run.closedAt) {
      await deps.effects.run(run, resumeEffects(run, `outbox-${run.version}`));
      await watchRunning(deps, run, new Set((await deps.watch.all()).map((j) => j.jobName.toLowerCase())));
      deps.log.info({ runId }, 'run resumed from the outbox');
      resumed++;
    }
  }
  for (const entry of entries) await deps.store.outboxDone(entry);
  return resumed;
}
