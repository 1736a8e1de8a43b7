import type { OperationInput } from '../azure/gateway';
import { opOf, type Run } from '../domain/run';
import { planScope, type PlanOpKind, type RunEvent } from '../domain/run-machine';
import type { ShutdownOutcome } from '../domain/run';
import { AsrRefusedError } from '../errors';
import { OperationBusyError } from '../errors';
import type { StepDeps } from './step-processor';
import { isDue, unconfirmedSince } from './op-due';
import { BLOCKED_RECHECKS, recheckDelayMs } from '../domain/rechecks';
import { changeRun } from './change-run';

type Deps = Pick<StepDeps, 'estate' | 'store' | 'watch' | 'effects' | 'pollIntervalMs' | 'issueLockMs' | 'now' | 'log'>;

const apply = (deps: Pick<Deps, 'store' | 'effects' | 'log'>, runId: string, event: RunEvent) =>
  changeRun(deps, runId, event);

/**
 * Issues `step` once on the run's recovery plan, for every VM whose op goes through the plan, under
 * a per-plan issue lock. As for a VM, ASR is read first: a plan job already running is followed, an
 * operation the members already show done is recorded per member, and only then is the POST sent.
 */
export async function ensurePlanIssued(deps: Deps, stale: Run, step: PlanOpKind, signal?: AbortSignal): Promise<void> {
  const plan = stale.plan;
  if (!plan) return;
  const lockKey = `issue:${step}:${plan.id.toLowerCase()}`;
  const token = await deps.store.lock(lockKey, deps.issueLockMs);
  if (!token) throw new OperationBusyError(`another worker is issuing the ${step} of recovery plan ${plan.name}`);
  try {
    const run = await deps.store.require(stale.id);
    const due = planScope(run, step).filter((v) => isDue(opOf(v, step), deps.now()));
    if (due.length > 0) await issuePlan(deps, run, step, signal);
  } finally {
    await deps.store.unlock(lockKey, token);
  }
}

async function issuePlan(deps: Deps, run: Run, step: PlanOpKind, signal?: AbortSignal): Promise<void> {
  const plan = run.plan!;
  const at = () => new Date(deps.now()).toISOString();
  const log = deps.log.child({ runId: run.id, plan: plan.name, step });
  const ops = planScope(run, step).map((v) => opOf(v, step));
  const first = ops.find((o) => o?.unconfirmedPostAt) ?? ops[0];
  const state = await deps.estate.of(plan.id).planOperationState(plan.id, step, {
    abortSignal: signal,
    issuedSince: unconfirmedSince(first),
  });
  const checks = Math.max(0, ...ops.map((o) => o?.checks ?? 0));
  const defer = (reason: string) => {
    const notBefore = new Date(deps.now() + recheckDelayMs(deps.pollIntervalMs, checks + 1)).toISOString();
    return apply(deps, run.id, { type: 'plan-op-deferred', op: step, at: at(), reason, notBefore });
  };

  if (state.state === 'running') {
    log.info({ jobName: state.jobName }, 'ASR already runs the plan operation; following it');
    await deps.watch.add({
      jobName: state.jobName,
      runId: run.id,
      vmId: plan.id,
      op: step,
      plan: true,
      notBefore: deps.now(),
    });
    await apply(deps, run.id, { type: 'plan-op-started', op: step, jobName: state.jobName, at: at() });
    return;
  }
  if (state.state === 'ended') {
    log.info({ done: state.done.length }, 'ASR shows the plan operation already ended');
    await settlePlanMembers(
      deps,
      run.id,
      step,
      state.done,
      () => `ASR does not show the ${step} of this VM done after the recovery plan’s ${step}`,
    );
    return;
  }
  if (state.state === 'busy') {
    log.info(
      { reason: state.reason, jobName: state.jobName },
      'ASR cannot take the plan operation now; looking again later',
    );
    await defer(state.reason);
    return;
  }
  if (state.state === 'blocked') {
    if (checks < BLOCKED_RECHECKS) {
      log.info(
        { reason: state.reason, checks },
        'ASR does not allow the plan operation now; reading again before believing it',
      );
      await defer(state.reason);
      return;
    }
    log.warn({ reason: state.reason }, 'plan operation cannot start');
    await apply(deps, run.id, { type: 'plan-op-refused', op: step, at: at(), error: state.reason });
    return;
  }

  const issuing = await apply(deps, run.id, { type: 'plan-op-issuing', op: step, at: at() });
  // Refused unless an earlier attempt left the checkpoint (then its POST may not have happened).
  if (!issuing.applied && !planScope(issuing.run, step).every((v) => opOf(v, step)?.status === 'issuing')) {
    log.info({ reason: issuing.reason }, 'plan operation not issued');
    return;
  }
  try {
    const timeout = AbortSignal.timeout(Math.floor(deps.issueLockMs * 0.75));
    const input: OperationInput = { recoveryPoint: run.recoveryPoint };
    const { jobName } = await deps.estate.of(plan.id).startPlanOperation(plan.id, step, input, {
      abortSignal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    log.info({ jobName }, 'ASR accepted the plan operation');
    await deps.watch.add({
      jobName,
      runId: run.id,
      vmId: plan.id,
      op: step,
      plan: true,
      // Read at the next tick (the 202's Retry-After is about polling the operation, which we do
      // not do): the job's end is then seen within one poll interval.
      notBefore: deps.now(),
    });
    await apply(deps, run.id, { type: 'plan-op-started', op: step, jobName, at: at() });
  } catch (e) {
    if (e instanceof AsrRefusedError && e.status === 409) {
      log.info({ asrCode: e.asrCode, asrMessage: e.asrMessage }, 'ASR is busy with another operation on the plan');
      await defer(`ASR is busy with another operation on the recovery plan: ${e.asrMessage}`);
      return;
    }
    if (e instanceof AsrRefusedError) {
      log.warn({ err: e, asrCode: e.asrCode, asrMessage: e.asrMessage }, 'ASR refused the plan operation');
      await apply(deps, run.id, { type: 'plan-op-refused', op: step, at: at(), error: e.asrMessage });
      return;
    }
    throw e;
  }
}

/**
 * Records the outcome of a plan operation per member: succeeded where ASR shows the operation
 * done on the VM, failed (with ASR's message for that VM) elsewhere.
 */
export async function settlePlanMembers(
  deps: Pick<Deps, 'store' | 'effects' | 'now' | 'log'>,
  runId: string,
  op: PlanOpKind,
  doneIds: readonly string[],
  errorFor: (vmId: string) => string,
  shutdownFor: (vmId: string) => ShutdownOutcome | undefined = () => undefined,
): Promise<void> {
  const run = await deps.store.require(runId);
  const done = new Set(doneIds.map((id) => id.toLowerCase()));
  const at = new Date(deps.now()).toISOString();
  for (const vm of planScope(run, op)) {
    const base = { vmId: vm.id, op, at, shutdown: shutdownFor(vm.id) };
    await apply(
      deps,
      runId,
      done.has(vm.id.toLowerCase())
        ? { type: 'op-succeeded', ...base }
        : { type: 'op-failed', ...base, error: errorFor(vm.id) },
    );
  }
}
