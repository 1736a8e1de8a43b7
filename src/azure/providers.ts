import type {
  Policy,
  RecoveryPlan,
  RecoveryPlanPlannedFailoverInput,
  RecoveryPlanUnplannedFailoverInput,
  ReplicationProtectedItem,
  ReverseReplicationInput,
  UnplannedFailoverInput,
  PlannedFailoverInput,
} from '@azure/arm-recoveryservices-siterecovery';
import type { ReprotectField, ReprotectOption } from '../domain/reprotect-form';
import type { RecoveryPointChoice, RecoveryPointKind } from '../domain/vm';

/**
 * One small strategy per replication provider (ASR generation). This file is the only place that
 * names providers; everything outside `src/azure` sees `ReplicatedVm` facts only.
 */
export interface ProviderStrategy {
  /** The provider of an item that replicates from Azure back to AVS, ready to fail back. */
  readonly instanceType: string;
  /** The operation ASR allows for failing back (`allowedOperations`). */
  readonly failbackOperation: 'UnplannedFailover' | 'PlannedFailover';
  readonly pointChoices: readonly RecoveryPointKind[];
  /** The failover POST and its body. */
  failoverRequest(choice: RecoveryPointChoice): FailoverRequest;
  /** The recovery-plan failover POST and its body (plans take the latest points only). */
  planFailoverRequest(choice: RecoveryPointChoice): PlanFailoverRequest;
  osType(item: ReplicationProtectedItem): string | undefined;
  /** Providers of the item once it replicates to Azure again (the reprotect is done). */
  readonly protectedToAzureAs: string;
  /** How the fabric that sends data back to Azure is called. */
  readonly fabricRole: string;
  /** What the reprotect needs chosen, from the VM's own fabric and the vault's policies. */
  reprotectFields(item: ReplicationProtectedItem, fabric: FabricDetails, policies: readonly Policy[], vault: VaultContext): ReprotectField[];
  reprotectRequest(choices: Readonly<Record<string, string>>): ReverseReplicationInput;
  /** false while the VM's agent has not registered after the failover (modernized items say so). */
  agentReady(item: ReplicationProtectedItem): boolean | undefined;
}

/** Vault-wide facts some inputs are pre-filled from (read only when a strategy asks for them). */
export interface VaultContext {
  /** Storage accounts of the items that replicate from AVS to Azure now: the ones in use. */
  readonly storageAccounts: readonly { readonly data: string[]; readonly log: string[] }[];
}

/** The fabric's provider-specific details (customDetails) as ASR returns them. */
export type FabricDetails = Readonly<Record<string, unknown>>;

type Row = Readonly<Record<string, unknown>>;
const rows = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const HEALTHY = new Set(['normal', 'healthy', 'none']);

function serverOption(r: Row, name: unknown, heartbeat: unknown): ReprotectOption {
  const health = str(r.health);
  return {
    value: String(r.id ?? ''),
    label: str(name) ?? String(r.id ?? 'unnamed'),
    health,
    unhealthy: health !== undefined && !HEALTHY.has(health.toLowerCase()),
    lastHeartbeat: str(heartbeat),
  };
}

/** The item's current value if it is offered and healthy, else the first healthy option. */
function preferred(options: readonly ReprotectOption[], current?: string): string | undefined {
  const ok = options.filter((o) => !o.unhealthy);
  return ok.find((o) => o.value.toLowerCase() === current?.toLowerCase())?.value ?? ok[0]?.value;
}

function policyOptions(policies: readonly Policy[], provider: string): ReprotectOption[] {
  return policies
    .filter((p) => p.properties?.providerSpecificDetails?.instanceType === provider)
    .map((p) => ({ value: p.id ?? '', label: p.properties?.friendlyName ?? p.name ?? 'policy' }));
}

/** Storage accounts by how often the vault uses them, most used first (the default). */
function storageOptions(ids: readonly string[]): ReprotectOption[] {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([id]) => ({ value: id, label: id.split('/').at(-1) ?? id }));
}

/** The storage accounts an item that replicates to Azure uses (classic: data and log). */
export function storageOf(item: ReplicationProtectedItem): { data: string[]; log: string[] } {
  const d = details(item);
  const data = str(d.recoveryAzureStorageAccount);
  const log = str(d.recoveryAzureLogStorageAccountId);
  return { data: data ? [data] : [], log: log ? [log] : [] };
}

function details(item: ReplicationProtectedItem): Row {
  return (item.properties?.providerSpecificDetails ?? {}) as Row;
}

