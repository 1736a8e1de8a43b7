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
import { AsrRefusedError } from '../errors';
import { detailsOf, directionFrom } from './asr-facts';

/**
 * One small strategy per replication provider (ASR generation). This file is the only place that
 * names providers; everything outside `src/azure` sees `ReplicatedVm` facts only. Request bodies
 * follow recorded real calls (docs/asr-generations.md: the source of each field).
 */
export interface ProviderStrategy {
  /** The provider of an item that replicates from Azure back to AVS, ready to fail back. */
  readonly instanceType: string;
  /** The operation ASR allows for failing back (`allowedOperations`). */
  readonly failbackOperation: 'UnplannedFailover' | 'PlannedFailover';
  readonly pointChoices: readonly RecoveryPointKind[];
  /** The failover POST and its body, for this item as ASR shows it now. */
  failoverRequest(item: ReplicationProtectedItem, choice: RecoveryPointChoice): FailoverRequest;
  /** The recovery-plan failover POST and its body (plans take the latest points only). */
  planFailoverRequest(choice: RecoveryPointChoice): PlanFailoverRequest;
  osType(item: ReplicationProtectedItem): string | undefined;
  /** The provider of the item once it replicates to Azure again (the reprotect is done). */
  readonly protectedToAzureAs: string;
  /** How the fabric that sends data back to Azure is called. */
  readonly fabricRole: string;
  /** What the reprotect needs chosen, from the VM's own fabric and what the vault maps to it. */
  reprotectFields(item: ReplicationProtectedItem, context: ReprotectContext): ReprotectField[];
  reprotectRequest(item: ReplicationProtectedItem, choices: Readonly<Record<string, string>>): ReverseReplicationInput;
  /** false while the VM's agent has not registered after the failover (modernized items say so). */
  agentReady(item: ReplicationProtectedItem): boolean | undefined;
  /** Whether this provider's reprotect needs the run-as accounts of the fabric's Azure Migrate VMware site. */
  readonly needsSiteRunAsAccounts: boolean;
  /**
   * Whether the item is on the Azure side, where a failback starts. Classic items say it in
   * `activeSiteType` (recorded `Azure` before the failback, `OnPrem` after); undefined where ASR
   * does not say.
   */
  onAzureSide(item: ReplicationProtectedItem): boolean | undefined;
}

/** What the reprotect form is filled from, read by the gateway for the VM's fabric and container. */
export interface ReprotectContext {
  /** The fabric's provider-specific details (`customDetails`) as ASR returns them. */
  readonly fabric: FabricDetails;
  readonly policies: readonly Policy[];
  /** Policy ids of the item's protection container's mappings (lower-cased). */
  readonly mappedPolicyIds: ReadonlySet<string>;
  /** Run-as accounts of the fabric's Azure Migrate VMware site (modernized), when read. */
  readonly siteRunAsAccounts?: readonly SiteRunAsAccount[] | undefined;
}

export interface SiteRunAsAccount {
  readonly id: string;
  readonly displayName: string;
  readonly credentialType?: string | undefined;
}

/** The fabric's provider-specific details (customDetails) as ASR returns them. */
export type FabricDetails = Readonly<Record<string, unknown>>;

type Row = Readonly<Record<string, unknown>>;
const rows = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const HEALTHY = new Set(['normal', 'healthy', 'none']);
const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

function serverOption(r: Row, name: unknown, heartbeat: unknown, note?: string): ReprotectOption {
  const health = str(r.health);
  return {
    value: String(r.id ?? ''),
    label: str(name) ?? String(r.id ?? 'unnamed'),
    health,
    unhealthy: health !== undefined && !HEALTHY.has(health.toLowerCase()),
    lastHeartbeat: str(heartbeat),
    ...(note ? { note } : {}),
  };
}

