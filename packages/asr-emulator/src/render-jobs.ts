/**
 * ARM JSON bodies of ASR jobs and recovery plans. A job read right after its POST is blank
 * (recorded: classic-failback.json step 4): scenarioName, friendlyName and target null, state
 * NotStarted, no tasks. A recovery plan keeps its last scenario after the job ended (recorded:
 * plans-and-jobs.json), a fresh plan has none (`null`).
 */
import type { JobError, JobState, TaskState } from './jobs';
import { TYPES, type VaultState, viewOf } from './model';
import type { PlanSeed } from './types';

type Json = Record<string, unknown>;

function renderError(e: JobError): Json {
  return {
    serviceErrorDetails: {
      code: e.code,
      message: e.message,
      possibleCauses: e.possibleCauses,
      recommendedAction: e.recommendedAction,
    },
    errorLevel: e.errorLevel,
    creationTime: e.creationTime.toISOString(),
    ...(e.taskId ? { taskId: e.taskId } : {}),
  };
}

export function renderJob(v: VaultState, j: JobState): Json {
  const base = { id: v.jobId(j.name), name: j.name, type: TYPES.job };
  const common = {
    activityId: j.activityId,
    errors: j.errors.map(renderError),
    startTime: j.startTime.toISOString(),
    allowedActions: [],
  };
  if (j.blank) {
    const blank = {
      scenarioName: null,
      friendlyName: null,
      state: 'NotStarted',
      stateDescription: 'NotStarted',
      tasks: [],
      targetObjectId: null,
      targetObjectName: null,
      targetInstanceType: null,
      customDetails: null,
    };
    return { ...base, properties: { ...common, ...blank } };
  }
  return {
    ...base,
    properties: {
      ...common,
      scenarioName: j.scenarioName,
      friendlyName: j.friendlyName,
      state: j.state,
      stateDescription: j.stateDescription,
      tasks: renderTasks(j.tasks),
      ...(j.endTime ? { endTime: j.endTime.toISOString() } : {}),
      targetObjectId: j.targetObjectId,
      targetObjectName: j.targetObjectName,
      targetInstanceType: j.targetInstanceType,
      customDetails: j.customDetails,
    },
  };
}

/** A job as ASR lists it (`GET replicationJobs`): state and times, no tasks or errors. */
export function renderJobSummary(v: VaultState, j: JobState): Json {
  const full = renderJob(v, j) as { properties: Record<string, unknown> };
  return { ...full, properties: { ...full.properties, tasks: [], errors: [] } };
}

function renderTask(t: TaskState): Json {
  return {
    taskId: t.taskId,
    name: t.name,
    friendlyName: t.friendlyName,
    state: t.state,
    stateDescription: t.stateDescription,
    ...(t.startTime ? { startTime: t.startTime.toISOString() } : {}),
    ...(t.endTime ? { endTime: t.endTime.toISOString() } : {}),
    allowedActions: [],
    taskType: t.target ? 'VirtualMachineTask' : 'TaskDetails',
    ...(t.target ? { customDetails: { instanceType: 'VirtualMachineTaskDetails' } } : {}),
    errors: t.errors.map(renderError),
  };
}

/** Tasks as ASR lists them: a plan's per-VM tasks nested in one group task per plan group. */
function renderTasks(tasks: readonly TaskState[]): Json[] {
  const out: Json[] = [];
  for (let i = 0; i < tasks.length;) {
    const t = tasks[i]!;
    if (!t.group) {
      out.push(renderTask(t));
      i++;
      continue;
    }
    const group = t.group;
    const children: TaskState[] = [];
    while (i < tasks.length && tasks[i]!.group === group) children.push(tasks[i++]!);
    const state = groupState(children);
    const starts = children.map((c) => c.startTime).filter((d): d is Date => d !== undefined);
    const last = children.at(-1)?.endTime;
    out.push({
      taskId: `${children[0]!.taskId}-group`,
      name: 'GroupTask',
      friendlyName: group.name,
      state,
      stateDescription: state,
      ...(starts[0] ? { startTime: starts[0].toISOString() } : {}),
      ...(state !== 'InProgress' && state !== 'NotStarted' && state !== 'Suspended' && last
        ? { endTime: last.toISOString() }
        : {}),
      allowedActions: [],
      taskType: 'GroupTaskDetails',
      groupTaskCustomDetails: {
        instanceType: group.instanceType,
        name: group.name,
        groupId: group.groupId,
        rpGroupType: group.rpGroupType,
        childTasks: children.map(renderTask),
      },
      errors: [],
    });
  }
  return out;
}

function groupState(children: readonly TaskState[]): string {
  if (children.some((c) => c.state === 'Suspended')) return 'Suspended';
  if (children.every((c) => c.state === 'NotStarted')) return 'NotStarted';
  if (children.some((c) => c.state === 'InProgress' || c.state === 'NotStarted')) return 'InProgress';
  if (children.some((c) => c.state === 'Failed' && c.errors.some((e) => e.errorLevel === 'Error'))) return 'Failed';
  return children.every((c) => c.state === 'Skipped') ? 'Skipped' : 'Succeeded';
}

/** What a plan's currentScenarioStatus says about its last job: InProgress while it runs, then its end state (recorded). */
function planStatus(job: JobState): { status: string; description: string } {
  if (job.state === 'Succeeded' || job.state === 'Failed' || job.state === 'Cancelled')
    return { status: job.state, description: 'Completed' };
  return { status: 'InProgress', description: 'InProgress' };
}

export function renderPlan(v: VaultState, p: PlanSeed): Json {
  const members = v.membersOf(p);
  const providers = [...new Set(members.map((i) => viewOf(i).provider))];
  const first = members[0];
  const fabric = first ? v.fabric(first.fabric) : undefined;
  // A plan allows an operation only when every member allows it.
  const allowed = first
    ? viewOf(first).allowedOperations.filter((op) => members.every((i) => viewOf(i).allowedOperations.includes(op)))
    : [];
  const job = v.planJobs.get(p.name.toLowerCase());
  const status = job ? planStatus(job) : undefined;
  return {
    id: v.planId(p.name),
    name: p.name,
    type: TYPES.plan,
    properties: {
      friendlyName: p.friendlyName,
      primaryFabricId: first ? v.fabricId(first.fabric) : '',
      primaryFabricFriendlyName: fabric?.friendlyName ?? '',
      recoveryFabricId: 'Microsoft Azure',
      recoveryFabricFriendlyName: 'Microsoft Azure',
      failoverDeploymentModel: 'ResourceManager',
      replicationProviders: providers,
      allowedOperations: allowed,
      currentScenario: job
        ? { scenarioName: job.scenarioName, jobId: v.jobId(job.name), startTime: job.startTime.toISOString() }
        : null,
      currentScenarioStatus: status?.status ?? null,
      currentScenarioStatusDescription: status?.description ?? null,
      groups: [
        { groupType: 'Shutdown', replicationProtectedItems: [], startGroupActions: [], endGroupActions: [] },
        { groupType: 'Failover', replicationProtectedItems: [], startGroupActions: [], endGroupActions: [] },
        {
          groupType: 'Boot',
          replicationProtectedItems: members.map((i) => ({ id: v.itemId(i), virtualMachineId: i.name })),
          startGroupActions: [],
          endGroupActions: [],
        },
      ],
      providerSpecificDetails: [],
    },
  };
}
