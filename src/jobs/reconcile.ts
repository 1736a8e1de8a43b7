import type { Logger } from 'pino';
import type { AsrEstate } from '../azure/estate';
import { commitScope, opOf, phaseOf, type OpKind, type Run } from '../domain/run';
import type { JobWatchList } from '../store/job-watch';
import type { RunStore } from '../store/run-store';
import { resumeEffects } from '../domain/resume';
import type { EffectRunner } from './effects';
import { watchOutside } from './outside-watch';
import { FINAL_REPORT_KEY, type FailbackQueues } from './queues';
import { changeRun } from './change-run';

export interface ReconcileDeps {
  readonly estate: AsrEstate;
  readonly store: RunStore;
  readonly watch: JobWatchList;
  readonly queues: FailbackQueues;
  readonly effects: EffectRunner;
  readonly now: () => number;
  readonly log: Logger;
}

const STEPS: readonly OpKind[] = ['failover', 'commit', 'reprotect'];

/**
 * On a worker's start, every active run is checked and resumed: operations not yet confirmed by
 * ASR get a step job (which reads ASR before anything is issued), running ones are watched, retry
 * waits are rescheduled — and what changed outside the bot is taken from ASR instead of being
 * blindly continued (a VM committed in the portal is recorded as committed, never committed again).
 * Duplicate step jobs from several workers starting at once are harmless: steps are idempotent.
 */
export async function reconcileActiveRuns(
  deps: ReconcileDeps,
): Promise<{ runs: number; resumed: number; changedOutside: number }> {
  const startedAt = deps.now();
  const watched = new Set((await deps.watch.all()).map((j) => j.jobName.toLowerCase()));
  let resumed = 0;
  let changedOutside = 0;
  const ids = await deps.store.activeRunIds();
  for (const runId of ids) {
    try {
      const run = await deps.store.get(runId);
      if (!run || run.closedAt) continue;
      resumed += await resume(deps, run, watched, startedAt);
      changedOutside += await commitsDoneOutside(deps, run);
      // Its card brought up to date: an edit lost with the process is made now (no call if current).
      await deps.queues.enqueueCard(run.id, run.version, 0);
    } catch (e) {
      deps.log.warn({ err: e, runId }, 'could not reconcile the run now; its jobs carry on');
    }
  }
  await finishRecentlyClosed(deps, startedAt).catch((err: unknown) =>
    deps.log.warn({ err }, 'could not check the recently closed runs'),
  );
  // Reprotects, and failovers of failed VMs, done in the portal meanwhile (commits: above, per VM).
  await watchOutside(deps).catch((err: unknown) =>
    deps.log.warn({ err }, 'could not check the vault for operations done outside the bot'),
  );
  return { runs: ids.length, resumed, changedOutside };
}

/** Runs closed this long ago or less get their last card edit, summary and report made sure of. */
const RECENTLY_CLOSED_MS = 24 * 3600_000;
const RECENT_RUNS_READ = 50;

/**
 * A run that closed just before its process died may not have had its final card edit, summary
 * or report queued. Each of those is idempotent (rendered version, posted markers), so queueing
 * them again costs no Slack call when they were done.
 */
async function finishRecentlyClosed(deps: ReconcileDeps, startedAt: number): Promise<void> {
  for (const run of await deps.store.recent(RECENT_RUNS_READ)) {
    if (!run.closedAt || startedAt - Date.parse(run.closedAt) > RECENTLY_CLOSED_MS) continue;
    await deps.queues.enqueueCard(run.id, run.version, 0);
    await deps.queues.enqueueReport(run.id, FINAL_REPORT_KEY);
  }
}

async function resume(deps: ReconcileDeps, run: Run, watched: ReadonlySet<string>, startedAt: number): Promise<number> {
  const effects = resumeEffects(run, `reconcile-${startedAt}`);
  await deps.effects.run(
    run,
    effects.filter((e) => e.kind === 'run-step'),
  );
  let n = effects.filter((e) => e.kind === 'run-step' && e.jobKey === `reconcile-${startedAt}`).length;
  n += await watchRunning(deps, run, watched);
  return n;
}

/** Running operations whose ASR job nobody follows (its watch entry lost with a process) are watched again. */
export async function watchRunning(
  deps: Pick<ReconcileDeps, 'watch' | 'now'>,
  run: Run,
  watched: ReadonlySet<string>,
): Promise<number> {
  let n = 0;
  for (const step of STEPS) {
    for (const vm of run.vms) {
      const op = opOf(vm, step);
      if (op?.status !== 'running' || !op.jobName || watched.has(op.jobName.toLowerCase())) continue;
      const plan = op.viaPlan && run.plan ? run.plan : undefined;
      await deps.watch.add({
        jobName: op.jobName,
        runId: run.id,
        vmId: plan ? plan.id : vm.id,
        op: step,
        plan: plan ? true : undefined,
        notBefore: deps.now(),
      });
      n++;
    }
  }
  return n;
}

async function commitsDoneOutside(deps: ReconcileDeps, run: Run): Promise<number> {
  if (phaseOf(run) !== 'awaiting-commit' || run.commit) return 0;
  let n = 0;
  for (const vm of commitScope(run).filter((v) => !v.commit)) {
    const state = await deps.estate.of(vm.id).operationState(vm.id, 'commit');
    if (state.state !== 'done') continue;
    deps.log.warn({ runId: run.id, vm: vm.name }, 'VM committed outside the bot; recording it');
    const r = await changeRun(deps, run.id, {
      type: 'commit-seen-outside',
      vmId: vm.id,
      at: new Date(deps.now()).toISOString(),
    });
    if (r.applied) n++;
  }
  return n;
}
