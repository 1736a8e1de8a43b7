/**
 * The second vault of a multi-vault estate (another region, another subscription), built like the
 * default vault — a classic VMware fabric, an Azure fabric, a modernized appliance fabric, an Azure
 * Migrate site, mapped policies — so that every operation, reprotect included, works there too.
 * Every name and id differs from the default vault's. Ids are deterministic.
 */
import { guidFrom } from './ids';
import type { FabricSeed, ItemSeed, PolicySeed, VaultSeed } from './types';

const MINUTE = 60_000;
const SUBSCRIPTION = '11111111-1111-1111-1111-111111111111';
const MIGRATE_RG = 'avs-migrate-ne';
const SITE_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${MIGRATE_RG}/providers/Microsoft.OffAzure/VMwareSites/avs-ne-vmwaresite`;
const RUN_AS = {
  vcenter: guidFrom('runas/avs-ne-vmwaresite/vcenter-avs-ne'),
  windowsGuest: guidFrom('runas/avs-ne-vmwaresite/windows-guest'),
};
/** The configuration server's own process server; the master target is the same machine, with the same id. */
const CS_PROCESS_SERVER = guidFrom('ps/avs-ne-cs01');

/** Names and ids of the second vault's resources (`secondVault()`), for tests and the demo. */
export const SECOND_SCENARIO = {
  subscriptionId: SUBSCRIPTION,
  resourceGroup: 'avs-dr-ne',
  vault: 'avs-dr-vault-ne',
  location: 'northeurope',
  /** The vault's ARM id, as ARM serves the vault (and as AZURE_RECOVERY_VAULTS lists it). */
  vaultId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/avs-dr-ne/providers/Microsoft.RecoveryServices/vaults/avs-dr-vault-ne`,
  classicFabric: 'avs-ne-cs01-fabric',
  classicContainer: 'cloud_avs-ne-cs01',
  azureFabric: 'azure-northeurope',
  azureContainer: 'azure-northeurope-container',
  modernizedFabric: 'avs-ne-appliance-fabric',
  modernizedContainer: 'cloud_avs-ne-appliance01',
  /** Classic fabric: `default` = the configuration server's own (on-prem), `azure` = the Azure-side one serving the failback replication. */
  processServer: { default: CS_PROCESS_SERVER, azure: guidFrom('ps/azure-ne-ps01') },
  /** The configuration server's master target: the same id as `processServer.default`. */
  masterTarget: CS_PROCESS_SERVER,
  /** Classic fabric run-as account ids: `1` vcenter-avs-ne, `2` linux-root. */
  runAsAccounts: { vcenter: '1', linuxRoot: '2' },
  applianceProcessServer: { default: guidFrom('ps/avs-ne-appliance01') },
  policies: {
    classicToAzure: 'avs-ne-to-azure',
    classicFailback: 'azure-ne-to-avs',
    modernizedToAzure: 'avs-ne-to-azure-rcm',
    modernizedFailback: 'azure-ne-to-avs-rcm',
  },
  mappings: { classic: 'avs-ne-cs01-to-azure', modernized: 'avs-ne-appliance01-to-azure' },
  migrateResourceGroup: MIGRATE_RG,
  vmwareSite: {
    id: SITE_ID,
    runAsAccounts: {
      vcenter: `${SITE_ID}/runasaccounts/${RUN_AS.vcenter}`,
      windowsGuest: `${SITE_ID}/runasaccounts/${RUN_AS.windowsGuest}`,
    },
  },
  /** Classic VMs ready to fail back. */
  readyVms: ['ne-app-01', 'ne-db-01'],
  /** Modernized (InMageRcmFailback) VM ready to fail back by planned failover. */
  modernizedVms: ['ne-crm-01'],
  /** The recovery plan of the classic VMs. */
  plans: { classic: 'ne-failback-plan' },
} as const;

/** The second vault: northeurope, its own subscription; classic `ne-app-01`, `ne-db-01`, modernized `ne-crm-01`, plan `ne-failback-plan`. */
export function secondVault(now: number = Date.now()): VaultSeed {
  const s = SECOND_SCENARIO;
  const classic = (friendlyName: string, osType: 'Windows' | 'Linux'): ItemSeed => ({
    friendlyName,
    fabric: s.classicFabric,
    container: s.classicContainer,
    generation: 'classic',
    stage: 'ready',
    osType,
    processServerId: s.processServer.azure,
    masterTargetId: s.masterTarget,
  });
  return {
    subscriptionId: s.subscriptionId,
    resourceGroup: s.resourceGroup,
    name: s.vault,
    location: s.location,
    fabrics: [classicFabric(now), azureFabric(), modernizedFabric(now)],
    policies: policies(),
    items: [
      classic('ne-app-01', 'Windows'),
      classic('ne-db-01', 'Linux'),
      ...s.modernizedVms.map((friendlyName): ItemSeed => ({
        friendlyName,
        fabric: s.modernizedFabric,
        container: s.modernizedContainer,
        generation: 'modernized',
        stage: 'ready',
        osType: 'Windows',
      })),
    ],
    plans: [{ name: s.plans.classic, friendlyName: s.plans.classic, members: [...s.readyVms] }],
    vmwareSites: [
      {
        id: s.vmwareSite.id,
        runAsAccounts: [
          { name: RUN_AS.vcenter, displayName: 'vcenter-avs-ne', credentialType: 'VMwareFabric' },
          { name: RUN_AS.windowsGuest, displayName: 'windows-guest', credentialType: 'WindowsGuest' },
        ],
      },
    ],
  };
}

