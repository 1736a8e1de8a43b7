/**
 * ARM JSON bodies of the vault's resources, shaped like the recorded traffic, Microsoft's samples
 * and the SDK's mappers (dates as ISO strings). Jobs and plans are in render-jobs.ts.
 */
import {
  internalIdentifierOf,
  isAgentRegistered,
  type ItemState,
  type ResolvedMapping,
  TYPES,
  type VaultState,
  viewOf,
  vmIdOf,
} from './model';
import type { ContainerSeed, FabricSeed, PolicySeed, RecoveryPointSeed, VmwareSiteSeed } from './types';

type Json = Record<string, unknown>;

/** An item's `currentScenario` when nothing runs (recorded: plans-and-jobs.json item_after_its_job_ended). */
export const NO_SCENARIO_TIME = '1753-01-01T01:01:01Z';
/** What a running item shows with `itemScenarioNames: 'opaque'` (the real name while a job runs is not recorded). */
export const OPAQUE_SCENARIO_NAME = 'InProgressOperation';
const DAY = 24 * 3600_000;

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

export function renderContainer(v: VaultState, f: FabricSeed, c: ContainerSeed): Json {
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

/** A ProtectionContainerMapping: the container's pairing with a target container under a policy. */
export function renderMapping(v: VaultState, m: ResolvedMapping): Json {
  const policy = v.policy(m.policy);
  return {
    id: v.mappingId(m),
    name: m.name,
    type: TYPES.mapping,
    properties: {
      targetProtectionContainerId: v.containerId(m.target.fabric, m.target.container),
      targetProtectionContainerFriendlyName:
        v.container(m.target.fabric, m.target.container)?.friendlyName ?? m.target.container,
      providerSpecificDetails: { instanceType: String(policy?.providerSpecificDetails.instanceType ?? '') },
      health: 'Normal',
      healthErrorDetails: [],
      policyId: v.policyId(m.policy),
      policyFriendlyName: policy?.friendlyName ?? m.policy,
      state: 'Paired',
      sourceProtectionContainerFriendlyName: v.container(m.fabric, m.container)?.friendlyName ?? m.container,
      sourceFabricFriendlyName: v.fabric(m.fabric)?.friendlyName ?? m.fabric,
      targetFabricFriendlyName: v.fabric(m.target.fabric)?.friendlyName ?? m.target.fabric,
    },
  };
}

/** An Azure Migrate run-as account (Microsoft.OffAzure), as the site lists it. */
export function renderRunAsAccount(
  v: VaultState,
  site: VmwareSiteSeed,
  a: VmwareSiteSeed['runAsAccounts'][number],
): Json {
  return {
    id: v.runAsAccountId(site, a.name),
    name: a.name,
    type: TYPES.runAsAccount,
    properties: {
      displayName: a.displayName,
      credentialType: a.credentialType,
      createdTimestamp: new Date(v.createdAt - 30 * DAY).toISOString(),
      updatedTimestamp: new Date(v.createdAt - DAY).toISOString(),
    },
  };
}

export function renderItem(v: VaultState, item: ItemState, now: number): Json {
  const view = viewOf(item);
  const fabric = v.fabric(item.fabric);
  const policy = v.policy(item.policy);
  const running = item.scenario;
  const scenario = running
    ? {
        scenarioName: v.settings.itemScenarioNames === 'opaque' ? OPAQUE_SCENARIO_NAME : running.scenarioName,
        jobId: v.jobId(running.jobName),
        startTime: running.startTime.toISOString(),
      }
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
      primaryProtectionContainerFriendlyName:
        fabric?.containers.find((c) => c.name === item.container)?.friendlyName ?? item.container,
      recoveryProtectionContainerFriendlyName: 'Microsoft Azure',
      protectionState: view.protectionState,
      protectionStateDescription: view.protectionStateDescription,
      activeLocation: view.activeLocation,
      testFailoverState: 'None',
      testFailoverStateDescription: 'None',
      allowedOperations: [...view.allowedOperations],
      replicationHealth: item.health?.replicationHealth ?? view.replicationHealth,
      failoverHealth: 'Normal',
      healthErrors: [...(item.health?.healthErrors ?? [])],
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
  const optional = (key: string, value: string | undefined) => (value ? { [key]: value } : {});
  const heartbeat = new Date(now - (item.health?.agentHeartbeatAgeMs ?? 60_000)).toISOString();
  // The field names of the agent and appliance details are the REST specification's (not recorded).
  const mobilityAgentDetails = { version: '9.62.7172.1', lastHeartbeatUtc: heartbeat };
  switch (view.provider) {
    case 'InMage':
    case 'InMageAzureV2': {
      const failback = view.provider === 'InMage';
      return {
        instanceType: view.provider,
        ...(view.activeSiteType ? { activeSiteType: view.activeSiteType } : {}),
        vmId: vmIdOf(item),
        osDetails: { osType: item.osType },
        ...(failback ? {} : { osType: item.osType }),
        osVersion: item.osType === 'Windows' ? 'Windows Server 2019' : 'Ubuntu 22.04',
        infrastructureVmId: `vm-${item.friendlyName}`,
        protectionStage: failback ? 'Resync' : 'InitialReplication',
        ipAddress: '10.10.3.10',
        lastHeartbeat: heartbeat,
        ...(rpo !== undefined ? { rpoInSeconds: rpo } : {}),
        ...optional('processServerId', failback ? item.failbackProcessServerId : item.processServerId),
        ...optional('masterTargetId', failback ? item.failbackMasterTargetId : item.masterTargetId),
        ...(newest
          ? {
              retentionWindowStart: item.points[item.points.length - 1]?.time.toISOString(),
              retentionWindowEnd: newest.time.toISOString(),
            }
          : {}),
        // Where a VM replicating to Azure keeps its data and logs (the vault's cache storage accounts).
        ...(failback
          ? {}
          : {
              recoveryAzureStorageAccount: `/subscriptions/${v.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.Storage/storageAccounts/avsdrcache01`,
              recoveryAzureLogStorageAccountId: `/subscriptions/${v.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.Storage/storageAccounts/avsdrlogs01`,
            }),
      };
    }
    case 'InMageRcmFailback': {
      const lastUsed = v.policies.find((p) => p.providerSpecificDetails.instanceType === 'InMageRcm');
      const afterFailover = item.stage === 'failedOver' || item.stage === 'committed';
      return {
        instanceType: 'InMageRcmFailback',
        internalIdentifier: internalIdentifierOf(item),
        osType: item.osType,
        targetVmName: item.friendlyName,
        ...(lastUsed
          ? { lastUsedPolicyId: v.policyId(lastUsed.name), lastUsedPolicyFriendlyName: lastUsed.friendlyName }
          : {}),
        ...(view.lastPlannedFailoverStatus ? { lastPlannedFailoverStatus: view.lastPlannedFailoverStatus } : {}),
        ...(afterFailover ? { isAgentRegistrationSuccessfulAfterFailover: isAgentRegistered(item, now) } : {}),
        mobilityAgentDetails,
        ...reprotectAgentOf(v, item),
      };
    }
    case 'InMageRcm':
      return {
        instanceType: 'InMageRcm',
        internalIdentifier: internalIdentifierOf(item),
        osType: item.osType,
        ...optional('processServerId', item.processServerId),
        mobilityAgentDetails,
      };
  }
}

/** The appliance that replicates the item back to AVS: the first reprotect agent of its fabric. */
function reprotectAgentOf(v: VaultState, item: ItemState): Json {
  const agents = v.fabric(item.fabric)?.customDetails.reprotectAgents;
  const first = Array.isArray(agents) ? (agents[0] as Record<string, unknown> | undefined) : undefined;
  return first ? { reprotectAgentId: first.id, reprotectAgentName: first.name } : {};
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
  return {
    id: v.policyId(p.name),
    name: p.name,
    type: TYPES.policy,
    properties: { friendlyName: p.friendlyName, providerSpecificDetails: p.providerSpecificDetails },
  };
}
