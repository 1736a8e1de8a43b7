import type { Logger } from 'pino';
import type { OperationState } from '../azure/gateway';
import type { AsrEstate } from '../azure/estate';
import { opOf, type OpKind, type OpState, type Run, type RunVm } from '../domain/run';
import { BLOCKED_RECHECKS, recheckDelayMs } from '../domain/rechecks';
import { isDue, unconfirmedSince } from './op-due';
import { planScope } from '../domain/run-machine';
import type { RunEvent } from '../domain/run-machine';
import { isAgentNotRegistered } from '../domain/agent-registration';
import { AsrRefusedError } from '../errors';
import type { JobWatchList } from '../store/job-watch';
import type { RunStore } from '../store/run-store';
import type { EffectRunner } from './effects';
import { ensurePlanIssued } from './plan-step';
import { NotDueYetError, OperationBusyError } from '../errors';
import { changeRun } from './change-run';

export interface StepDeps {
  readonly estate: AsrEstate;
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
 * the step exactly once — or once on the run's recovery plan for the VMs that go through it. ASR's
 * state is the source of truth: before issuing, the item is read; an operation it already runs
 * (issued by an earlier attempt whose answer was lost, or from the portal) is followed instead of
 * issued again. The "issuing" checkpoint is saved before the POST. Transient failures throw, so
 * BullMQ retries the step, which then starts again by reading.
 */
export async function runStep(deps: StepDeps, runId: string, step: OpKind, signal?: AbortSignal): Promise<void> {
  const run = await deps.store.require(runId);
  if (run.cancelled) return;
  // Nothing new starts in ASR unseen: not before the run's card is posted (card-posted queues the
  // failover), not while Slack refuses its channel (channel-restored resumes the run).
  if (run.channelLost || (step === 'failover' && !run.card)) {
    deps.log.info(
      { runId, step, channelLost: run.channelLost?.error },
      'step waits until the run can be seen in its channel',
    );
    return;
  }
  const now = deps.now();
  let earliestWait: number | undefined;
  const later = (op: OpState) => {
    const at = Date.parse(op.nextAttemptAt ?? '');
    earliestWait = Math.min(earliestWait ?? at, at);
  };
  if (run.plan && step !== 'reprotect') {
    const scope = planScope(run, step)
      .map((v) => opOf(v, step))
      .filter((op): op is OpState => op !== undefined);
    if (scope.some((op) => isDue(op, now))) await ensurePlanIssued(deps, run, step, signal);
    else scope.filter((op) => op.status === 'waiting').forEach(later);
  }
  for (const vm of run.vms) {
    const op = opOf(vm, step);
    if (!op || op.viaPlan) continue;
    if (isDue(op, now)) await ensureIssued(deps, run, vm, step, signal);
    else if (op.status === 'waiting') later(op);
  }
  // A retry job that runs early (process clocks differ) must not drop the attempt: come back then.
  if (earliestWait !== undefined && earliestWait > now) throw new NotDueYetError(earliestWait - now);
}

/**
 * Issues `step` on one VM under a per-VM lock: two workers (a duplicated job, an early retry)
 * never read-then-POST at the same time, and the op's state is re-read under the lock.
 */
async function ensureIssued(
  deps: StepDeps,
  stale: Run,
  staleVm: RunVm,
  step: OpKind,
  signal?: AbortSignal,
): Promise<void> {
  const lockKey = `issue:${step}:${staleVm.id.toLowerCase()}`;
  const token = await deps.store.lock(lockKey, deps.issueLockMs);
  if (!token) throw new OperationBusyError(`another worker is issuing the ${step} of ${staleVm.name}`);
  try {
    const run = await deps.store.require(stale.id);
    const vm = run.vms.find((v) => v.id === staleVm.id);
    const op = vm && opOf(vm, step);
    if (!vm || !op || !isDue(op, deps.now())) return;
    await issue(deps, run, vm, step, op, signal);
  } finally {
    await deps.store.unlock(lockKey, token);
  }
}

/** One issue attempt of `step` on `vm`: who, what, and how to record what happens. */
interface IssueAttempt {
  readonly deps: StepDeps;
  readonly run: Run;
  readonly vm: RunVm;
  readonly step: OpKind;
  readonly current: OpState;
  readonly signal?: AbortSignal | undefined;
  readonly log: Logger;
  at(): string;
  apply(event: RunEvent): ReturnType<typeof changeRun>;
  /** The run waits: ASR is read again after the back-off (see domain/rechecks). */
  defer(reason: string): ReturnType<typeof changeRun>;
}

async function issue(
  deps: StepDeps,
  run: Run,
  vm: RunVm,
  step: OpKind,
  current: OpState,
  signal?: AbortSignal,
): Promise<void> {
  const at = () => new Date(deps.now()).toISOString();
  const apply = (event: RunEvent) => changeRun(deps, run.id, event);
  const attempt: IssueAttempt = {
    deps,
    run,
    vm,
    step,
    current,
    signal,
    log: deps.log.child({ runId: run.id, vm: vm.name, step }),
    at,
    apply,
    defer: (reason) => {
      const notBefore = new Date(
        deps.now() + recheckDelayMs(deps.pollIntervalMs, (current.checks ?? 0) + 1),
      ).toISOString();
      return apply({ type: 'op-deferred', vmId: vm.id, op: step, at: at(), reason, notBefore });
    },
  };
  const state = await deps.estate.of(vm.id).operationState(vm.id, step, {
    abortSignal: signal,
    issuedSince: unconfirmedSince(current),
  });
  if (state.state === 'ready') await post(attempt);
  else await followAsr(attempt, state);
}

/** ASR says the operation runs, is done, failed, or cannot start now: record that, never POST. */
async function followAsr(a: IssueAttempt, state: Exclude<OperationState, { state: 'ready' }>): Promise<void> {
  const { deps, vm, step, log } = a;
  const base = { vmId: vm.id, op: step, at: a.at() };
  switch (state.state) {
    case 'running':
      log.info({ jobName: state.jobName }, 'ASR already runs the operation; following it');
      // Watch first: a crash between the two leaves a watched job, never a running op nobody follows.
      await deps.watch.add({ jobName: state.jobName, runId: a.run.id, vmId: vm.id, op: step, notBefore: deps.now() });
      await a.apply({ type: 'op-started', ...base, jobName: state.jobName });
      return;
    case 'done':
      log.info({ jobName: state.jobName }, 'ASR shows the operation already done');
      await a.apply({ type: 'op-succeeded', ...base, jobName: state.jobName });
      return;
    case 'failed': {
      // A job of an earlier attempt (whose answer was lost) failed: its outcome, never a second POST.
      const agent = step === 'reprotect' && isAgentNotRegistered({ message: state.error });
      log.warn(
        { jobName: state.jobName, asrError: state.error, agentNotRegistered: agent },
        'the earlier attempt’s ASR job failed',
      );
      await a.apply({
        type: 'op-failed',
        ...base,
        error: state.error,
        jobName: state.jobName,
        retry: agent ? retryFor(deps, AGENT_WAIT) : undefined,
      });
      return;
    }
    case 'waiting':
      log.info({ reason: state.reason }, 'not yet: trying again later');
      await a.apply({
        type: 'op-failed',
        ...base,
        error: `${vm.name}: still waiting for ${state.reason}`,
        retry: retryFor(deps, state.reason),
      });
      return;
    case 'busy':
      log.info(
        { reason: state.reason, jobName: state.jobName },
        'ASR cannot take the operation now; looking again later',
      );
      await a.defer(state.reason);
      return;
    case 'blocked':
      if ((a.current.checks ?? 0) < BLOCKED_RECHECKS) {
        log.info(
          { reason: state.reason, checks: a.current.checks ?? 0 },
          'ASR does not allow the operation now; reading again before believing it',
        );
        await a.defer(state.reason);
        return;
      }
      log.warn({ reason: state.reason }, 'operation cannot start');
      await a.apply({ type: 'op-failed', ...base, error: `${vm.name} ${state.reason}` });
  }
}

/** The POST, after the "issuing" checkpoint; its job is watched at once. */
async function post(a: IssueAttempt): Promise<void> {
  const { deps, run, vm, step, log } = a;
  const issuing = await a.apply({ type: 'op-issuing', vmId: vm.id, op: step, at: a.at() });
  // Refused unless an earlier attempt left the checkpoint (then its POST may not have happened).
  const checkpoint = issuing.run.vms.find((v) => v.id === vm.id);
  if (!issuing.applied && (!checkpoint || opOf(checkpoint, step)?.status !== 'issuing')) {
    log.info({ reason: issuing.reason }, 'not issued');
    return;
  }
  try {
    // The POST ends (or is aborted: outcome unknown, read next time) before the issue lock expires.
    const timeout = AbortSignal.timeout(Math.floor(deps.issueLockMs * 0.75));
    const { jobName } = await deps.estate
      .of(vm.id)
      .startOperation(
        vm.id,
        step,
        { recoveryPoint: run.recoveryPoint, reprotect: run.reprotect?.choices[vm.id] },
        { abortSignal: a.signal ? AbortSignal.any([a.signal, timeout]) : timeout },
      );
    log.info({ jobName }, 'ASR accepted the operation');
    // Read at the next tick (the 202's Retry-After is about polling the operation, which we do
    // not do): the job's end is then seen within one poll interval.
    await deps.watch.add({ jobName, runId: run.id, vmId: vm.id, op: step, notBefore: deps.now() });
    await a.apply({ type: 'op-started', vmId: vm.id, op: step, jobName, at: a.at() });
  } catch (e) {
    if (!(e instanceof AsrRefusedError)) throw e;
    await refused(a, e);
  }
}

/** ASR refused the POST: nothing started. A 409 (another operation got there first) is waited out. */
async function refused(a: IssueAttempt, e: AsrRefusedError): Promise<void> {
  const { deps, run, step, log } = a;
  if (e.status === 409) {
    log.info({ asrCode: e.asrCode, asrMessage: e.asrMessage }, 'ASR is busy with another operation on the VM');
    await a.defer(`ASR is busy with another operation on it: ${e.asrMessage}`);
    return;
  }
  const agent = step === 'reprotect' && isAgentNotRegistered({ code: e.asrCode, message: e.asrMessage });
  // The raw error is logged every time, so the agent matcher can be refined from the field.
  log.warn(
    { err: e, asrCode: e.asrCode, asrMessage: e.asrMessage, agentNotRegistered: agent },
    'ASR refused the operation',
  );
  // A specific point (Custom) for a failback is not in the tutorial and was never recorded: say what to do instead.
  const hint =
    step === 'failover' && run.recoveryPoint.kind === 'specific'
      ? ' — ASR refused the failback to a specific recovery point; nothing was done. Request it again with “Latest”.'
      : '';
  await a.apply({
    type: 'op-failed',
    vmId: a.vm.id,
    op: step,
    at: a.at(),
    error: `${e.asrMessage}${hint}`,
    retry: agent ? retryFor(deps, AGENT_WAIT) : undefined,
  });
}

export const AGENT_WAIT = 'the VM’s agent (Mobility service) to register again';

export function retryFor(deps: { reprotectRetryIntervalMs: number }, waitingFor: string) {
  return { intervalMs: deps.reprotectRetryIntervalMs, waitingFor };
}