/** The first healthy option that `prefer` accepts, else the first healthy one that `avoid` does not name. */
function preferred(
  options: readonly ReprotectOption[],
  prefer: (o: ReprotectOption) => boolean,
  avoid?: (o: ReprotectOption) => boolean,
): string | undefined {
  const ok = options.filter((o) => !o.unhealthy && !avoid?.(o));
  return (ok.find(prefer) ?? ok[0])?.value;
}

/** The vault's policies of `provider`; those mapped to the item's container first (they are the default). */
function policyField(
  policies: readonly Policy[],
  provider: string,
  mapped: ReadonlySet<string>,
  fallbackInitial?: string,
): ReprotectField {
  const all = policies.filter((p) => p.properties?.providerSpecificDetails?.instanceType === provider && p.id);
  const inMapping = all.filter((p) => mapped.has((p.id ?? '').toLowerCase()));
  const offered = inMapping.length > 0 ? inMapping : all;
  const options = offered.map((p) => ({
    value: p.id ?? '',
    label: p.properties?.friendlyName ?? p.name ?? 'policy',
    ...(inMapping.length > 0 ? { note: 'mapped to this VM’s container' } : {}),
  }));
  // No guess among several unmapped policies: the person picks one (and the autopilot does not start).
  const initial =
    options.find((o) => same(o.value, fallbackInitial))?.value ??
    (inMapping.length > 0 || options.length === 1 ? options[0]?.value : undefined);
  return { id: 'policyId', label: 'Replication policy', optional: false, options, initial };
}

export type PlanFailoverRequest =
  | { readonly method: 'unplannedFailover'; readonly body: RecoveryPlanUnplannedFailoverInput }
  | { readonly method: 'plannedFailover'; readonly body: RecoveryPlanPlannedFailoverInput };

/** Choices a plan failover accepts: ASR fails every member over to its own latest point of the kind. */
export const PLAN_POINT_CHOICES: readonly RecoveryPointKind[] = ['latest', 'latest-app-consistent'];

export type FailoverRequest =
  | { readonly method: 'unplannedFailover'; readonly body: UnplannedFailoverInput }
  | { readonly method: 'plannedFailover'; readonly body: PlannedFailoverInput };

/**
 * NOT RECORDED: the direction of a VMware recovery plan's failback. Azure PowerShell's plan test
 * passes `RecoveryToPrimary`, and a recorded Hyper-V plan failback used it (the plan's primary is the
 * on-premises fabric). If ASR refuses it, the refusal (ASR's message) is shown and nothing has happened.
 */
const PLAN_FAILBACK_DIRECTION = 'RecoveryToPrimary';

function classicDirection(item: ReplicationProtectedItem, what: string): 'PrimaryToRecovery' | 'RecoveryToPrimary' {
  const direction = directionFrom(item);
  if (!direction) {
    throw new AsrRefusedError(
      'UnknownActiveLocation',
      `ASR does not say where ${item.properties?.friendlyName ?? 'the VM'} is active (activeLocation), so the direction of its ${what} is unknown`,
      undefined,
    );
  }
  return direction;
}

