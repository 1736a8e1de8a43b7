import type { Logger } from 'pino';
import type { AsrEstate } from '../azure/estate';
import { byVault } from '../domain/vault';
import type { RunEvent } from '../domain/run-machine';
import type { JobWatchList, WatchedJob } from '../store/job-watch';
import type { RunStore } from '../store/run-store';
import type { EffectRunner } from './effects';
import { AsrRefusedError, RunNotFoundError } from '../errors';
import { isAgentNotRegistered } from '../domain/agent-registration';
import { AGENT_WAIT, retryFor } from './step-processor';
import { planScope, type PlanOpKind } from '../domain/run-machine';
import { settlePlanMembers } from './plan-step';
import { watchOutside } from './outside-watch';
import { sweepOutbox } from './outbox-sweep';
import { changeRun } from './change-run';

export interface WatchDeps {
  readonly estate: AsrEstate;
  readonly store: RunStore;
  readonly watch: JobWatchList;
  readonly effects: EffectRunner;
  readonly now: () => number;
  readonly reprotectRetryIntervalMs: number;
  /** ASR_JOB_READS_PER_POLL: jobs read one by one per tick; beyond, one job list per tick first. */
  readonly jobReadsPerPoll?: number | undefined;
  /** When each running job was last read in full (this process), so progress reads take turns. */
  readonly lastRead?: Map<string, number> | undefined;
  /** How often the vault's job list is read for what people did outside the bot to waiting runs. */
  readonly outsideEveryMs?: number | undefined;
  readonly log: Logger;
}

const READ_CONCURRENCY = 4;
/** Jobs are listed from a little before the bot started following them (clocks differ). */
const LIST_MARGIN_MS = 10 * 60_000;

/**
 * One tick of the vault-wide ASR job watcher: reads the watched jobs that are due and turns what
 * ASR reports into run events (progress, success, failure). With few jobs each is read (GET); with
 * more than ASR_JOB_READS_PER_POLL, one job list (all pages) says which ended — those are read for
 * their outcome — and the running ones are read for progress in turn, within the same budget. A job
 * that cannot be read now is left for the next tick.
 */
export async function watchTick(deps: WatchDeps, signal?: AbortSignal): Promise<void> {
  // Runs whose first step their creator could not queue (it is a cheap read when there are none).
  await sweepOutbox(deps).catch((err: unknown) => deps.log.warn({ err }, 'could not sweep the outbox'));
  await followWatchedJobs(deps, signal);
  // One process per interval, whichever tick comes first (the key expires after the interval).
  if (deps.outsideEveryMs && (await deps.store.once('outside-check', deps.outsideEveryMs))) {
    await watchOutside(deps, signal).catch((err: unknown) =>
      deps.log.warn({ err }, 'could not check the vault for operations done outside the bot'),
    );
  }
}

async function followWatchedJobs(deps: WatchDeps, signal?: AbortSignal): Promise<void> {
  const now = deps.now();
  const all = await deps.watch.all();
  const due = all.filter((j) => j.notBefore <= now);
  // Each vault on its own: its own job list, its own read budget (ARM limits reads per subscription).
  const follow = (
    await Promise.all([...byVault(due, (j) => j.vmId).values()].map((jobs) => dueInVault(deps, jobs, signal)))
  ).flat();
  for (let i = 0; i < follow.length; i += READ_CONCURRENCY) {
    await Promise.all(follow.slice(i, i + READ_CONCURRENCY).map((j) => followJob(deps, j, signal)));
  }
  if (deps.lastRead) {
    const watched = new Set(all.map((j) => j.jobName));
    for (const j of follow) deps.lastRead.set(j.jobName, now);
    for (const name of deps.lastRead.keys()) if (!watched.has(name)) deps.lastRead.delete(name);
  }
}

/**
 * Which of a vault's due jobs to read this tick: all of them within the budget; beyond it, one job
 * list of the vault says which ended (read those) and the running ones take turns for progress.
 */
async function dueInVault(deps: WatchDeps, due: readonly WatchedJob[], signal?: AbortSignal): Promise<WatchedJob[]> {
  const budget = deps.jobReadsPerPoll ?? 5;
  const first = due[0];
  if (due.length <= budget || !first) return [...due];
  const since = new Date(Math.min(...due.map((j) => j.addedAt ?? j.notBefore)) - LIST_MARGIN_MS);
  let states;
  try {
    states = await deps.estate.of(first.vmId).jobStates(since, { abortSignal: signal });
  } catch (e) {
    deps.log.warn({ err: e }, 'could not list the vault’s ASR jobs; trying again next tick');
    return [];
  }
  const stateOf = (j: WatchedJob) => states.get(j.jobName.toLowerCase());
  // Ended, or not in the list (then the read tells: ended, running, or unknown to ASR).
  const settled = due.filter((j) => stateOf(j) !== 'running');
  const lastRead = deps.lastRead ?? new Map<string, number>();
  const turn = due
    .filter((j) => stateOf(j) === 'running')
    .sort((a, b) => (lastRead.get(a.jobName) ?? 0) - (lastRead.get(b.jobName) ?? 0))
    .slice(0, Math.max(0, budget - settled.length));
  return [...settled, ...turn];
}