export type PlanFailoverRequest =
  | { readonly method: 'unplannedFailover'; readonly body: RecoveryPlanUnplannedFailoverInput }
  | { readonly method: 'plannedFailover'; readonly body: RecoveryPlanPlannedFailoverInput };

/** Choices a plan failover accepts: ASR fails every member over to its own latest point of the kind. */
export const PLAN_POINT_CHOICES: readonly RecoveryPointKind[] = ['latest', 'latest-app-consistent'];

export type FailoverRequest =
  | { readonly method: 'unplannedFailover'; readonly body: UnplannedFailoverInput }
  | { readonly method: 'plannedFailover'; readonly body: PlannedFailoverInput };

/** Classic VMware architecture (configuration server, process servers): the seed's path. */
const classic: ProviderStrategy = {
  instanceType: 'InMage',
  failbackOperation: 'UnplannedFailover',
  pointChoices: ['latest', 'latest-app-consistent', 'specific'],
  failoverRequest(choice) {
    const providerSpecificDetails =
      choice.kind === 'specific'
        ? { instanceType: 'InMage' as const, recoveryPointType: 'Custom' as const, recoveryPointId: choice.recoveryPointId }
        : {
            instanceType: 'InMage' as const,
            recoveryPointType: choice.kind === 'latest' ? ('LatestTime' as const) : ('LatestTag' as const),
          };
    return {
      method: 'unplannedFailover',
      body: {
        properties: { failoverDirection: 'RecoveryToPrimary', sourceSiteOperations: 'Required', providerSpecificDetails },
      },
    };
  },
  planFailoverRequest(choice) {
    return {
      method: 'unplannedFailover',
      body: {
        properties: {
          failoverDirection: 'RecoveryToPrimary',
          sourceSiteOperations: 'Required',
          providerSpecificDetails: [{ instanceType: 'InMage', recoveryPointType: choice.kind === 'latest-app-consistent' ? 'LatestTag' : 'LatestTime' }],
        },
      },
    };
  },
  osType(item) {
    const d = item.properties?.providerSpecificDetails as { osDetails?: { osType?: string } } | undefined;
    return d?.osDetails?.osType;
  },
  protectedToAzureAs: 'InMageAzureV2',
  fabricRole: 'Configuration server',
  reprotectFields(item, fabric, policies, vault) {
    const d = details(item);
    const ps = rows(fabric.processServers).map((r) => serverOption(r, r.friendlyName, r.lastHeartbeat));
    const mt = rows(fabric.masterTargetServers).map((r) => serverOption(r, r.name, r.lastHeartbeat));
    const runAs = rows(fabric.runAsAccounts).map((r) => ({ value: String(r.accountId ?? ''), label: str(r.accountName) ?? String(r.accountId) }));
    const pol = policyOptions(policies, 'InMageAzureV2');
    const data = storageOptions(vault.storageAccounts.flatMap((a) => a.data));
    const log = storageOptions(vault.storageAccounts.flatMap((a) => a.log));
    return [
      { id: 'processServerId', label: 'Process server', optional: false, options: ps, initial: preferred(ps, str(d.processServerId)) },
      { id: 'masterTargetId', label: 'Master target', optional: false, options: mt, initial: preferred(mt, str(d.masterTargetId)) },
      { id: 'runAsAccountId', label: 'Run-as account', optional: true, options: runAs, initial: runAs[0]?.value },
      { id: 'policyId', label: 'Replication policy', optional: false, options: pol, initial: pol[0]?.value },
      { id: 'storageAccountId', label: 'Storage account for data', optional: true, options: data, initial: data[0]?.value },
      { id: 'logStorageAccountId', label: 'Storage account for logs', optional: true, options: log, initial: log[0]?.value },
    ];
  },
  reprotectRequest(c) {
    return {
      properties: {
        failoverDirection: 'PrimaryToRecovery',
        providerSpecificDetails: {
          instanceType: 'InMageAzureV2',
          processServerId: c.processServerId,
          masterTargetId: c.masterTargetId,
          policyId: c.policyId,
          ...(c.runAsAccountId ? { runAsAccountId: c.runAsAccountId } : {}),
          ...(c.storageAccountId ? { storageAccountId: c.storageAccountId } : {}),
          ...(c.logStorageAccountId ? { logStorageAccountId: c.logStorageAccountId } : {}),
        },
      },
    };
  },
  agentReady: () => undefined,
};

