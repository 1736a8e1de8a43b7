/**
 * ARM JSON bodies, shaped like Microsoft's samples and the SDK's mappers (dates as ISO strings).
 */
import type { JobError, JobState, TaskState } from './jobs';
import { TYPES, type ItemState, type VaultState, viewOf } from './model';
import type { FabricSeed, PlanSeed, PolicySeed, RecoveryPointSeed } from './types';

type Json = Record<string, unknown>;

/** The item's `currentScenario` when nothing runs, as ASR shows it. */
const NO_SCENARIO_TIME = '1753-01-01T01:01:01Z';

export function renderFabric(v: VaultState, f: FabricSeed): Json {
  return {
    id: v.fabricId(f.name),
    name: f.name,
    type: TYPES.fabric,
    properties: {
      friendlyName: f.friendlyName,
      encryptionDetails: { kekState: 'None' },
      rolloverEncryptionDetails: { kekState: 'None' },
      internalIdentifier: f.name,
      bcdrState: 'Valid',
      customDetails: f.customDetails,
      healthErrorDetails: [],
      health: 'Normal',
    },
  };
}

export function renderContainer(v: VaultState, f: FabricSeed, c: { name: string; friendlyName: string }): Json {
  return {
    id: v.containerId(f.name, c.name),
    name: c.name,
    type: TYPES.container,
    properties: {
      fabricFriendlyName: f.friendlyName,
      friendlyName: c.friendlyName,
      fabricType: String(f.customDetails.instanceType ?? ''),
      protectedItemCount: v.items.filter((i) => i.fabric === f.name && i.container === c.name).length,
      pairingStatus: 'Paired',
      role: 'Primary',
      fabricSpecificDetails: {},
    },
  };
}

export function renderItem(v: VaultState, item: ItemState, now: number): Json {
  const view = viewOf(item);
  const fabric = v.fabric(item.fabric);
  const policy = v.policy(item.policy);
  const scenario = item.scenario
    ? { scenarioName: item.scenario.scenarioName, jobId: v.jobId(item.scenario.jobName), startTime: item.scenario.startTime.toISOString() }
    : { scenarioName: 'None', jobId: v.jobId('None'), startTime: NO_SCENARIO_TIME };
  return {
    id: v.itemId(item),
    name: item.name,
    type: TYPES.item,
    properties: {
      friendlyName: item.friendlyName,
      protectedItemType: 'VMwareVirtualMachine',
      protectableItemId: `${v.containerId(item.fabric, item.container)}/replicationProtectableItems/${item.name}`,
      primaryFabricFriendlyName: fabric?.friendlyName ?? item.fabric,
      primaryFabricProvider: item.generation === 'classic' ? 'VMware' : 'InMageRcmFabric',
      recoveryFabricFriendlyName: 'Microsoft Azure',
      recoveryFabricId: 'Microsoft Azure',
      primaryProtectionContainerFriendlyName: fabric?.containers.find((c) => c.name === item.container)?.friendlyName ?? item.container,
      recoveryProtectionContainerFriendlyName: 'Microsoft Azure',
      protectionState: view.protectionState,
      protectionStateDescription: view.protectionStateDescription,
      activeLocation: view.activeLocation,
      testFailoverState: 'None',
      testFailoverStateDescription: 'None',
      allowedOperations: [...view.allowedOperations],
      replicationHealth: view.replicationHealth,
      failoverHealth: 'Normal',
      healthErrors: [],
      policyId: v.policyId(item.policy),
      policyFriendlyName: policy?.friendlyName ?? item.policy,
      ...(item.lastFailoverTime ? { lastSuccessfulFailoverTime: item.lastFailoverTime.toISOString() } : {}),
      currentScenario: scenario,
      ...(item.failoverPointId ? { failoverRecoveryPointId: item.failoverPointId } : {}),
      providerSpecificDetails: providerDetails(v, item, now),
    },
  };
}

