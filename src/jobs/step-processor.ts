import type { Logger } from 'pino';
import type { AsrGateway } from '../azure/gateway';
import { opOf, type OpKind, type Run, type RunVm } from '../domain/run';
import { planScope } from '../domain/run-machine';
import type { RunEvent } from '../domain/run-machine';
import { isAgentNotRegistered } from '../domain/agent-registration';
import { AsrRefusedError } from '../errors';
import type { JobWatchList } from '../store/job-watch';
import type { RunStore } from '../store/run-store';
import type { EffectRunner } from './effects';
import { ensurePlanIssued } from './plan-step';
import { NotDueYetError, OperationBusyError } from './step-errors';

export interface StepDeps {
  readonly gateway: AsrGateway;
  readonly store: RunStore;
  readonly watch: JobWatchList;
  readonly effects: EffectRunner;
  readonly pollIntervalMs: number;
  /** Wait between reprotect attempts while the VM's agent registers again. */
  readonly reprotectRetryIntervalMs: number;
  /**
   * How long one worker may hold a VM's issue lock. A worker killed while holding it delays that
   * VM's operation by at most this long; kept near the job lock, after which BullMQ retries anyway.
   */
  readonly issueLockMs: number;
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * Runs one step (failover, commit or reprotect) of a run: issues the ASR operation on each VM of
 * the step exactly once — or once on the run's recovery plan for the VMs that go through it. ASR's state is the source of truth: before issuing, the item is read; an
 * operation it already runs (issued by an earlier attempt whose answer was lost, or from the
 * portal) is followed instead of issued again. The "issuing" checkpoint is saved before the POST.
 * Transient failures throw, so BullMQ retries the step, which then starts again by reading.
 */
export { NotDueYetError, OperationBusyError };

export async function runStep(deps: StepDeps, runId: string, step: OpKind, signal?: AbortSignal): Promise<void> {
  const run = await deps.store.require(runId);
  if (run.cancelled) return;
  if (run.plan && step !== 'reprotect' && planScope(run, step).some((v) => isUnissued(opOf(v, step)?.status))) {
    await ensurePlanIssued(deps, run, step, signal);
  }
  let earliestWait: number | undefined;
  for (const vm of run.vms) {
    const op = opOf(vm, step);
    if (!op || op.viaPlan) continue;
    if (op.status === 'waiting') {
      const at = Date.parse(op.nextAttemptAt ?? '');
      if (at > deps.now()) {
        earliestWait = Math.min(earliestWait ?? at, at);
        continue;
      }
    }
    if (op.status === 'pending' || op.status === 'issuing' || op.status === 'waiting') {
      await ensureIssued(deps, run, vm, step, signal);
    }
  }
  // A retry job that runs early (process clocks differ) must not drop the attempt: come back then.
  if (earliestWait !== undefined) throw new NotDueYetError(earliestWait - deps.now());
}


export const isUnissued = (status: string | undefined) => status === 'pending' || status === 'issuing';

/**
 * Issues `step` on one VM under a per-VM lock: two workers (a duplicated job, an early retry)
 * never read-then-POST at the same time, and the op's state is re-read under the lock.
 */
async function ensureIssued(deps: StepDeps, stale: Run, staleVm: RunVm, step: OpKind, signal?: AbortSignal): Promise<void> {
  const lockKey = `issue:${step}:${staleVm.id.toLowerCase()}`;
  const token = await deps.store.lock(lockKey, deps.issueLockMs);
  if (!token) throw new OperationBusyError(`another worker is issuing the ${step} of ${staleVm.name}`);
  try {
    const run = await deps.store.require(stale.id);
    const vm = run.vms.find((v) => v.id === staleVm.id);
    const op = vm && opOf(vm, step);
    const due = op?.status === 'waiting' && Date.parse(op.nextAttemptAt ?? '') <= deps.now();
    if (!vm || !op || !(op.status === 'pending' || op.status === 'issuing' || due)) return;
    await issue(deps, run, vm, step, signal);
  } finally {
    await deps.store.unlock(lockKey, token);
  }
}

async function issue(deps: StepDeps, run: Run, vm: RunVm, step: OpKind, signal?: AbortSignal): Promise<void> {
  const at = () => new Date(deps.now()).toISOString();
  const apply = async (event: RunEvent) => {
    const r = await deps.store.apply(run.id, event);
    if (r.applied) await deps.effects.run(r.run, r.effects);
    return r;
  };
  const log = deps.log.child({ runId: run.id, vm: vm.name, step });
  const state = await deps.gateway.operationState(vm.id, step, { abortSignal: signal });

  if (state.state === 'running') {
    log.info({ jobName: state.jobName }, 'ASR already runs the operation; following it');
    // Watch first: a crash between the two leaves a watched job, never a running op nobody follows.
    await deps.watch.add({ jobName: state.jobName, runId: run.id, vmId: vm.id, op: step, notBefore: deps.now() });
    await apply({ type: 'op-started', vmId: vm.id, op: step, jobName: state.jobName, at: at() });
    return;
  }
  if (state.state === 'done') {
    log.info('ASR shows the operation already done');
    await apply({ type: 'op-succeeded', vmId: vm.id, op: step, at: at() });
    return;
  }
  if (state.state === 'waiting') {
    log.info({ reason: state.reason }, 'not yet: trying again later');
    await apply({
      type: 'op-failed',
      vmId: vm.id,
      op: step,
      at: at(),
      error: `${vm.name}: still waiting for ${state.reason}`,
      retry: retryFor(deps, state.reason),
    });
    return;
  }
  if (state.state === 'blocked') {
    log.warn({ reason: state.reason }, 'operation cannot start');
    await apply({ type: 'op-failed', vmId: vm.id, op: step, at: at(), error: `${vm.name} ${state.reason}` });
    return;
  }

  const issuing = await apply({ type: 'op-issuing', vmId: vm.id, op: step, at: at() });
  // Refused unless an earlier attempt left the checkpoint (then its POST may not have happened).
  const checkpoint = issuing.run.vms.find((v) => v.id === vm.id);
  if (!issuing.applied && (!checkpoint || opOf(checkpoint, step)?.status !== 'issuing')) {
    log.info({ reason: issuing.reason }, 'not issued');
    return;
  }
  try {
    // The POST ends (or is aborted: outcome unknown, read next time) before the issue lock expires.
    const timeout = AbortSignal.timeout(Math.floor(deps.issueLockMs * 0.75));
    const { jobName } = await deps.gateway.startOperation(
      vm.id,
      step,
      { recoveryPoint: run.recoveryPoint, reprotect: run.reprotect?.choices[vm.id] },
      { abortSignal: signal ? AbortSignal.any([signal, timeout]) : timeout },
    );
    log.info({ jobName }, 'ASR accepted the operation');
    await deps.watch.add({
      jobName,
      runId: run.id,
      vmId: vm.id,
      op: step,
      // Read at the next tick (the 202's Retry-After is about polling the operation, which we do
      // not do): the job's end is then seen within one poll interval.
      notBefore: deps.now(),
    });
    await apply({ type: 'op-started', vmId: vm.id, op: step, jobName, at: at() });
  } catch (e) {
    if (e instanceof AsrRefusedError) {
      const agent = step === 'reprotect' && isAgentNotRegistered({ code: e.asrCode, message: e.asrMessage });
      // The raw error is logged every time, so the agent matcher can be refined from the field.
      log.warn({ err: e, asrCode: e.asrCode, asrMessage: e.asrMessage, agentNotRegistered: agent }, 'ASR refused the operation');
      await apply({
        type: 'op-failed',
        vmId: vm.id,
        op: step,
        at: at(),
        error: e.asrMessage,
        retry: agent ? retryFor(deps, AGENT_WAIT) : undefined,
      });
      return;
    }
    throw e;
  }
}

export const AGENT_WAIT = 'the VM’s agent (Mobility service) to register again';

export function retryFor(deps: { reprotectRetryIntervalMs: number }, waitingFor: string) {
  return { intervalMs: deps.reprotectRetryIntervalMs, waitingFor };
}
