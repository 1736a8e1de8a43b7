/**
 * The default vault (used by `npm run demo`, `npm run sandbox` and the tests), and the second vault
 * of a multi-vault estate (scenario-second.ts). Ids are deterministic.
 */
import { guidFrom } from './ids';
import type { ItemSeed, VaultSeed } from './types';

export { defaultRecoveryPoints, estateOfVaults, withExtraVms } from './seed-tools';
export { SECOND_SCENARIO, secondVault } from './scenario-second';

const MINUTE = 60_000;
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
/** Azure Migrate projects usually live in their own resource group of the same subscription. */
const MIGRATE_RG = 'avs-migrate';
const SITE_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${MIGRATE_RG}/providers/Microsoft.OffAzure/VMwareSites/avs-vmwaresite`;
const RUN_AS = {
  vcenter: guidFrom('runas/avs-vmwaresite/vcenter-avs'),
  windowsGuest: guidFrom('runas/avs-vmwaresite/windows-guest'),
  linuxGuest: guidFrom('runas/avs-vmwaresite/linux-guest'),
};
/** The configuration server's own process server; the master target is the same machine, with the same id. */
const CS_PROCESS_SERVER = guidFrom('ps/avs-cs01');

/** Names and ids of the default scenario's resources, for tests and the demo. */
export const DEFAULT_SCENARIO = {
  subscriptionId: SUBSCRIPTION,
  resourceGroup: 'avs-dr',
  vault: 'avs-dr-vault',
  location: 'westeurope',
  /** The vault's ARM id, as ARM serves the vault (and as AZURE_RECOVERY_VAULTS lists it). */
  vaultId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/avs-dr/providers/Microsoft.RecoveryServices/vaults/avs-dr-vault`,
  classicFabric: 'avs-cs01-fabric',
  classicContainer: 'cloud_avs-cs01',
  azureFabric: 'azure-westeurope',
  azureContainer: 'azure-westeurope-container',
  modernizedFabric: 'avs-appliance-fabric',
  modernizedContainer: 'cloud_avs-appliance01',
  /** Classic fabric: `default` = the configuration server's own (on-prem), `unhealthy` (on-prem, Critical), `azure` = the Azure-side one serving the failback replication. */
  processServer: { default: CS_PROCESS_SERVER, unhealthy: guidFrom('ps/avs-ps02'), azure: guidFrom('ps/azure-ps01') },
  /** The configuration server's master target: the same id as `processServer.default` (recorded: "PS and MT are same"). */
  masterTarget: CS_PROCESS_SERVER,
  /** Classic fabric run-as account ids (`customDetails.runAsAccounts[].accountId`): `1` vcenter-avs, `2` linux-root. */
  runAsAccount: '1',
  runAsAccounts: { vcenter: '1', linuxRoot: '2' },
  applianceProcessServer: { default: guidFrom('ps/avs-appliance01'), second: guidFrom('ps/avs-appliance02') },
  /** `classicToAzureLegacy` is listed before `classicToAzure` and mapped to no container. */
  policies: {
    classicToAzure: 'avs-to-azure',
    classicToAzureLegacy: 'avs-to-azure-legacy',
    classicFailback: 'azure-to-avs',
    modernizedToAzure: 'avs-to-azure-rcm',
    modernizedFailback: 'azure-to-avs-rcm',
  },
  /** Container mappings (ARM names): classic container → Azure (avs-to-azure), appliance container → Azure (avs-to-azure-rcm). */
  mappings: { classic: 'avs-cs01-to-azure', modernized: 'avs-appliance01-to-azure' },
  migrateResourceGroup: MIGRATE_RG,
  /** The Azure Migrate site of the appliance fabric (`customDetails.vmwareSiteId`) and its run-as accounts, as full ARM ids. */
  vmwareSite: {
    id: SITE_ID,
    runAsAccounts: {
      vcenter: `${SITE_ID}/runasaccounts/${RUN_AS.vcenter}`,
      windowsGuest: `${SITE_ID}/runasaccounts/${RUN_AS.windowsGuest}`,
      linuxGuest: `${SITE_ID}/runasaccounts/${RUN_AS.linuxGuest}`,
    },
  },
  /** Classic VMs ready to fail back. */
  readyVms: ['app-01', 'db-01', 'web-01'],
  /** Classic VM still replicating AVS → Azure (InMageAzureV2: no failback possible, though it lists UnplannedFailover). */
  notReadyVm: 'file-01',
  /** Classic VM ready but with zero recovery points. */
  noPointsVm: 'erp-01-nopoints',
  /** Modernized (InMageRcmFailback) VMs ready to fail back by planned failover. */
  modernizedVms: ['crm-01', 'crm-02'],
  /** Recovery plans: the classic VMs, the modernized VMs, and one whose member has no recovery point. */
  plans: { classic: 'avs-failback-plan', modernized: 'avs-rcm-failback-plan', withoutPoints: 'avs-erp-plan' },
} as const;

