/**
 * The default vault (used by `npm run demo` and the tests) and the recovery-point generator.
 */
import { guidFrom } from './ids';
import type { ItemSeed, RecoveryPointSeed, VaultSeed } from './types';

const MINUTE = 60_000;

/** Names of the default scenario's resources, for tests and the demo. */
export const DEFAULT_SCENARIO = {
  subscriptionId: '00000000-0000-0000-0000-000000000000',
  resourceGroup: 'avs-dr',
  vault: 'avs-dr-vault',
  classicFabric: 'avs-cs01-fabric',
  classicContainer: 'cloud_avs-cs01',
  azureFabric: 'azure-westeurope',
  modernizedFabric: 'avs-appliance-fabric',
  modernizedContainer: 'cloud_avs-appliance01',
  processServer: { default: guidFrom('ps/avs-cs01'), unhealthy: guidFrom('ps/avs-ps02') },
  masterTarget: guidFrom('mt/avs-cs01'),
  runAsAccount: '1',
  applianceProcessServer: { default: guidFrom('ps/avs-appliance01'), second: guidFrom('ps/avs-appliance02') },
  policies: { classicToAzure: 'avs-to-azure', classicFailback: 'azure-to-avs', modernizedToAzure: 'avs-to-azure-rcm', modernizedFailback: 'azure-to-avs-rcm' },
  /** Classic VMs ready to fail back. */
  readyVms: ['app-01', 'db-01', 'web-01'],
  /** Classic VM still replicating AVS → Azure (no failback possible). */
  notReadyVm: 'file-01',
  /** Classic VM ready but with zero recovery points. */
  noPointsVm: 'erp-01-nopoints',
  /** Modernized (InMageRcmFailback) VMs ready to fail back by planned failover. */
  modernizedVms: ['crm-01', 'crm-02'],
  /** Recovery plans: the classic VMs, the modernized VMs, and one whose member has no recovery point. */
  plans: { classic: 'avs-failback-plan', modernized: 'avs-rcm-failback-plan', withoutPoints: 'avs-erp-plan' },
} as const;

/**
 * 24 h of points ending just before `now`: crash-consistent every 5 min (288), app-consistent every
 * 60 min (24), newest first. Names are stable per item; times follow the clock.
 */
export function defaultRecoveryPoints(itemName: string, now: number): RecoveryPointSeed[] {
  const points: RecoveryPointSeed[] = [];
  for (let k = 0; k < 288; k++) points.push({ name: guidFrom(`${itemName}/crash/${k}`), time: new Date(now - MINUTE - k * 5 * MINUTE), type: 'CrashConsistent' });
  for (let k = 0; k < 24; k++) points.push({ name: guidFrom(`${itemName}/app/${k}`), time: new Date(now - 7 * MINUTE - k * 60 * MINUTE), type: 'ApplicationConsistent' });
  return points.sort((a, b) => b.time.getTime() - a.time.getTime());
}

