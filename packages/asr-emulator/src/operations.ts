/**
 * Item operations as long-running ARM operations, shaped like the recorded 202s
 * (classic-failback.json step 2): `Location: {resource}/operationresults/{id}`,
 * `Azure-AsyncOperation: {vault}/replicationOperationStatus/{id}`, `Retry-After`. For an item
 * `{id}` is the ASR job's name; for a recovery plan it is an operation id that is not the job's
 * name (plans-and-jobs.json operation_status) — the status body's `name` is the job.
 */
import type { FaultRegistry } from './faults';
import { JOB_TASKS, type JobRunner, type JobState, SHUTDOWN_TASK, type TaskFault, type TaskTemplate } from './jobs';
import { type ItemState, jobTargetIdOf, type VaultState } from './model';
import { renderItem } from './render';
import { renderPlan } from './render-jobs';
import { armError, ok, type Reply } from './reply';
import type { OperationKind, RecoveryPointSeed } from './types';
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
  /** Operation ids of plan operations (lower-cased) → job names. */
  readonly operationIds: Map<string, string>;
  readonly newOperationId: () => string;
}

/** The path segment of the operation-status URL (Azure-AsyncOperation). */
export const OPERATION_STATUS = 'replicationOperationStatus';
/** The path segment of the operation-result URL (Location), under the item or plan (recorded) or the vault (kept). */
export const OPERATION_RESULTS = 'operationresults';

/** A job's customDetails: FailoverJobDetails, SwitchProtectionJobDetails (recorded) or AsrJobDetails (commit). */
export function jobDetails(
  v: VaultState,
  kind: OperationKind,
  items: readonly ItemState[],
  affectedObjectDetails: Record<string, string>,
  point?: RecoveryPointSeed,
): Record<string, unknown> {
  if (kind === 'unplannedFailover' || kind === 'plannedFailover') {
    const protectedItemDetails = items.map((i) => ({
      name: i.name,
      friendlyName: i.friendlyName,
      ...(point ? { recoveryPointId: v.pointId(i, point.name), recoveryPointTime: point.time.toISOString() } : {}),
    }));
    return { instanceType: 'FailoverJobDetails', protectedItemDetails, affectedObjectDetails };
  }
  const first = items[0];
  if (kind === 'reprotect' && first)
    return {
      instanceType: 'SwitchProtectionJobDetails',
      newReplicationProtectedItemId: v.itemId(first),
      affectedObjectDetails,
    };
  return { instanceType: 'AsrJobDetails', affectedObjectDetails };
}

/** Validates and starts an operation on an item; answers 202 or an ARM error. */
export function startOperation(
  ctx: OperationContext,
  kind: OperationKind,
  item: ItemState,
  body: unknown,
  apiVersion: string,
): Reply {
  const checked = validate(
    { vault: ctx.vault, now: ctx.now(), agentRegistrationDelayMs: ctx.agentRegistrationDelayMs },
    kind,
    item,
    body,
  );
  if (!checked.ok) return checked.error;
  const taskFaults: TaskFault[] = [...checked.taskFaults];
  const vm = item.friendlyName;

  if (kind === 'reprotect' && item.generation === 'classic') {
    const agent = ctx.faults.takeAgentNotRegistered(vm);
    if (agent?.as === 'refuse') return armError(400, ERROR_CODES.agentNotRegistered, agentNotRegisteredMessage(vm));
    if (agent)
      taskFaults.push({
        task: 'VmReprotectPrerequisitesCheck',
        level: 'Error',
        code: ERROR_CODES.agentNotRegistered,
        message: agentNotRegisteredMessage(vm),
        possibleCauses: 'The Mobility service on the VM has not registered with the configuration server yet.',
        recommendedAction: 'Wait about 15 minutes after the VM started, then retry.',
      });
  }
  const shutdown = SHUTDOWN_TASK[kind];
  if (shutdown && !checked.skipShutdown && ctx.faults.takeShutdownFailure(vm)) {
    taskFaults.push({
      task: shutdown,
      level: 'Warning',
      code: 'AzureVmShutdownFailed',
      message: `The virtual machine '${vm}' in Azure could not be shut down. Shut it down in the Azure portal before you commit.`,
      recommendedAction: 'Shut down the Azure VM manually.',
    });
  }
  const tasks: TaskTemplate[] = JOB_TASKS[kind].map((t) =>
    checked.skipShutdown && t.name === shutdown ? { ...t, skipped: true } : t,
  );
  const last = tasks.at(-1)?.name ?? '';
  const failure = ctx.faults.takeJobFailure(kind, vm);
  if (failure) {
    taskFaults.push({
      task: failure.task ?? last,
      level: 'Error',
      code: failure.code ?? 'InjectedJobFailure',
      message: failure.message ?? `The ${kind} operation failed on the virtual machine '${vm}' (injected fault).`,
      possibleCauses: 'Fault injected by the ASR emulator.',
      recommendedAction: 'Retry the operation.',
    });
  }
  const suspend = ctx.faults.takeJobSuspend(kind, vm);

  const job = ctx.jobs.start({
    kind,
    // Recorded: the GUID the item has when the job starts (a reprotect job carries the InMageRcmFailback id).
    targetObjectId: jobTargetIdOf(item),
    targetObjectName: vm,
    target: { type: 'item', name: item.name },
    tasks,
    customDetails: jobDetails(
      ctx.vault,
      kind,
      [item],
      { PrimaryFabricName: item.fabric, ProtectedItemName: item.name, ProtectedItemFriendlyName: vm },
      checked.point,
    ),
    faults: taskFaults,
    ...(suspend ? { suspendAt: { task: suspend.task ?? last } } : {}),
    done: (finished) => {
      item.scenario = undefined;
      if (finished.state === 'Succeeded') checked.apply(ctx.now());
    },
  });
  item.scenario = { scenarioName: job.scenarioName, jobName: job.name, startTime: job.startTime };
  return { status: 202, headers: lroHeaders(ctx, ctx.vault.itemId(item), job.name, apiVersion) };
}

