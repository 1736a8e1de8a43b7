import type { VaultTag } from './vault';

/**
 * What failback needs to know about one replicated VM, as read from ASR by the Azure gateway.
 * Provider (ASR generation) differences are already resolved into these facts by `src/azure`.
 */
export interface ReplicatedVm {
  /** ARM id of the replication protected item. */
  readonly id: string;
  /** The VM's friendly name, shown everywhere. */
  readonly name: string;
  /** Whether ASR allows failing this VM back now; otherwise why not, in plain words. */
  readonly failback: { readonly ready: true } | { readonly ready: false; readonly reason: string };
  /** An ASR operation already running on the item (`currentScenario`). */
  readonly runningOperation?: { readonly scenario: string; readonly jobName: string } | undefined;
  readonly osType?: string | undefined;
  /** Recovery-point choices this VM's replication provider supports. */
  readonly pointChoices: readonly RecoveryPointKind[];
  /** The ids ASR names the VM by in its jobs (`targetObjectId`, lower-cased GUIDs); absent in older caches. */
  readonly jobTargetIds?: readonly string[] | undefined;
  /** Replication health as ASR reports it on the item; absent in older caches. */
  readonly health?: VmHealth | undefined;
  /** The vault it is replicated in (absent in older caches: the vault is in its ARM id too). */
  readonly vault?: VaultTag | undefined;
}

/** What ASR says about a VM's replication, from the item itself (no read per VM). */
export interface VmHealth {
  /** `replicationHealth`: Normal, Warning, Critical (None when ASR does not rate it). */
  readonly replication?: string | undefined;
  /** Health errors ASR reports on the item, worst first (a few kept). */
  readonly errors: readonly HealthProblem[];
  /** Last heartbeat of the VM's mobility agent (ISO). */
  readonly agentHeartbeat?: string | undefined;
  /** The RPO ASR computed for the replication (classic only), in seconds. */
  readonly rpoSeconds?: number | undefined;
  /** The process server (classic) or appliance (modernized) the replication goes through. */
  readonly serverId?: string | undefined;
  readonly serverName?: string | undefined;
}

export interface HealthProblem {
  /** Error, Warning or Info as ASR rates it. */
  readonly level?: string | undefined;
  readonly code?: string | undefined;
  readonly message: string;
  readonly action?: string | undefined;
}

/** A process server or replication appliance of the vault's fabrics, with its own health. */
export interface ReplicationServer {
  readonly id: string;
  readonly name: string;
  readonly role: 'process server' | 'appliance';
  readonly health?: string | undefined;
  readonly lastHeartbeat?: string | undefined;
}

export interface RecoveryPointSummary {
  readonly count: number;
  /** ISO times of the newest point of each kind. */
  readonly latestCrashConsistent?: string | undefined;
  readonly latestAppConsistent?: string | undefined;
}

/** A VM with the facts preflight needs (points are read when the VMs are chosen). */
export interface VmFacts extends ReplicatedVm {
  readonly points?: RecoveryPointSummary | undefined;
}

export type RecoveryPointKind = 'latest' | 'latest-app-consistent' | 'specific';

export type RecoveryPointChoice =
  | { readonly kind: 'latest' }
  | { readonly kind: 'latest-app-consistent' }
  | { readonly kind: 'specific'; readonly recoveryPointId: string; readonly time: string };

export const RECOVERY_POINT_LABELS: Readonly<Record<RecoveryPointKind, string>> = {
  latest: 'Latest (crash-consistent)',
  'latest-app-consistent': 'Latest app-consistent',
  specific: 'A specific recovery point',
};

export function describePoint(choice: RecoveryPointChoice): string {
  return choice.kind === 'specific' ? `Recovery point of ${choice.time}` : RECOVERY_POINT_LABELS[choice.kind];
}

/** One recovery point of a VM, for choosing a specific point. */
export interface RecoveryPointInfo {
  readonly id: string;
  readonly time: string;
  readonly appConsistent: boolean;
}

/** A recovery plan of the vault, as failback needs it (provider differences already resolved). */
export interface ReplicatedPlan {
  /** ARM id of the recovery plan. */
  readonly id: string;
  readonly name: string;
  /** ARM ids of the plan's replication protected items, in the order of its groups. */
  readonly vmIds: readonly string[];
  /** Its VMs replicate from Azure back to AVS (offered in the picker even when ASR does not allow it now). */
  readonly failsBack: boolean;
  /** Whether ASR allows failing the plan back now (`allowedOperations`); otherwise why not. */
  readonly failback: { readonly ready: true } | { readonly ready: false; readonly reason: string };
  readonly runningOperation?: { readonly scenario: string; readonly jobName: string } | undefined;
  /** Recovery-point choices a plan failover of this provider accepts (never a specific point). */
  readonly pointChoices: readonly RecoveryPointKind[];
  readonly vault?: VaultTag | undefined;
}
