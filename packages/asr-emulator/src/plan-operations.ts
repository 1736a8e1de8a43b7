/**
 * Recovery-plan operations: unplanned failover (classic plans), planned failover (modernized
 * plans) and commit run as ONE plan job over every member; plan-level reprotect is refused
 * (VMware plans are reprotected VM by VM). Each member is validated like an item operation, with
 * the member's own direction rule skipped: the plan's direction is the plan's.
 *
 * Recorded (plans-and-jobs.json): the 202's `{id}` is an operation id that is NOT the job's name,
 * and a plan keeps its last scenario after the job ended. NOT recorded (assumption): a VMware
 * plan's failback direction — PowerShell's plan test and a recorded HyperV plan failback used
 * `RecoveryToPrimary`, so the emulator asks for `RecoveryToPrimary` for both providers.
 */
import { guidFrom } from './ids';
import type { PlanTaskGroup, TaskFault, TaskTemplate } from './jobs';
import { type ItemState, viewOf } from './model';
import { jobDetails, lroHeaders, type OperationContext } from './operations';
import { armError, type Reply } from './reply';
import type { OperationKind, PlanSeed } from './types';
import { ERROR_CODES, validate } from './validate';

/** Task names of plan jobs (structure assumed; the per-VM names are the recorded VM task names). Member tasks carry the VM's friendly name in `friendlyName`. */
export const PLAN_TASK_NAMES = {
  prerequisites: 'RecoveryPlanPrerequisitesCheckTask',
  shutdown: 'VmShutdownVmOnPrimary',
  prepare: 'VmPrepareForFailover',
  start: 'VmFoStartVmOnSecondary',
  commit: 'VmCommit',
} as const;

/** The direction a plan failover must name (assumption, see the header). */
export const PLAN_FAILOVER_DIRECTION = 'RecoveryToPrimary';

/** The item-level input for one member, from the plan input's providerSpecificDetails array. */
function memberBody(kind: OperationKind, item: ItemState, body: unknown): unknown {
  const p = ((body as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}) as Record<
    string,
    unknown
  >;
  const list = Array.isArray(p.providerSpecificDetails) ? (p.providerSpecificDetails as Record<string, unknown>[]) : [];
  const details = list.find((d) => d.instanceType === viewOf(item).provider);
  if (kind === 'plannedFailover') return { properties: { providerSpecificDetails: details } };
  return { properties: { sourceSiteOperations: p.sourceSiteOperations, providerSpecificDetails: details } };
}

const SHUTDOWN_GROUP: PlanTaskGroup = {
  instanceType: 'RecoveryPlanShutdownGroupTaskDetails',
  name: 'Group: Shutdown',
  groupId: 'Shutdown',
  rpGroupType: 'Shutdown',
};
const BOOT_GROUP: PlanTaskGroup = {
  instanceType: 'RecoveryPlanGroupTaskDetails',
  name: 'Group 1: Start',
  groupId: 'Boot1',
  rpGroupType: 'Boot',
};

/** The plan job's tasks: a prerequisites check, then per-VM child tasks inside the plan's groups. */
function planTasks(kind: OperationKind, members: readonly ItemState[], skipShutdown: boolean): TaskTemplate[] {
  const tasks: TaskTemplate[] = [
    { name: PLAN_TASK_NAMES.prerequisites, friendlyName: 'Prerequisites check for the recovery plan' },
  ];
  if (kind === 'failoverCommit') {
    for (const m of members)
      tasks.push({
        name: PLAN_TASK_NAMES.commit,
        friendlyName: `Commit the failover: ${m.friendlyName}`,
        target: m.friendlyName,
        group: BOOT_GROUP,
      });
    return tasks;
  }
  for (const m of members) {
    const shutdown =
      kind === 'plannedFailover'
        ? {
            name: PLAN_TASK_NAMES.prepare,
            friendlyName: `Shut down the virtual machine and synchronize the latest data: ${m.friendlyName}`,
          }
        : { name: PLAN_TASK_NAMES.shutdown, friendlyName: `Shut down the virtual machine: ${m.friendlyName}` };
    tasks.push({
      ...shutdown,
      target: m.friendlyName,
      group: SHUTDOWN_GROUP,
      ...(skipShutdown ? { skipped: true } : {}),
    });
  }
  for (const m of members)
    tasks.push({
      name: PLAN_TASK_NAMES.start,
      friendlyName: `Start the virtual machine: ${m.friendlyName}`,
      target: m.friendlyName,
      group: BOOT_GROUP,
    });
  return tasks;
}

/** The plan's targetObjectId in its jobs: a GUID from its name (assumption: plans expose no GUID). */
export function planTargetId(vaultName: string, plan: PlanSeed): string {
  return guidFrom(`plan/${vaultName}/${plan.name}`);
}

