/**
 * Item operations as long-running ARM operations: accept (202 + Azure-AsyncOperation + Location +
 * Retry-After, the job name in both URLs), run the ASR job, serve the two polling URLs.
 */
import type { FaultRegistry } from './faults';
import { JOB_TASKS, type JobRunner, type JobState, type TaskFault, scenarioNameOf } from './jobs';
import type { ItemState, VaultState } from './model';
import { renderItem, renderPlan } from './render';
import { armError, ok, type Reply } from './reply';
import type { OperationKind } from './types';
import { agentNotRegisteredMessage, ERROR_CODES, validate } from './validate';

export interface OperationContext {
  readonly vault: VaultState;
  readonly jobs: JobRunner;
  readonly faults: FaultRegistry;
  readonly now: () => number;
  readonly agentRegistrationDelayMs: number;
  readonly retryAfterSeconds: number;
  /** https://127.0.0.1:PORT */
  readonly baseUrl: () => string;
}

/** The path segment of the operation-status URL (Azure-AsyncOperation). */
export const OPERATION_STATUS = 'replicationOperationStatus';
/** The path segment of the operation-result URL (Location). */
export const OPERATION_RESULTS = 'operationResults';

/** Validates and starts an operation on an item; answers 202 or an ARM error. */
export function startOperation(ctx: OperationContext, kind: OperationKind, item: ItemState, body: unknown, apiVersion: string): Reply {
  const now = ctx.now();
  const checked = validate({ vault: ctx.vault, now, agentRegistrationDelayMs: ctx.agentRegistrationDelayMs }, kind, item, body);
  if (!checked.ok) return checked.error;
  const taskFaults: TaskFault[] = [...checked.taskFaults];

  if (kind === 'reprotect' && item.generation === 'classic') {
    const agent = ctx.faults.takeAgentNotRegistered(item.friendlyName);
    if (agent?.as === 'refuse') return armError(400, ERROR_CODES.agentNotRegistered, agentNotRegisteredMessage(item.friendlyName));
    if (agent) taskFaults.push({ task: 'ReprotectPrerequisitesCheckTask', level: 'Error', code: ERROR_CODES.agentNotRegistered, message: agentNotRegisteredMessage(item.friendlyName), possibleCauses: 'The Mobility service on the VM has not registered with the configuration server yet.', recommendedAction: 'Wait about 15 minutes after the VM started, then retry.' });
  }
  if (kind === 'unplannedFailover' || kind === 'plannedFailover') {
    if (ctx.faults.takeShutdownFailure(item.friendlyName)) {
      taskFaults.push({ task: 'ShutdownVmTask', level: 'Warning', code: 'AzureVmShutdownFailed', message: `The virtual machine '${item.friendlyName}' in Azure could not be shut down. Shut it down in the Azure portal before you commit.`, recommendedAction: 'Shut down the Azure VM manually.' });
    }
  }
  const failure = ctx.faults.takeJobFailure(kind, item.friendlyName);
  if (failure) {
    const tasks = jobTaskNames(kind);
    taskFaults.push({ task: failure.task ?? tasks[tasks.length - 1] ?? '', level: 'Error', code: failure.code ?? 'InjectedJobFailure', message: failure.message ?? `The ${kind} operation failed on the virtual machine '${item.friendlyName}' (injected fault).`, possibleCauses: 'Fault injected by the ASR emulator.', recommendedAction: 'Retry the operation.' });
  }

  const job = ctx.jobs.start({
    kind,
    targetObjectId: item.name,
    targetObjectName: item.friendlyName,
    affectedObjectDetails: { PrimaryFabricName: item.fabric, ProtectedItemName: item.name, ProtectedItemFriendlyName: item.friendlyName },
    faults: taskFaults,
    done: (finished) => {
      item.scenario = undefined;
      if (finished.state === 'Succeeded') checked.apply(ctx.now());
    },
  });
  item.scenario = { scenarioName: scenarioNameOf(kind), jobName: job.name, startTime: job.startTime };
  return { status: 202, headers: lroHeaders(ctx, job.name, apiVersion) };
}

function jobTaskNames(kind: OperationKind): string[] {
  return JOB_TASKS[kind].map((t) => t.name);
}

/** Azure-AsyncOperation, Location and Retry-After of an accepted operation. */
export function lroHeaders(ctx: OperationContext, jobName: string, apiVersion: string): Record<string, string> {
  const base = `${ctx.baseUrl()}${ctx.vault.id}`;
  const q = `?api-version=${encodeURIComponent(apiVersion)}`;
  return {
    'Azure-AsyncOperation': `${base}/${OPERATION_STATUS}/${jobName}${q}`,
    Location: `${base}/${OPERATION_RESULTS}/${jobName}${q}`,
    'Retry-After': String(ctx.retryAfterSeconds),
  };
}

function lroStatus(job: JobState): 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled' {
  if (job.state === 'Succeeded' || job.state === 'Failed') return job.state;
  return job.state === 'Cancelled' ? 'Canceled' : 'InProgress';
}

/** GET on the Azure-AsyncOperation URL. */
export function operationStatus(ctx: OperationContext, jobName: string): Reply {
  const job = ctx.jobs.get(jobName);
  if (!job) return armError(404, 'OperationNotFound', `The operation '${jobName}' was not found.`);
  const status = lroStatus(job);
  const firstError = job.errors.find((e) => e.errorLevel === 'Error');
  const body = {
    id: `${ctx.vault.id}/${OPERATION_STATUS}/${job.name}`,
    name: job.name,
    status,
    startTime: job.startTime.toISOString(),
    ...(job.endTime ? { endTime: job.endTime.toISOString() } : {}),
    ...(status === 'Failed' ? { error: { code: firstError?.code ?? 'OperationFailed', message: firstError?.message ?? 'The operation failed.' } } : {}),
  };
  return { status: 200, body, ...(status === 'InProgress' ? { headers: { 'Retry-After': String(ctx.retryAfterSeconds) } } : {}) };
}

/** GET on the Location URL: 202 while the job runs, then the item or plan (or the job's error). */
export function operationResult(ctx: OperationContext, jobName: string, apiVersion: string): Reply {
  const job = ctx.jobs.get(jobName);
  if (!job) return armError(404, 'OperationNotFound', `The operation '${jobName}' was not found.`);
  const status = lroStatus(job);
  if (status === 'InProgress') return { status: 202, headers: lroHeaders(ctx, job.name, apiVersion) };
  if (status === 'Failed') {
    const e = job.errors.find((x) => x.errorLevel === 'Error');
    return armError(400, e?.code ?? 'OperationFailed', e?.message ?? 'The operation failed.');
  }
  if (job.targetInstanceType === 'RecoveryPlan') {
    const plan = ctx.vault.plan(job.targetObjectId);
    return plan ? ok(renderPlan(ctx.vault, plan)) : { status: 204 };
  }
  const item = ctx.vault.items.find((i) => i.name === job.targetObjectId);
  return item ? ok(renderItem(ctx.vault, item, ctx.now())) : { status: 204 };
}