/** The default vault: a classic VMware fabric with 5 VMs, an Azure fabric, a modernized fabric with 2 VMs. */
export function defaultVault(now: number = Date.now()): VaultSeed {
  const s = DEFAULT_SCENARIO;
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
  const classic = (friendlyName: string, extra: Partial<ItemSeed> = {}): ItemSeed => ({ friendlyName, fabric: s.classicFabric, container: s.classicContainer, generation: 'classic', stage: 'ready', ...extra });
  return {
    subscriptionId: s.subscriptionId,
    resourceGroup: s.resourceGroup,
    name: s.vault,
    fabrics: [
      {
        name: s.classicFabric,
        friendlyName: 'avs-cs01',
        containers: [{ name: s.classicContainer, friendlyName: 'avs-cs01' }],
        customDetails: {
          instanceType: 'VMware',
          hostName: 'avs-cs01',
          ipAddress: '10.10.1.4',
          agentVersion: '9.62.7096.1',
          lastHeartbeat: iso(MINUTE),
          processServers: [
            { id: s.processServer.default, friendlyName: 'avs-cs01', ipAddress: '10.10.1.4', osType: 'Windows', health: 'Normal', lastHeartbeat: iso(MINUTE), psServiceStatus: 'Running' },
            { id: s.processServer.unhealthy, friendlyName: 'avs-ps02', ipAddress: '10.10.1.5', osType: 'Windows', health: 'Critical', lastHeartbeat: iso(3 * 60 * MINUTE), psServiceStatus: 'Stopped' },
          ],
          masterTargetServers: [{ id: s.masterTarget, name: 'avs-cs01', ipAddress: '10.10.1.4', osType: 'Windows', lastHeartbeat: iso(MINUTE) }],
          runAsAccounts: [
            { accountId: s.runAsAccount, accountName: 'vcenter-avs' },
            { accountId: '2', accountName: 'linux-root' },
          ],
        },
      },
      {
        name: s.azureFabric,
        friendlyName: 'Microsoft Azure',
        containers: [{ name: 'azure-westeurope-container', friendlyName: 'Microsoft Azure' }],
        customDetails: { instanceType: 'Azure', location: 'westeurope' },
      },
      {
        name: s.modernizedFabric,
        friendlyName: 'avs-appliance01',
        containers: [{ name: s.modernizedContainer, friendlyName: 'avs-appliance01' }],
        customDetails: {
          instanceType: 'InMageRcm',
          vmwareSiteId: `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}/providers/Microsoft.OffAzure/VMwareSites/avs-site`,
          processServers: [
            { id: s.applianceProcessServer.default, name: 'avs-appliance01', fqdn: 'avs-appliance01.avs.local', ipAddresses: ['10.10.2.4'], health: 'Normal', lastHeartbeatUtc: iso(MINUTE) },
            { id: s.applianceProcessServer.second, name: 'avs-appliance02', fqdn: 'avs-appliance02.avs.local', ipAddresses: ['10.10.2.5'], health: 'Warning', lastHeartbeatUtc: iso(20 * MINUTE) },
          ],
          reprotectAgents: [{ id: guidFrom('ra/avs-appliance01'), name: 'avs-appliance01', health: 'Normal', lastHeartbeatUtc: iso(MINUTE) }],
        },
      },
    ],
    policies: [
      { name: s.policies.classicToAzure, friendlyName: s.policies.classicToAzure, providerSpecificDetails: { instanceType: 'InMageAzureV2', recoveryPointThresholdInMinutes: 60, recoveryPointHistory: 1440, appConsistentFrequencyInMinutes: 60, crashConsistentFrequencyInMinutes: 5, multiVmSyncStatus: 'Enabled' } },
      { name: s.policies.classicFailback, friendlyName: s.policies.classicFailback, providerSpecificDetails: { instanceType: 'InMage', recoveryPointThresholdInMinutes: 60, recoveryPointHistory: 1440, appConsistentFrequencyInMinutes: 60, multiVmSyncStatus: 'Enabled' } },
      { name: s.policies.modernizedToAzure, friendlyName: s.policies.modernizedToAzure, providerSpecificDetails: { instanceType: 'InMageRcm', recoveryPointHistoryInMinutes: 1440, appConsistentFrequencyInMinutes: 60, crashConsistentFrequencyInMinutes: 5, enableMultiVmSync: 'True' } },
      { name: s.policies.modernizedFailback, friendlyName: s.policies.modernizedFailback, providerSpecificDetails: { instanceType: 'InMageRcmFailback', appConsistentFrequencyInMinutes: 60, crashConsistentFrequencyInMinutes: 5 } },
    ],
    items: [
      classic('app-01', { osType: 'Windows' }),
      classic('db-01', { osType: 'Linux' }),
      classic('web-01', { osType: 'Linux' }),
      classic(s.notReadyVm, { osType: 'Windows', stage: 'replicatingToAzure' }),
      classic(s.noPointsVm, { osType: 'Windows', recoveryPoints: 'none' }),
      ...s.modernizedVms.map((friendlyName): ItemSeed => ({ friendlyName, fabric: s.modernizedFabric, container: s.modernizedContainer, generation: 'modernized', stage: 'ready', osType: 'Windows' })),
    ],
    plans: [
      { name: s.plans.classic, friendlyName: s.plans.classic, members: [...s.readyVms] },
      { name: s.plans.modernized, friendlyName: s.plans.modernized, members: [...s.modernizedVms] },
      { name: s.plans.withoutPoints, friendlyName: s.plans.withoutPoints, members: ['web-01', s.noPointsVm] },
    ],
  };
}

/** Adds `n` classic VMs ready to fail back (`vm-001`…) to the first VMware fabric's first container. */
export function withExtraVms(seed: VaultSeed, n: number): VaultSeed {
  const fabric = seed.fabrics.find((f) => f.customDetails.instanceType === 'VMware') ?? seed.fabrics[0];
  const container = fabric?.containers[0];
  if (!fabric || !container || n <= 0) return seed;
  const width = Math.max(3, String(n).length);
  const extra = Array.from({ length: n }, (_, i): ItemSeed => ({
    friendlyName: `vm-${String(i + 1).padStart(width, '0')}`,
    fabric: fabric.name,
    container: container.name,
    generation: 'classic',
    stage: 'ready',
    osType: i % 2 === 0 ? 'Windows' : 'Linux',
  }));
  return { ...seed, items: [...seed.items, ...extra] };
}