async function followJob(deps: WatchDeps, watched: WatchedJob, signal?: AbortSignal): Promise<void> {
  if (watched.plan) return followPlanJob(deps, watched, signal);
  const log = deps.log.child({ runId: watched.runId, jobName: watched.jobName, op: watched.op });
  let view;
  try {
    view = await deps.estate.of(watched.vmId).getJob(watched.jobName, undefined, { abortSignal: signal });
  } catch (e) {
    if (e instanceof AsrRefusedError && e.status === 404) {
      // The step re-reads the item: it adopts a running operation, records a finished one, or
      // issues again only if ASR shows the operation never happened.
      log.warn('ASR no longer knows the job; re-checking the item');
      await deps.watch.remove(watched.jobName);
      const at = new Date(deps.now()).toISOString();
      await changeRun(deps, watched.runId, { type: 'op-lost', vmId: watched.vmId, op: watched.op, at });
      return;
    }
    log.warn({ err: e }, 'could not read the ASR job; trying again next tick');
    return;
  }
  // A job ASR has not filled in yet says nothing: read it again next tick.
  if (view.state === 'pending') return;
  if (view.state === 'suspended')
    log.warn({ task: view.progress.task }, 'ASR job suspended: it waits for someone to resume it in the portal');
  const at = new Date(deps.now()).toISOString();
  const base = { vmId: watched.vmId, op: watched.op };
  const event: RunEvent =
    view.state === 'running' || view.state === 'suspended'
      ? { type: 'op-progress', ...base, at, progress: view.progress }
      : view.state === 'succeeded'
        ? { type: 'op-succeeded', ...base, at, shutdown: view.shutdown }
        : {
            type: 'op-failed',
            ...base,
            at,
            error: view.error ?? 'ASR job failed',
            shutdown: view.shutdown,
            retry:
              watched.op === 'reprotect' && isAgentNotRegistered({ message: view.error })
                ? retryFor(deps, AGENT_WAIT)
                : undefined,
          };
  if (view.state === 'failed') log.warn({ asrError: view.error }, 'ASR job failed');
  try {
    await changeRun(deps, watched.runId, event);
  } catch (e) {
    if (e instanceof RunNotFoundError) {
      log.warn('watched job belongs to no run; dropping it');
      await deps.watch.remove(watched.jobName);
      return;
    }
    throw e;
  }
  if (view.state === 'succeeded' || view.state === 'failed') {
    log.info({ state: view.state, error: view.error }, 'ASR job ended');
    await deps.watch.remove(watched.jobName);
  }
}

/**
 * A recovery-plan job: its per-VM tasks become each member's progress; when it ends, each member's
 * outcome is taken from ASR (a succeeded job: all; a failed one: the members ASR shows done).
 */
async function followPlanJob(deps: WatchDeps, watched: WatchedJob, signal?: AbortSignal): Promise<void> {
  const log = deps.log.child({ runId: watched.runId, jobName: watched.jobName, op: watched.op, plan: watched.vmId });
  const op = watched.op as PlanOpKind;
  const run = await deps.store.get(watched.runId);
  const members = run ? planScope(run, op) : [];
  if (!run || members.length === 0) {
    log.info('no member of the plan waits for this job any more; dropping it');
    await deps.watch.remove(watched.jobName);
    return;
  }
  const apply = (event: RunEvent) => changeRun(deps, run.id, event);
  try {
    const view = await deps.estate.of(watched.vmId).getJob(
      watched.jobName,
      members.map((v) => ({ id: v.id, name: v.name })),
      { abortSignal: signal },
    );
    if (view.state === 'pending') return;
    if (view.state === 'running' || view.state === 'suspended') {
      if (view.state === 'suspended')
        log.warn(
          { task: view.progress.task },
          'ASR plan job suspended: it waits for someone to resume it in the portal',
        );
      for (const vm of members) {
        await apply({
          type: 'op-progress',
          vmId: vm.id,
          op,
          at: new Date(deps.now()).toISOString(),
          progress: view.state === 'suspended' ? view.progress : (view.members?.[vm.id]?.progress ?? view.progress),
        });
      }
      return;
    }
    const shutdownFor = (id: string) => view.members?.[id]?.shutdown;
    let done = members.map((v) => v.id);
    if (view.state === 'failed') {
      log.warn({ asrError: view.error }, 'ASR plan job failed');
      const state = await deps.estate.of(watched.vmId).planOperationState(watched.vmId, op, { abortSignal: signal });
      done = state.state === 'ended' ? [...state.done] : [];
    }
    const errorFor = (id: string) => view.members?.[id]?.error ?? view.error ?? 'ASR plan job failed';
    await settlePlanMembers(deps, run.id, op, done, errorFor, shutdownFor);
    log.info({ state: view.state, done: done.length, of: members.length }, 'ASR plan job ended');
    await deps.watch.remove(watched.jobName);
  } catch (e) {
    if (e instanceof AsrRefusedError && e.status === 404) {
      log.warn('ASR no longer knows the plan job; re-checking the plan');
      await deps.watch.remove(watched.jobName);
      await apply({ type: 'plan-op-lost', op, at: new Date(deps.now()).toISOString() });
      return;
    }
    log.warn({ err: e }, 'could not read the ASR plan job; trying again next tick');
  }
}