/** Modernized architecture (replication appliance): failback is a planned failover. */
const modernized: ProviderStrategy = {
  instanceType: 'InMageRcmFailback',
  failbackOperation: 'PlannedFailover',
  pointChoices: ['latest', 'latest-app-consistent'],
  failoverRequest(choice) {
    return {
      method: 'plannedFailover',
      body: {
        properties: {
          failoverDirection: 'RecoveryToPrimary',
          providerSpecificDetails: {
            instanceType: 'InMageRcmFailback',
            recoveryPointType: choice.kind === 'latest-app-consistent' ? 'ApplicationConsistent' : 'CrashConsistent',
          },
        },
      },
    };
  },
  planFailoverRequest(choice) {
    return {
      method: 'plannedFailover',
      body: {
        properties: {
          failoverDirection: 'RecoveryToPrimary',
          providerSpecificDetails: [
            { instanceType: 'InMageRcmFailback', recoveryPointType: choice.kind === 'latest-app-consistent' ? 'ApplicationConsistent' : 'CrashConsistent' },
          ],
        },
      },
    };
  },
  osType(item) {
    const d = item.properties?.providerSpecificDetails as { osType?: string } | undefined;
    return d?.osType;
  },
  protectedToAzureAs: 'InMageRcm',
  fabricRole: 'Replication appliance',
  reprotectFields(item, fabric, policies) {
    const ps = rows(fabric.processServers).map((r) => serverOption(r, r.name, r.lastHeartbeatUtc));
    const pol = policyOptions(policies, 'InMageRcm');
    const lastUsed = str(details(item).lastUsedPolicyId);
    return [
      { id: 'processServerId', label: 'Process server', optional: false, options: ps, initial: preferred(ps) },
      {
        id: 'policyId',
        label: 'Replication policy',
        optional: false,
        options: pol,
        initial: pol.find((p) => p.value.toLowerCase() === lastUsed?.toLowerCase())?.value ?? pol[0]?.value,
      },
    ];
  },
  reprotectRequest(c) {
    return {
      properties: {
        providerSpecificDetails: {
          instanceType: 'InMageRcmFailback',
          processServerId: c.processServerId ?? '',
          policyId: c.policyId ?? '',
          ...(c.runAsAccountId ? { runAsAccountId: c.runAsAccountId } : {}),
        },
      },
    };
  },
  agentReady(item) {
    const flag = details(item).isAgentRegistrationSuccessfulAfterFailover;
    return typeof flag === 'boolean' ? flag : undefined;
  },
};

const STRATEGIES: readonly ProviderStrategy[] = [classic, modernized];

/** Providers an item has once it replicates from AVS to Azure again. */
export const PROTECTED_TO_AZURE: readonly string[] = STRATEGIES.map((st) => st.protectedToAzureAs);

export function providerOf(item: ReplicationProtectedItem): string | undefined {
  return item.properties?.providerSpecificDetails?.instanceType;
}

/** The strategy for an item that can fail back, or undefined for items of other providers. */
export function strategyFor(item: ReplicationProtectedItem): ProviderStrategy | undefined {
  const provider = providerOf(item);
  return STRATEGIES.find((s) => s.instanceType === provider);
}

/**
 * The strategy of a recovery plan whose members all fail back with the same provider; otherwise
 * why the plan cannot fail back.
 */
export function planStrategyFor(plan: RecoveryPlan): { strategy: ProviderStrategy } | { reason: string } {
  const providers = plan.properties?.replicationProviders ?? [];
  const found = [...new Set(providers.map((p) => STRATEGIES.find((s) => s.instanceType === p)))];
  const only = found.length === 1 ? found[0] : undefined;
  if (only) return { strategy: only };
  if (providers.some((p) => p === 'InMageAzureV2' || p === 'InMageRcm')) {
    return { reason: 'replicates from AVS to Azure, not back: reprotect its VMs to AVS first' };
  }
  return { reason: `uses replication providers ${providers.join(', ') || 'none'}, which failback-bot cannot fail back as one plan` };
}

/**
 * Why an item of another provider cannot fail back, in words a responder understands.
 * InMageAzureV2 / InMageRcm items replicate from AVS to Azure: the reprotect to AVS has not happened.
 */
export function notReadyReason(item: ReplicationProtectedItem): string {
  const provider = providerOf(item);
  if (provider === 'InMageAzureV2' || provider === 'InMageRcm') {
    return 'replicates from AVS to Azure, not back: reprotect it to AVS first';
  }
  return `uses replication provider ${provider ?? 'unknown'}, which failback-bot does not fail back`;
}
