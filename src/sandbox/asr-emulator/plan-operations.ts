/**
 * Recovery-plan operations: unplanned failover (classic plans), planned failover (modernized
 * plans) and commit run as ONE plan job over every member; plan-level reprotect is refused
 * (VMware plans are reprotected VM by VM). Each member is validated like an item operation.
 */
import type { PlanTaskGroup, TaskFault, TaskTemplate } from './jobs';
import { type ItemState, viewOf } from './model';
import { lroHeaders, type OperationContext } from './operations';
import { armError, type Reply } from './reply';
import type { OperationKind, PlanSeed } from './types';
import { ERROR_CODES, validate } from './validate';

/** Task names of plan jobs; member tasks carry the VM's friendly name in `friendlyName`. */
export const PLAN_TASK_NAMES = {
  prerequisites: 'RecoveryPlanPrerequisitesCheckTask',
  shutdown: 'ShutdownVmTask',
  start: 'StartVmOnPrimaryTask',
  commit: 'FailoverCommitTask',
} as const;

/** The item-level input for one member, from the plan input's providerSpecificDetails array. */
function memberBody(kind: OperationKind, item: ItemState, body: unknown): unknown {
  const p = ((body as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}) as Record<string, unknown>;
  const list = Array.isArray(p.providerSpecificDetails) ? (p.providerSpecificDetails as Record<string, unknown>[]) : [];
  const provider = viewOf(item).provider;
  const details = list.find((d) => d.instanceType === provider);
  if (kind === 'plannedFailover') return { properties: { failoverDirection: p.failoverDirection, providerSpecificDetails: details } };
  return { properties: { failoverDirection: p.failoverDirection, sourceSiteOperations: p.sourceSiteOperations, providerSpecificDetails: details } };
}

const SHUTDOWN_GROUP: PlanTaskGroup = { instanceType: 'RecoveryPlanShutdownGroupTaskDetails', name: 'Group: Shutdown', groupId: 'Shutdown', rpGroupType: 'Shutdown' };
const BOOT_GROUP: PlanTaskGroup = { instanceType: 'RecoveryPlanGroupTaskDetails', name: 'Group 1: Start', groupId: 'Boot1', rpGroupType: 'Boot' };

/** The plan job's tasks: a prerequisites check, then per-VM child tasks inside the plan's groups. */
function planTasks(kind: OperationKind, members: readonly ItemState[]): TaskTemplate[] {
  const tasks: TaskTemplate[] = [{ name: PLAN_TASK_NAMES.prerequisites, friendlyName: 'Prerequisites check for the recovery plan' }];
  if (kind === 'failoverCommit') {
    for (const m of members) tasks.push({ name: PLAN_TASK_NAMES.commit, friendlyName: `Commit the failover of ${m.friendlyName}`, target: m.friendlyName, group: BOOT_GROUP });
    return tasks;
  }
  for (const m of members) tasks.push({ name: PLAN_TASK_NAMES.shutdown, friendlyName: `Shut down the virtual machine in Azure: ${m.friendlyName}`, target: m.friendlyName, group: SHUTDOWN_GROUP });
  for (const m of members) tasks.push({ name: PLAN_TASK_NAMES.start, friendlyName: `Start the virtual machine on the primary (AVS) site: ${m.friendlyName}`, target: m.friendlyName, group: BOOT_GROUP });
  return tasks;
}

/** Validates and starts a plan operation; answers 202 or an ARM error naming the first refused VM. */
export function startPlanOperation(ctx: OperationContext, kind: OperationKind, plan: PlanSeed, body: unknown, apiVersion: string): Reply {
  const members = plan.members.map((m) => ctx.vault.itemNamed(m)).filter((i): i is ItemState => i !== undefined);
  if (kind === 'reprotect') {
    const providers = [...new Set(members.map((m) => viewOf(m).provider))].join(', ');
    return armError(400, ERROR_CODES.notSupported, `Reprotect of the recovery plan '${plan.friendlyName}' is not supported for its replication providers (${providers}). Reprotect each virtual machine of the plan.`);
  }
  if (members.length === 0) return armError(400, ERROR_CODES.notAllowed, `The recovery plan '${plan.friendlyName}' has no protected items.`);
  if (kind === 'unplannedFailover' && members.some((m) => viewOf(m).provider === 'InMage')) {
    const list = ((body as { properties?: { providerSpecificDetails?: { recoveryPointType?: string }[] } })?.properties?.providerSpecificDetails ?? []) as { recoveryPointType?: string }[];
    if (list.some((d) => d.recoveryPointType === 'Custom')) return armError(400, ERROR_CODES.invalid, `A recovery plan failover cannot use a Custom recovery point; use 'LatestTime' or 'LatestTag'.`);
  }
  const now = ctx.now();
  const applies: ((now: number) => void)[] = [];
  for (const m of members) {
    const checked = validate({ vault: ctx.vault, now, agentRegistrationDelayMs: ctx.agentRegistrationDelayMs }, kind, m, memberBody(kind, m, body));
    if (!checked.ok) return checked.error;
    applies.push(checked.apply);
  }
  const faults: TaskFault[] = [];
  if (kind !== 'failoverCommit') {
    for (const m of members) {
      if (ctx.faults.takeShutdownFailure(m.friendlyName)) {
        faults.push({ task: PLAN_TASK_NAMES.shutdown, target: m.friendlyName, level: 'Warning', code: 'AzureVmShutdownFailed', message: `The virtual machine '${m.friendlyName}' in Azure could not be shut down. Shut it down in the Azure portal before you commit.` });
      }
    }
  }
  const failure = ctx.faults.takeJobFailure(kind, plan.friendlyName);
  if (failure) {
    const last = planTasks(kind, members).at(-1);
    faults.push({ task: failure.task ?? last?.name ?? '', target: failure.task ? undefined : last?.target, level: 'Error', code: failure.code ?? 'InjectedJobFailure', message: failure.message ?? `The ${kind} of the recovery plan '${plan.friendlyName}' failed (injected fault).` });
  }
  const job = ctx.jobs.start({
    kind,
    targetObjectId: plan.name,
    targetObjectName: plan.friendlyName,
    targetInstanceType: 'RecoveryPlan',
    tasks: planTasks(kind, members),
    affectedObjectDetails: { RecoveryPlanName: plan.name, ProtectedItemFriendlyNames: members.map((m) => m.friendlyName).join(',') },
    faults,
    done: (finished) => {
      for (const m of members) m.scenario = undefined;
      if (finished.state === 'Succeeded') for (const apply of applies) apply(ctx.now());
    },
  });
  for (const m of members) m.scenario = { scenarioName: job.scenarioName, jobName: job.name, startTime: job.startTime };
  return { status: 202, headers: lroHeaders(ctx, job.name, apiVersion) };
}