function providerDetails(v: VaultState, item: ItemState, now: number): Json {
  const view = viewOf(item);
  const newest = item.points[0];
  const rpo = newest ? Math.round((now - newest.time.getTime()) / 1000) : undefined;
  switch (view.provider) {
    case 'InMage':
    case 'InMageAzureV2':
      return {
        instanceType: view.provider,
        osDetails: { osType: item.osType },
        osVersion: item.osType === 'Windows' ? 'Windows Server 2019' : 'Ubuntu 22.04',
        vmId: item.name,
        infrastructureVmId: `vm-${item.friendlyName}`,
        protectionStage: view.provider === 'InMage' ? 'Resync' : 'InitialReplication',
        ipAddress: '10.10.3.10',
        lastHeartbeat: new Date(now - 60_000).toISOString(),
        ...(rpo !== undefined ? { rpoInSeconds: rpo } : {}),
        ...(item.processServerId ? { processServerId: item.processServerId } : {}),
        ...(item.masterTargetId ? { masterTargetId: item.masterTargetId } : {}),
        ...(newest ? { retentionWindowStart: item.points[item.points.length - 1]?.time.toISOString(), retentionWindowEnd: newest.time.toISOString() } : {}),
        // Where a VM replicating to Azure keeps its data and logs (the vault's cache storage accounts).
        ...(view.provider === 'InMageAzureV2'
          ? {
              recoveryAzureStorageAccount: `/subscriptions/${v.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.Storage/storageAccounts/avsdrcache01`,
              recoveryAzureLogStorageAccountId: `/subscriptions/${v.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.Storage/storageAccounts/avsdrlogs01`,
            }
          : {}),
      };
    case 'InMageRcmFailback': {
      const lastUsed = v.policies.find((p) => p.providerSpecificDetails.instanceType === 'InMageRcm');
      return {
        instanceType: 'InMageRcmFailback',
        osType: item.osType,
        targetVmName: item.friendlyName,
        ...(lastUsed ? { lastUsedPolicyId: v.policyId(lastUsed.name), lastUsedPolicyFriendlyName: lastUsed.friendlyName } : {}),
        isAgentRegistrationSuccessfulAfterFailover: item.agentRegisteredAt !== undefined && now >= item.agentRegisteredAt,
      };
    }
    case 'InMageRcm':
      return { instanceType: 'InMageRcm', osType: item.osType, ...(item.processServerId ? { processServerId: item.processServerId } : {}) };
  }
}

export function renderPoint(v: VaultState, item: ItemState, p: RecoveryPointSeed): Json {
  return {
    id: v.pointId(item, p.name),
    name: p.name,
    type: TYPES.point,
    properties: { recoveryPointTime: p.time.toISOString(), recoveryPointType: p.type },
  };
}

export function renderPolicy(v: VaultState, p: PolicySeed): Json {
  return { id: v.policyId(p.name), name: p.name, type: TYPES.policy, properties: { friendlyName: p.friendlyName, providerSpecificDetails: p.providerSpecificDetails } };
}

function renderError(e: JobError): Json {
  return {
    serviceErrorDetails: { code: e.code, message: e.message, possibleCauses: e.possibleCauses, recommendedAction: e.recommendedAction },
    errorLevel: e.errorLevel,
    creationTime: e.creationTime.toISOString(),
    ...(e.taskId ? { taskId: e.taskId } : {}),
  };
}

export function renderJob(v: VaultState, j: JobState): Json {
  return {
    id: v.jobId(j.name),
    name: j.name,
    type: TYPES.job,
    properties: {
      activityId: j.activityId,
      scenarioName: j.scenarioName,
      friendlyName: j.friendlyName,
      state: j.state,
      stateDescription: j.stateDescription,
      tasks: renderTasks(j.tasks),
      errors: j.errors.map(renderError),
      startTime: j.startTime.toISOString(),
      ...(j.endTime ? { endTime: j.endTime.toISOString() } : {}),
      allowedActions: [],
      targetObjectId: j.targetObjectId,
      targetObjectName: j.targetObjectName,
      targetInstanceType: j.targetInstanceType,
      customDetails: { instanceType: 'AsrJobDetails', affectedObjectDetails: j.affectedObjectDetails },
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
  for (let i = 0; i < tasks.length; ) {
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
      ...(state !== 'InProgress' && state !== 'NotStarted' && last ? { endTime: last.toISOString() } : {}),
      allowedActions: [],
      taskType: 'GroupTaskDetails',
      groupTaskCustomDetails: { instanceType: group.instanceType, name: group.name, groupId: group.groupId, rpGroupType: group.rpGroupType, childTasks: children.map(renderTask) },
      errors: [],
    });
  }
  return out;
}

function groupState(children: readonly TaskState[]): string {
  if (children.every((c) => c.state === 'NotStarted')) return 'NotStarted';
  if (children.some((c) => c.state === 'InProgress' || c.state === 'NotStarted')) return 'InProgress';
  if (children.some((c) => c.state === 'Failed' && c.errors.some((e) => e.errorLevel === 'Error'))) return 'Failed';
  return 'Succeeded';
}

export function renderPlan(v: VaultState, p: PlanSeed): Json {
  const members = p.members.map((m) => v.itemNamed(m)).filter((i): i is ItemState => i !== undefined);
  const providers = [...new Set(members.map((i) => viewOf(i).provider))];
  const first = members[0];
  const fabric = first ? v.fabric(first.fabric) : undefined;
  // A plan allows an operation only when every member allows it.
  const allowed = first ? viewOf(first).allowedOperations.filter((op) => members.every((i) => viewOf(i).allowedOperations.includes(op))) : [];
  // A plan job sets every member's scenario to the same job: show it on the plan too.
  const running = first?.scenario && members.every((i) => i.scenario?.jobName === first.scenario?.jobName) ? first.scenario : undefined;
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
      currentScenario: running
        ? { scenarioName: running.scenarioName, jobId: v.jobId(running.jobName), startTime: running.startTime.toISOString() }
        : { scenarioName: 'None', jobId: v.jobId('None'), startTime: NO_SCENARIO_TIME },
      currentScenarioStatus: running ? 'InProgress' : 'Succeeded',
      currentScenarioStatusDescription: 'Succeeded',
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