function classicFabric(now: number): FabricSeed {
  const s = SECOND_SCENARIO;
  const minuteAgo = new Date(now - MINUTE).toISOString();
  const processServer = (id: string, friendlyName: string, ipAddress: string) => ({
    id,
    friendlyName,
    ipAddress,
    osType: 'Windows',
    health: 'Normal',
    lastHeartbeat: minuteAgo,
    psServiceStatus: 'Running',
  });
  return {
    name: s.classicFabric,
    friendlyName: 'avs-ne-cs01',
    containers: [
      {
        name: s.classicContainer,
        friendlyName: 'avs-ne-cs01',
        mappings: [{ name: s.mappings.classic, policy: s.policies.classicToAzure }],
      },
    ],
    customDetails: {
      instanceType: 'VMware',
      hostName: 'avs-ne-cs01',
      ipAddress: '10.30.1.4',
      agentVersion: '9.62.7096.1',
      lastHeartbeat: minuteAgo,
      processServers: [
        processServer(s.processServer.default, 'avs-ne-cs01', '10.30.1.4'),
        processServer(s.processServer.azure, 'azure-ne-ps01', '10.40.0.4'),
      ],
      masterTargetServers: [
        {
          id: s.masterTarget,
          name: 'avs-ne-cs01',
          ipAddress: '10.30.1.4',
          osType: 'Windows',
          lastHeartbeat: minuteAgo,
        },
      ],
      runAsAccounts: [
        { accountId: s.runAsAccounts.vcenter, accountName: 'vcenter-avs-ne' },
        { accountId: s.runAsAccounts.linuxRoot, accountName: 'linux-root' },
      ],
    },
  };
}

function azureFabric(): FabricSeed {
  const s = SECOND_SCENARIO;
  return {
    name: s.azureFabric,
    friendlyName: 'Microsoft Azure',
    containers: [{ name: s.azureContainer, friendlyName: 'Microsoft Azure' }],
    customDetails: { instanceType: 'Azure', location: s.location },
  };
}

function modernizedFabric(now: number): FabricSeed {
  const s = SECOND_SCENARIO;
  const minuteAgo = new Date(now - MINUTE).toISOString();
  return {
    name: s.modernizedFabric,
    friendlyName: 'avs-ne-appliance01',
    containers: [
      {
        name: s.modernizedContainer,
        friendlyName: 'avs-ne-appliance01',
        mappings: [{ name: s.mappings.modernized, policy: s.policies.modernizedToAzure }],
      },
    ],
    customDetails: {
      instanceType: 'InMageRcm',
      vmwareSiteId: s.vmwareSite.id,
      processServers: [
        {
          id: s.applianceProcessServer.default,
          name: 'avs-ne-appliance01',
          fqdn: 'avs-ne-appliance01.avs.local',
          ipAddresses: ['10.30.2.4'],
          health: 'Normal',
          lastHeartbeatUtc: minuteAgo,
        },
      ],
      reprotectAgents: [
        {
          id: guidFrom('ra/avs-ne-appliance01'),
          name: 'avs-ne-appliance01',
          health: 'Normal',
          lastHeartbeatUtc: minuteAgo,
        },
      ],
    },
  };
}

/** The four policies of the failback cycle, one per provider (the same settings as the default vault's). */
function policies(): PolicySeed[] {
  const p = SECOND_SCENARIO.policies;
  const policy = (name: string, providerSpecificDetails: Record<string, unknown>): PolicySeed => ({
    name,
    friendlyName: name,
    providerSpecificDetails,
  });
  return [
    policy(p.classicToAzure, {
      instanceType: 'InMageAzureV2',
      recoveryPointThresholdInMinutes: 60,
      recoveryPointHistory: 1440,
      appConsistentFrequencyInMinutes: 60,
      crashConsistentFrequencyInMinutes: 5,
      multiVmSyncStatus: 'Enabled',
    }),
    policy(p.classicFailback, {
      instanceType: 'InMage',
      recoveryPointThresholdInMinutes: 60,
      recoveryPointHistory: 1440,
      appConsistentFrequencyInMinutes: 60,
      multiVmSyncStatus: 'Enabled',
    }),
    policy(p.modernizedToAzure, {
      instanceType: 'InMageRcm',
      recoveryPointHistoryInMinutes: 1440,
      appConsistentFrequencyInMinutes: 60,
      crashConsistentFrequencyInMinutes: 5,
      enableMultiVmSync: 'True',
    }),
    policy(p.modernizedFailback, {
      instanceType: 'InMageRcmFailback',
      appConsistentFrequencyInMinutes: 60,
      crashConsistentFrequencyInMinutes: 5,
    }),
  ];
}