/** The default vault: a classic VMware fabric with 5 VMs, an Azure fabric, a modernized fabric with 2 VMs, an Azure Migrate site. */
export function defaultVault(now: number = Date.now()): VaultSeed {
  const s = DEFAULT_SCENARIO;
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
  const classic = (friendlyName: string, extra: Partial<ItemSeed> = {}): ItemSeed => ({
    friendlyName,
    fabric: s.classicFabric,
    container: s.classicContainer,
    generation: 'classic',
    stage: 'ready',
    // The failback replication (Azure → AVS) runs through the Azure-side process server into the on-prem master target.
    processServerId: s.processServer.azure,
    masterTargetId: s.masterTarget,
    ...extra,
  });
  const inMageAzureV2 = {
    instanceType: 'InMageAzureV2',
    recoveryPointThresholdInMinutes: 60,
    recoveryPointHistory: 1440,
    appConsistentFrequencyInMinutes: 60,
    crashConsistentFrequencyInMinutes: 5,
    multiVmSyncStatus: 'Enabled',
  };
  return {
    subscriptionId: s.subscriptionId,
    resourceGroup: s.resourceGroup,
    name: s.vault,
    location: s.location,
    fabrics: [
      {
        name: s.classicFabric,
        friendlyName: 'avs-cs01',
        containers: [
          {
            name: s.classicContainer,
            friendlyName: 'avs-cs01',
            mappings: [{ name: s.mappings.classic, policy: s.policies.classicToAzure }],
          },
        ],
        customDetails: {
          instanceType: 'VMware',
          hostName: 'avs-cs01',
          ipAddress: '10.10.1.4',
          agentVersion: '9.62.7096.1',
          lastHeartbeat: iso(MINUTE),
          processServers: [
            {
              id: s.processServer.default,
              friendlyName: 'avs-cs01',
              ipAddress: '10.10.1.4',
              osType: 'Windows',
              health: 'Normal',
              lastHeartbeat: iso(MINUTE),
              psServiceStatus: 'Running',
            },
            {
              id: s.processServer.unhealthy,
              friendlyName: 'avs-ps02',
              ipAddress: '10.10.1.5',
              osType: 'Windows',
              health: 'Critical',
              lastHeartbeat: iso(3 * 60 * MINUTE),
              psServiceStatus: 'Stopped',
            },
            {
              id: s.processServer.azure,
              friendlyName: 'azure-ps01',
              ipAddress: '10.20.0.4',
              osType: 'Windows',
              health: 'Normal',
              lastHeartbeat: iso(MINUTE),
              psServiceStatus: 'Running',
            },
          ],
          masterTargetServers: [
            {
              id: s.masterTarget,
              name: 'avs-cs01',
              ipAddress: '10.10.1.4',
              osType: 'Windows',
              lastHeartbeat: iso(MINUTE),
            },
          ],
          runAsAccounts: [
            { accountId: s.runAsAccounts.vcenter, accountName: 'vcenter-avs' },
            { accountId: s.runAsAccounts.linuxRoot, accountName: 'linux-root' },
          ],
        },
      },
      {
        name: s.azureFabric,
        friendlyName: 'Microsoft Azure',
        containers: [{ name: s.azureContainer, friendlyName: 'Microsoft Azure' }],
        customDetails: { instanceType: 'Azure', location: 'westeurope' },
      },
      {
        name: s.modernizedFabric,
        friendlyName: 'avs-appliance01',
        containers: [
          {
            name: s.modernizedContainer,
            friendlyName: 'avs-appliance01',
            mappings: [{ name: s.mappings.modernized, policy: s.policies.modernizedToAzure }],
          },
        ],
        customDetails: {
          instanceType: 'InMageRcm',
          vmwareSiteId: s.vmwareSite.id,
          processServers: [
            {
              id: s.applianceProcessServer.default,
              name: 'avs-appliance01',
              fqdn: 'avs-appliance01.avs.local',
              ipAddresses: ['10.10.2.4'],
              health: 'Normal',
              lastHeartbeatUtc: iso(MINUTE),
            },
            {
              id: s.applianceProcessServer.second,
              name: 'avs-appliance02',
              fqdn: 'avs-appliance02.avs.local',
              ipAddresses: ['10.10.2.5'],
              health: 'Warning',
              lastHeartbeatUtc: iso(20 * MINUTE),
            },
          ],
          reprotectAgents: [
            {
              id: guidFrom('ra/avs-appliance01'),
              name: 'avs-appliance01',
              health: 'Normal',
              lastHeartbeatUtc: iso(MINUTE),
            },
          ],
        },
      },
    ],
    policies: [
      {
        name: s.policies.classicToAzureLegacy,
        friendlyName: s.policies.classicToAzureLegacy,
        providerSpecificDetails: { ...inMageAzureV2, recoveryPointHistory: 4320 },
      },
      {
        name: s.policies.classicToAzure,
        friendlyName: s.policies.classicToAzure,
        providerSpecificDetails: inMageAzureV2,
      },
      {
        name: s.policies.classicFailback,
        friendlyName: s.policies.classicFailback,
        providerSpecificDetails: {
          instanceType: 'InMage',
          recoveryPointThresholdInMinutes: 60,
          recoveryPointHistory: 1440,
          appConsistentFrequencyInMinutes: 60,
          multiVmSyncStatus: 'Enabled',
        },
      },
      {
        name: s.policies.modernizedToAzure,
        friendlyName: s.policies.modernizedToAzure,
        providerSpecificDetails: {
          instanceType: 'InMageRcm',
          recoveryPointHistoryInMinutes: 1440,
          appConsistentFrequencyInMinutes: 60,
          crashConsistentFrequencyInMinutes: 5,
          enableMultiVmSync: 'True',
        },
      },
      {
        name: s.policies.modernizedFailback,
        friendlyName: s.policies.modernizedFailback,
        providerSpecificDetails: {
          instanceType: 'InMageRcmFailback',
          appConsistentFrequencyInMinutes: 60,
          crashConsistentFrequencyInMinutes: 5,
        },
      },
    ],
    items: [
      classic('app-01', { osType: 'Windows' }),
      classic('db-01', { osType: 'Linux' }),
      classic('web-01', { osType: 'Linux' }),
      classic(s.notReadyVm, {
        osType: 'Windows',
        stage: 'replicatingToAzure',
        processServerId: s.processServer.default,
        masterTargetId: s.masterTarget,
      }),
      classic(s.noPointsVm, { osType: 'Windows', recoveryPoints: 'none' }),
      ...s.modernizedVms.map((friendlyName): ItemSeed => ({
        friendlyName,
        fabric: s.modernizedFabric,
        container: s.modernizedContainer,
        generation: 'modernized',
        stage: 'ready',
        osType: 'Windows',
      })),
    ],
    plans: [
      { name: s.plans.classic, friendlyName: s.plans.classic, members: [...s.readyVms] },
      { name: s.plans.modernized, friendlyName: s.plans.modernized, members: [...s.modernizedVms] },
      { name: s.plans.withoutPoints, friendlyName: s.plans.withoutPoints, members: ['web-01', s.noPointsVm] },
    ],
    vmwareSites: [
      {
        id: s.vmwareSite.id,
        runAsAccounts: [
          { name: RUN_AS.vcenter, displayName: 'vcenter-avs', credentialType: 'VMwareFabric' },
          { name: RUN_AS.windowsGuest, displayName: 'windows-guest', credentialType: 'WindowsGuest' },
          { name: RUN_AS.linuxGuest, displayName: 'linux-guest', credentialType: 'LinuxGuest' },
        ],
      },
    ],
  };
}
