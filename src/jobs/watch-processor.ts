import type { Logger } from 'pino';
import type { AsrGateway } from '../azure/gateway';
import type { RunEvent } from '../domain/run-machine';
import type { JobWatchList, WatchedJob } from '../store/job-watch';
import type { RunStore } from '../store/run-store';
import type { EffectRunner } from './effects';
import { AsrRefusedError, RunNotFoundError } from '../errors';
import { isAgentNotRegistered } from '../domain/agent-registration';
import { AGENT_WAIT, retryFor } from './step-processor';

export interface WatchDeps {
  readonly gateway: AsrGateway;
  readonly store: RunStore;
  readonly watch: JobWatchList;
  readonly effects: EffectRunner;
  readonly now: () => number;
  readonly reprotectRetryIntervalMs: number;
  readonly log: Logger;
}

const READ_CONCURRENCY = 4;

/**
 * One tick of the vault-wide ASR job watcher: reads every watched job that is due and turns what
 * ASR reports into run events (progress, success, failure). A job that cannot be read now is
 * left for the next tick.
 */
export async function watchTick(deps: WatchDeps, signal?: AbortSignal): Promise<void> {
  const now = deps.now();
  const due = (await deps.watch.all()).filter((j) => j.notBefore <= now);
  for (let i = 0; i < due.length; i += READ_CONCURRENCY) {
    await Promise.all(due.slice(i, i + READ_CONCURRENCY).map((j) => followJob(deps, j, signal)));
  }
}

async function followJob(deps: WatchDeps, watched: WatchedJob, signal?: AbortSignal): Promise<void> {
  const log = deps.log.child({ runId: watched.runId, jobName: watched.jobName, op: watched.op });
  let view;
  try {
    view = await deps.gateway.getJob(watched.jobName, { abortSignal: signal });
  } catch (e) {
    if (e instanceof AsrRefusedError && e.status === 404) {
      // The step re-reads the item: it adopts a running operation, records a finished one, or
      // issues again only if ASR shows the operation never happened.
      log.warn('ASR no longer knows the job; re-checking the item');
      await deps.watch.remove(watched.jobName);
      const at = new Date(deps.now()).toISOString();
      const lost = await deps.store.apply(watched.runId, { type: 'op-lost', vmId: watched.vmId, op: watched.op, at });
      if (lost.applied) await deps.effects.run(lost.run, lost.effects);
      return;
    }
    log.warn({ err: e }, 'could not read the ASR job; trying again next tick');
    return;
  }
  const at = new Date(deps.now()).toISOString();
  const base = { vmId: watched.vmId, op: watched.op };
  const event: RunEvent =
    view.state === 'running'
      ? { type: 'op-progress', ...base, progress: view.progress }
      : view.state === 'succeeded'
        ? { type: 'op-succeeded', ...base, at, shutdown: view.shutdown }
        : {
            type: 'op-failed',
            ...base,
            at,
            error: view.error ?? 'ASR job failed',
            shutdown: view.shutdown,
            retry: watched.op === 'reprotect' && isAgentNotRegistered({ message: view.error }) ? retryFor(deps, AGENT_WAIT) : undefined,
          };
  if (view.state === 'failed') log.warn({ asrError: view.error }, 'ASR job failed');
  let result;
  try {
    result = await deps.store.apply(watched.runId, event);
  } catch (e) {
    if (e instanceof RunNotFoundError) {
      log.warn('watched job belongs to no run; dropping it');
      await deps.watch.remove(watched.jobName);
      return;
    }
    throw e;
  }
  if (result.applied) await deps.effects.run(result.run, result.effects);
  if (view.state !== 'running') {
    log.info({ state: view.state, error: view.error }, 'ASR job ended');
    await deps.watch.remove(watched.jobName);
  }
}
