import type {
  ReplicationProtectedItem,
  UnplannedFailoverInput,
  PlannedFailoverInput,
} from '@azure/arm-recoveryservices-siterecovery';
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
  osType(item: ReplicationProtectedItem): string | undefined;
}

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
  osType(item) {
    const d = item.properties?.providerSpecificDetails as { osDetails?: { osType?: string } } | undefined;
    return d?.osDetails?.osType;
  },
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
  osType(item) {
    const d = item.properties?.providerSpecificDetails as { osType?: string } | undefined;
    return d?.osType;
  },
};

const STRATEGIES: readonly ProviderStrategy[] = [classic, modernized];

export function providerOf(item: ReplicationProtectedItem): string | undefined {
  return item.properties?.providerSpecificDetails?.instanceType;
}

/** The strategy for an item that can fail back, or undefined for items of other providers. */
export function strategyFor(item: ReplicationProtectedItem): ProviderStrategy | undefined {
  const provider = providerOf(item);
  return STRATEGIES.find((s) => s.instanceType === provider);
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