/** Classic VMware architecture (configuration server, process servers): the tutorial's path. */
const classic: ProviderStrategy = {
  instanceType: 'InMage',
  failbackOperation: 'UnplannedFailover',
  // A specific point is offered, marked: the tutorial offers only the latest points for a failback and
  // Azure PowerShell never sends `Custom` for InMage (not recorded); ASR's refusal is shown as it reads.
  pointChoices: ['latest', 'latest-app-consistent', 'specific'],
  failoverRequest(item, choice) {
    const providerSpecificDetails =
      choice.kind === 'specific'
        ? {
            instanceType: 'InMage' as const,
            recoveryPointType: 'Custom' as const,
            recoveryPointId: choice.recoveryPointId,
          }
        : {
            instanceType: 'InMage' as const,
            recoveryPointType: choice.kind === 'latest' ? ('LatestTime' as const) : ('LatestTag' as const),
          };
    return {
      method: 'unplannedFailover',
      body: {
        properties: {
          // Recorded: PrimaryToRecovery for an item active in Primary (= Azure after the reprotect to AVS).
          failoverDirection: classicDirection(item, 'failover'),
          // The recorded test chose NotRequired; Required asks ASR to shut the Azure VM down first,
          // as the tutorial's failback does (PowerShell -PerformSourceSideAction).
          sourceSiteOperations: 'Required',
          providerSpecificDetails,
        },
      },
    };
  },
  planFailoverRequest(choice) {
    return {
      method: 'unplannedFailover',
      body: {
        properties: {
          failoverDirection: PLAN_FAILBACK_DIRECTION,
          sourceSiteOperations: 'Required',
          providerSpecificDetails: [
            {
              instanceType: 'InMage',
              recoveryPointType: choice.kind === 'latest-app-consistent' ? 'LatestTag' : 'LatestTime',
            },
          ],
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
  needsSiteRunAsAccounts: false,
  onAzureSide(item) {
    const side = str(detailsOf(item).activeSiteType)?.toLowerCase();
    return side === 'azure' ? true : side === 'onprem' ? false : undefined;
  },
  reprotectFields(item, { fabric, policies, mappedPolicyIds }) {
    // The item's own process server served the failback from Azure: never the default for the way back.
    const failbackPs = str(detailsOf(item).processServerId);
    const csAddress = str(fabric.ipAddress);
    const ps = rows(fabric.processServers).map((r) => {
      const servedFailback = same(String(r.id ?? ''), failbackPs);
      const note = servedFailback
        ? 'served the failback from Azure'
        : same(str(r.ipAddress), csAddress)
          ? 'the configuration server’s own'
          : undefined;
      return serverOption(r, r.friendlyName, r.lastHeartbeat, note);
    });
    const runAs = rows(fabric.runAsAccounts).map((r) => ({
      value: String(r.accountId ?? ''),
      label: str(r.accountName) ?? String(r.accountId),
    }));
    return [
      {
        id: 'processServerId',
        label: 'Process server',
        optional: false,
        options: ps,
        initial: preferred(
          ps,
          (o) => o.note === 'the configuration server’s own',
          (o) => o.note === 'served the failback from Azure',
        ),
      },
      // Required by Azure PowerShell for VMware → Azure and sent in the recorded call ("2").
      {
        id: 'runAsAccountId',
        label: 'Run-as account (to push the Mobility service if needed)',
        optional: false,
        options: runAs,
        initial: runAs[0]?.value,
      },
      policyField(policies, 'InMageAzureV2', mappedPolicyIds),
    ];
  },
  reprotectRequest(item, c) {
    return {
      properties: {
        // Recorded: RecoveryToPrimary for an item active in Recovery (= on premises after failback and commit).
        failoverDirection: classicDirection(item, 'reprotect'),
        providerSpecificDetails: {
          instanceType: 'InMageAzureV2',
          // Recorded: the master target is the chosen process server (PowerShell: "PS and MT are same").
          masterTargetId: c.processServerId,
          processServerId: c.processServerId,
          runAsAccountId: c.runAsAccountId,
          policyId: c.policyId,
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
  failoverRequest(_item, choice) {
    return {
      method: 'plannedFailover',
      // Recorded: no failoverDirection (PowerShell sets it to null on purpose).
      body: {
        properties: {
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
          // The plan input requires a direction (not recorded for these plans; see PLAN_FAILBACK_DIRECTION).
          failoverDirection: PLAN_FAILBACK_DIRECTION,
          providerSpecificDetails: [
            {
              instanceType: 'InMageRcmFailback',
              recoveryPointType: choice.kind === 'latest-app-consistent' ? 'ApplicationConsistent' : 'CrashConsistent',
            },
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
  needsSiteRunAsAccounts: true,
  onAzureSide: () => undefined,
  reprotectFields(item, { fabric, policies, mappedPolicyIds, siteRunAsAccounts }) {
    const ps = rows(fabric.processServers).map((r) => serverOption(r, r.name, r.lastHeartbeatUtc));
    const lastUsed = str(detailsOf(item).lastUsedPolicyId);
    const os = (this.osType(item) ?? '').toLowerCase();
    const runAs = (siteRunAsAccounts ?? []).map((a) => ({
      value: a.id,
      label: a.displayName,
      ...(a.credentialType ? { note: a.credentialType } : {}),
    }));
    // A guest account of the VM's own OS is what pushes the Mobility service; otherwise the first.
    const guest = runAs.find((a) => os !== '' && (a.note ?? '').toLowerCase() === `${os}guest`);
    return [
      {
        id: 'processServerId',
        label: 'Process server',
        optional: false,
        options: ps,
        initial: preferred(ps, () => true),
      },
      // Recorded: an Azure Migrate VMware-site run-as account by ARM id; PowerShell makes it mandatory.
      {
        id: 'runAsAccountId',
        label: 'Run-as account (Azure Migrate VMware site)',
        optional: false,
        options: runAs,
        initial: guest?.value ?? runAs[0]?.value,
      },
      policyField(policies, 'InMageRcm', mappedPolicyIds, lastUsed),
    ];
  },
  reprotectRequest(_item, c) {
    return {
      // Recorded: no failoverDirection.
      properties: {
        providerSpecificDetails: {
          instanceType: 'InMageRcmFailback',
          processServerId: c.processServerId ?? '',
          runAsAccountId: c.runAsAccountId,
          policyId: c.policyId ?? '',
        },
      },
    };
  },
  agentReady(item) {
    const flag = detailsOf(item).isAgentRegistrationSuccessfulAfterFailover;
    return typeof flag === 'boolean' ? flag : undefined;
  },
};

const STRATEGIES: readonly ProviderStrategy[] = [classic, modernized];

/** Providers an item has once it replicates from AVS to Azure again. */
export const PROTECTED_TO_AZURE: readonly string[] = STRATEGIES.map((st) => st.protectedToAzureAs);

export function providerOf(item: ReplicationProtectedItem): string | undefined {
  return item.properties?.providerSpecificDetails?.instanceType;
}

const toAzureProvider = (item: ReplicationProtectedItem) => PROTECTED_TO_AZURE.includes(providerOf(item) ?? '');
const activeInRecovery = (item: ReplicationProtectedItem) =>
  (item.properties?.activeLocation ?? '').toLowerCase() === 'recovery';

/**
 * Whether the item replicates from AVS to Azure (the reprotect after a failback is done): a to-Azure
 * provider, not failed over. An InMageAzureV2 / InMageRcm item active in `Recovery` runs in Azure
 * and waits for its reprotect to AVS (recorded), which is not protected to Azure.
 */
export function protectedToAzure(item: ReplicationProtectedItem): boolean {
  return toAzureProvider(item) && !activeInRecovery(item);
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
  if (providers.some((p) => PROTECTED_TO_AZURE.includes(p))) {
    return { reason: 'replicates from AVS to Azure, not back: reprotect its VMs to AVS first' };
  }
  return {
    reason: `uses replication providers ${providers.join(', ') || 'none'}, which failback-bot cannot fail back as one plan`,
  };
}

/**
 * Why an item of another provider cannot fail back, in words a responder understands.
 * InMageAzureV2 / InMageRcm items replicate from AVS to Azure: the reprotect to AVS has not happened.
 */
export function notReadyReason(item: ReplicationProtectedItem): string {
  if (toAzureProvider(item) && activeInRecovery(item))
    return 'runs in Azure but is not reprotected to AVS yet: reprotect it to AVS first';
  if (toAzureProvider(item)) return 'replicates from AVS to Azure, not back: reprotect it to AVS first';
  return `uses replication provider ${providerOf(item) ?? 'unknown'}, which failback-bot does not fail back`;
}
