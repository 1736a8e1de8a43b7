import type { Logger } from 'pino';
import type { AsrJobSummary } from '../azure/gateway';
import type { AsrEstate } from '../azure/estate';
import { byVault } from '../domain/vault';
import {
  commitScope,
  failedFailovers,
  phaseOf,
  reprotectScope,
  type OpKind,
  type Run,
  type RunVm,
} from '../domain/run';
import type { RunEvent } from '../domain/run-machine';
import type { RunStore } from '../store/run-store';
import type { EffectRunner } from './effects';
import { changeRun } from './change-run';

export interface OutsideWatchDeps {
  readonly estate: AsrEstate;
  readonly store: RunStore;
  readonly effects: EffectRunner;
  readonly now: () => number;
  readonly log: Logger;
}

/** Jobs are listed from a little before the run began (clocks differ). */
const MARGIN_MS = 10 * 60_000;
const SKEW_MS = 60_000;
/** A job that ended since the last check started at most this long before it (ASR jobs take minutes to hours). */
const LONGEST_JOB_MS = 6 * 3600_000;
const LAST_CHECK = 'outside-checked-at';
const WAITING = new Set(['awaiting-commit', 'awaiting-reprotect', 'reprotect-failed']);

/**
 * Notices what people did in the portal (or a script) to the VMs of runs that wait for a person:
 * a commit, a failover of a VM whose failover had failed, a reprotect. One read of the vault's job
 * list covers every waiting run; a job the run did not start, that succeeded after the run got to
 * that step, is checked against the item and recorded as done outside the bot — the card says so
 * and its buttons follow. Nothing is read while no run waits.
 */
export async function watchOutside(deps: OutsideWatchDeps, signal?: AbortSignal): Promise<void> {
  const runs = (await Promise.all((await deps.store.activeRunIds()).map((id) => deps.store.get(id)))).filter(
    (r): r is Run => r !== undefined && WAITING.has(phaseOf(r)),
  );
  if (runs.length === 0) return;
  // From the oldest waiting run's start, but no further back than a while before the last check:
  // a run that waits for days does not make every check page through days of jobs.
  const checkedAt = await deps.store.mark(LAST_CHECK);
  const startedAt = deps.now();
  // One job list per vault that has waiting runs (a run's VMs are all in one vault).
  for (const vaultRuns of byVault(runs, (r) => r.vms[0]?.id ?? '').values()) {
    const first = vaultRuns[0]?.vms[0];
    // A vault that cannot be read now is looked at next time; the others are not held up.
    if (first)
      await watchVault(deps, vaultRuns, first.id, checkedAt, signal).catch((err: unknown) =>
        deps.log.warn(
          { err, vault: first.id.split('/replicationFabrics/')[0] },
          'could not check a vault for operations done outside the bot',
        ),
      );
  }
  await deps.store.setMark(LAST_CHECK, startedAt);
}

async function watchVault(
  deps: OutsideWatchDeps,
  runs: readonly Run[],
  anyVmId: string,
  checkedAt: number | undefined,
  signal?: AbortSignal,
): Promise<void> {
  const gateway = deps.estate.of(anyVmId);
  const oldest = Math.min(...runs.map((r) => Date.parse(r.createdAt))) - MARGIN_MS;
  const since = new Date(checkedAt === undefined ? oldest : Math.max(oldest, checkedAt - LONGEST_JOB_MS));
  const jobs = (await gateway.recentJobs(since, { abortSignal: signal })).filter(
    (j) => j.state === 'succeeded' && j.op,
  );
  for (const run of runs) {
    for (const { vm, job } of outsideJobs(run, jobs)) {
      const op = job.op as OpKind;
      const state = await gateway.operationState(vm.id, op, { abortSignal: signal });
      if (state.state !== 'done') continue;
      const at = new Date(deps.now()).toISOString();
      const event: RunEvent = { type: `${op}-seen-outside`, vmId: vm.id, at, jobName: job.name };
      const result = await changeRun(deps, run.id, event);
      if (!result.applied) continue;
      deps.log.info({ runId: run.id, vm: vm.name, op, jobName: job.name }, 'operation done outside the bot recorded');
    }
  }
}

/** The jobs that did, outside the run, what the run waits for on one of its VMs. */
function outsideJobs(run: Run, jobs: readonly AsrJobSummary[]): { vm: RunVm; job: AsrJobSummary }[] {
  const known = new Set(
    run.vms
      .flatMap((v) => [v.failover.jobName, v.commit?.jobName, v.reprotect?.jobName])
      .filter((j): j is string => !!j)
      .map((j) => j.toLowerCase()),
  );
  const phase = phaseOf(run);
  const candidates: { vm: RunVm; op: OpKind }[] = [];
  if (phase === 'awaiting-commit') {
    for (const vm of commitScope(run).filter((v) => !v.commit)) candidates.push({ vm, op: 'commit' });
    for (const vm of failedFailovers(run)) candidates.push({ vm, op: 'failover' });
  } else {
    for (const vm of reprotectScope(run).filter((v) => v.reprotect?.status !== 'succeeded'))
      candidates.push({ vm, op: 'reprotect' });
  }
  // Only jobs of this run's time: an earlier failback cycle of the same VM had its own jobs.
  const after = new Date(Date.parse(run.createdAt) - SKEW_MS).toISOString();
  const found: { vm: RunVm; job: AsrJobSummary }[] = [];
  for (const { vm, op } of candidates) {
    const job = jobs.find(
      (j) =>
        j.op === op && !known.has(j.name.toLowerCase()) && actsOn(j, vm, run) && (!j.startTime || j.startTime >= after),
    );
    if (job) found.push({ vm, job });
  }
  return found;
}

/**
 * Whether a job acted on the VM: by the GUID ASR names it by (recorded: `targetObjectId` is the
 * classic vmId or the modernized internalIdentifier, never the item's ARM name). Names are hints
 * only — a job on the run's recovery plan (by the plan's name), or on a VM of an older run that
 * recorded no ids — and every match is confirmed by reading the item before anything is recorded.
 */
function actsOn(job: AsrJobSummary, vm: RunVm, run: Run): boolean {
  const name = job.targetName?.toLowerCase();
  if (job.targetIsPlan) return run.plan !== undefined && name === run.plan.name.toLowerCase();
  if (vm.asrIds && vm.asrIds.length > 0) return job.targetId !== undefined && vm.asrIds.includes(job.targetId);
  return name === vm.name.toLowerCase();
}
