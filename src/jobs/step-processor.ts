import type { Logger } from 'pino';
import type { AsrGateway } from '../azure/gateway';
import { opOf, type OpKind, type Run, type RunVm } from '../domain/run';
import type { RunEvent } from '../domain/run-machine';
import { isAgentNotRegistered } from '../domain/agent-registration';
import { AsrRefusedError } from '../errors';
import type { JobWatchList } from '../store/job-watch';
import type { RunStore } from '../store/run-store';
import type { EffectRunner } from './effects';

export interface StepDeps {
  readonly gateway: AsrGateway;
  readonly store: RunStore;
  readonly watch: JobWatchList;
  readonly effects: EffectRunner;
  readonly pollIntervalMs: number;
  /** Wait between reprotect attempts while the VM's agent registers again. */
  readonly reprotectRetryIntervalMs: number;
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * Runs one step (failover or commit) of a run: issues the ASR operation on each VM of the step
 * exactly once. ASR's state is the source of truth: before issuing, the item is read; an
 * operation it already runs (issued by an earlier attempt whose answer was lost, or from the
 * portal) is followed instead of issued again. The "issuing" checkpoint is saved before the POST.
 * Transient failures throw, so BullMQ retries the step, which then starts again by reading.
 */
export async function runStep(deps: StepDeps, runId: string, step: OpKind, signal?: AbortSignal): Promise<void> {
  const run = await deps.store.require(runId);
  for (const vm of run.vms) {
    const op = opOf(vm, step);
    const due = op?.status === 'waiting' && Date.parse(op.nextAttemptAt ?? '') <= deps.now();
    if (op && (op.status === 'pending' || op.status === 'issuing' || due)) {
      await ensureIssued(deps, run, vm, step, signal);
    }
  }
}

async function ensureIssued(deps: StepDeps, run: Run, vm: RunVm, step: OpKind, signal?: AbortSignal): Promise<void> {
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
    await deps.watch.add({ jobName: state.jobName, runId: run.id, vmId: vm.id, op: step, notBefore: deps.now() + deps.pollIntervalMs });
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

  await apply({ type: 'op-issuing', vmId: vm.id, op: step, at: at() });
  try {
    const { jobName, retryAfterMs } = await deps.gateway.startOperation(
      vm.id,
      step,
      { recoveryPoint: run.recoveryPoint, reprotect: run.reprotect?.choices[vm.id] },
      { abortSignal: signal },
    );
    log.info({ jobName }, 'ASR accepted the operation');
    await deps.watch.add({
      jobName,
      runId: run.id,
      vmId: vm.id,
      op: step,
      notBefore: deps.now() + Math.max(deps.pollIntervalMs, retryAfterMs ?? 0),
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