/** Azure-AsyncOperation, Location and Retry-After of an accepted operation on `resourceId` (item or plan). */
export function lroHeaders(
  ctx: OperationContext,
  resourceId: string,
  operationId: string,
  apiVersion: string,
): Record<string, string> {
  const q = `?api-version=${encodeURIComponent(apiVersion)}`;
  return {
    'Azure-AsyncOperation': `${ctx.baseUrl()}${ctx.vault.id}/${OPERATION_STATUS}/${operationId}${q}`,
    Location: `${ctx.baseUrl()}${resourceId}/${OPERATION_RESULTS}/${operationId}${q}`,
    'Retry-After': String(ctx.retryAfterSeconds),
  };
}

/** The job of an operation id: a plan operation's id, or (items) the job's own name. */
export function jobOfOperation(ctx: OperationContext, id: string): JobState | undefined {
  return ctx.jobs.get(ctx.operationIds.get(id.toLowerCase()) ?? id);
}

function lroStatus(job: JobState): 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled' {
  if (job.state === 'Succeeded' || job.state === 'Failed') return job.state;
  return job.state === 'Cancelled' ? 'Canceled' : 'InProgress';
}

/** GET on the Azure-AsyncOperation URL: `{ id, name: <job name>, status, startTime, endTime, error }` (recorded). */
export function operationStatus(ctx: OperationContext, id: string): Reply {
  const job = jobOfOperation(ctx, id);
  if (!job) return armError(404, 'OperationNotFound', `The operation '${id}' was not found.`);
  const status = lroStatus(job);
  // A failed operation carries its error; a succeeded one may carry a warning (recorded: succeeded with an error to show as a note).
  const error =
    job.errors.find((e) => e.errorLevel === 'Error') ?? (status === 'Succeeded' ? job.errors[0] : undefined);
  const body = {
    id: `${ctx.vault.id}/${OPERATION_STATUS}/${id}`,
    name: job.name,
    status,
    startTime: job.startTime.toISOString(),
    endTime: job.endTime?.toISOString() ?? null,
    error:
      status === 'Failed'
        ? { code: error?.code ?? 'OperationFailed', message: error?.message ?? 'The operation failed.' }
        : error
          ? { code: error.code, message: error.message }
          : null,
  };
  return {
    status: 200,
    body,
    ...(status === 'InProgress' ? { headers: { 'Retry-After': String(ctx.retryAfterSeconds) } } : {}),
  };
}

/** GET on the Location URL: 202 while the job runs, then the item or plan (or the job's error). */
export function operationResult(ctx: OperationContext, id: string, apiVersion: string): Reply {
  const job = jobOfOperation(ctx, id);
  if (!job) return armError(404, 'OperationNotFound', `The operation '${id}' was not found.`);
  const status = lroStatus(job);
  const plan = job.target.type === 'plan' ? ctx.vault.plan(job.target.name) : undefined;
  const item = job.target.type === 'item' ? ctx.vault.items.find((i) => i.name === job.target.name) : undefined;
  if (status === 'InProgress') {
    const resourceId = plan ? ctx.vault.planId(plan.name) : item ? ctx.vault.itemId(item) : ctx.vault.id;
    return { status: 202, headers: lroHeaders(ctx, resourceId, id, apiVersion) };
  }
  if (status === 'Failed') {
    const e = job.errors.find((x) => x.errorLevel === 'Error');
    return armError(400, e?.code ?? 'OperationFailed', e?.message ?? 'The operation failed.');
  }
  if (plan) return ok(renderPlan(ctx.vault, plan));
  return item ? ok(renderItem(ctx.vault, item, ctx.now())) : { status: 204 };
}