/** Validates and starts a plan operation; answers 202 or an ARM error naming the first refused VM. */
export function startPlanOperation(
  ctx: OperationContext,
  kind: OperationKind,
  plan: PlanSeed,
  body: unknown,
  apiVersion: string,
): Reply {
  const v = ctx.vault;
  const members = v.membersOf(plan);
  if (kind === 'reprotect') {
    const providers = [...new Set(members.map((m) => viewOf(m).provider))].join(', ');
    return armError(
      400,
      ERROR_CODES.notSupported,
      `Reprotect of the recovery plan '${plan.friendlyName}' is not supported for its replication providers (${providers}). Reprotect each virtual machine of the plan.`,
    );
  }
  if (members.length === 0)
    return armError(400, ERROR_CODES.notAllowed, `The recovery plan '${plan.friendlyName}' has no protected items.`);
  const p = ((body as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}) as Record<
    string,
    unknown
  >;
  if (kind !== 'failoverCommit' && p.failoverDirection !== PLAN_FAILOVER_DIRECTION) {
    return armError(
      400,
      ERROR_CODES.invalid,
      `failoverDirection must be '${PLAN_FAILOVER_DIRECTION}' for a failover of the recovery plan '${plan.friendlyName}' (it fails its VMs back from Azure to AVS); got ${p.failoverDirection === undefined || p.failoverDirection === null ? 'nothing' : `'${String(p.failoverDirection)}'`}.`,
    );
  }
  if (kind === 'unplannedFailover') {
    const list = (Array.isArray(p.providerSpecificDetails) ? p.providerSpecificDetails : []) as {
      recoveryPointType?: string;
    }[];
    if (list.some((d) => d.recoveryPointType === 'Custom'))
      return armError(
        400,
        ERROR_CODES.invalid,
        `A recovery plan failover cannot use a Custom recovery point; use 'LatestTime' or 'LatestTag'.`,
      );
  }
  const now = ctx.now();
  const applies: ((now: number) => void)[] = [];
  let skipShutdown = false;
  for (const m of members) {
    const checked = validate(
      { vault: v, now, agentRegistrationDelayMs: ctx.agentRegistrationDelayMs, planMember: true },
      kind,
      m,
      memberBody(kind, m, body),
    );
    if (!checked.ok) return checked.error;
    applies.push(checked.apply);
    skipShutdown ||= checked.skipShutdown === true;
  }
  const tasks = planTasks(kind, members, skipShutdown);
  const faults: TaskFault[] = [];
  if (kind !== 'failoverCommit' && !skipShutdown) {
    const shutdownTask = kind === 'plannedFailover' ? PLAN_TASK_NAMES.prepare : PLAN_TASK_NAMES.shutdown;
    for (const m of members) {
      if (ctx.faults.takeShutdownFailure(m.friendlyName)) {
        faults.push({
          task: shutdownTask,
          target: m.friendlyName,
          level: 'Warning',
          code: 'AzureVmShutdownFailed',
          message: `The virtual machine '${m.friendlyName}' in Azure could not be shut down. Shut it down in the Azure portal before you commit.`,
        });
      }
    }
  }
  const last = tasks.at(-1);
  const failure = ctx.faults.takeJobFailure(kind, plan.friendlyName);
  if (failure) {
    faults.push({
      task: failure.task ?? last?.name ?? '',
      target: failure.task ? undefined : last?.target,
      level: 'Error',
      code: failure.code ?? 'InjectedJobFailure',
      message: failure.message ?? `The ${kind} of the recovery plan '${plan.friendlyName}' failed (injected fault).`,
    });
  }
  const suspend = ctx.faults.takeJobSuspend(kind, plan.friendlyName);
  const job = ctx.jobs.start({
    kind,
    targetObjectId: planTargetId(v.name, plan),
    targetObjectName: plan.friendlyName,
    targetInstanceType: 'RecoveryPlan',
    target: { type: 'plan', name: plan.name },
    tasks,
    customDetails: jobDetails(v, kind, members, {
      RecoveryPlanName: plan.name,
      ProtectedItemFriendlyNames: members.map((m) => m.friendlyName).join(','),
    }),
    faults,
    ...(suspend
      ? { suspendAt: suspend.task ? { task: suspend.task } : { task: last?.name ?? '', target: last?.target } }
      : {}),
    done: (finished) => {
      for (const m of members) m.scenario = undefined;
      if (finished.state === 'Succeeded') for (const apply of applies) apply(ctx.now());
    },
  });
  for (const m of members) m.scenario = { scenarioName: job.scenarioName, jobName: job.name, startTime: job.startTime };
  v.planJobs.set(plan.name.toLowerCase(), job);
  const operationId = ctx.newOperationId();
  ctx.operationIds.set(operationId.toLowerCase(), job.name);
  return { status: 202, headers: lroHeaders(ctx, v.planId(plan.name), operationId, apiVersion) };
}
