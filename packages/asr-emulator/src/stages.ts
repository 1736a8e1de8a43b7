/**
 * The item state machine's table: (generation, stage) → what ASR shows. Built on recorded real
 * traffic (test/contract/recorded, condensed from Azure PowerShell's session records); every row
 * says in `source` which facts are recorded (file / step) and which are assumptions.
 *
 * Directions follow the item's activeLocation (recorded): a classic item reprotected to VMware
 * (`InMage`) is active in `Primary` with activeSiteType `Azure`; after failback it is active in
 * `Recovery` (`OnPrem`). The reprotect is `SwitchProtection` in allowedOperations (recorded).
 */
import type { Generation, ItemStage } from './types';

export type Provider = 'InMage' | 'InMageAzureV2' | 'InMageRcmFailback' | 'InMageRcm';

/** What ASR shows for an item in one stage of the cycle. */
export interface StageView {
  readonly provider: Provider;
  readonly protectionState: string;
  readonly protectionStateDescription: string;
  readonly activeLocation: 'Primary' | 'Recovery';
  /** Classic `InMage` only: where the VM runs (providerSpecificDetails.activeSiteType). */
  readonly activeSiteType?: 'Azure' | 'OnPrem';
  readonly allowedOperations: readonly string[];
  readonly replicationHealth: string;
  /** Modernized InMageRcmFailback after a planned failover (providerSpecificDetails.lastPlannedFailoverStatus). */
  readonly lastPlannedFailoverStatus?: 'Succeeded';
  /** Where these values come from: "recorded (file / step)" or "assumption". */
  readonly source: string;
}

/** Operations ASR lists for a VM that replicates AVS → Azure (assumption: realistic, not recorded for this state). */
const REPLICATING_TO_AZURE = ['TestFailover', 'UnplannedFailover', 'DisableProtection'];

export const STAGES: Readonly<Record<Generation, Readonly<Record<ItemStage, StageView>>>> = {
  classic: {
    ready: {
      provider: 'InMage',
      protectionState: 'Protected',
      protectionStateDescription: 'Protected',
      activeLocation: 'Primary',
      activeSiteType: 'Azure',
      allowedOperations: ['UnplannedFailover', 'DisableProtection'],
      replicationHealth: 'Normal',
      source:
        'recorded (classic-failback.json step 1): provider, activeLocation, activeSiteType, allowedOperations; assumption: protectionState',
    },
    failedOver: {
      provider: 'InMage',
      protectionState: 'CommitPendingStatesBegin',
      protectionStateDescription: 'Unplanned failover finished',
      activeLocation: 'Recovery',
      activeSiteType: 'OnPrem',
      allowedOperations: ['Commit', 'ChangePit', 'DisableProtection'],
      replicationHealth: 'Normal',
      source: 'assumption (not recorded; mirrors the recorded modernized failedOver state)',
    },
    committed: {
      provider: 'InMage',
      protectionState: 'UnplannedFailoverCommitted',
      protectionStateDescription: 'Failover committed',
      activeLocation: 'Recovery',
      activeSiteType: 'OnPrem',
      allowedOperations: ['CompleteMigration', 'DisableProtection', 'SwitchProtection'],
      replicationHealth: 'None',
      source: 'recorded (classic-failback.json step 5)',
    },
    replicatingToAzure: {
      provider: 'InMageAzureV2',
      protectionState: 'Protected',
      protectionStateDescription: 'Protected',
      activeLocation: 'Primary',
      allowedOperations: REPLICATING_TO_AZURE,
      replicationHealth: 'Normal',
      source:
        'recorded: provider InMageAzureV2 after the reprotect (classic-failback.json step 6); assumption: state words and allowedOperations',
    },
  },
  modernized: {
    ready: {
      provider: 'InMageRcmFailback',
      protectionState: 'Protected',
      protectionStateDescription: 'Protected',
      activeLocation: 'Primary',
      allowedOperations: ['PlannedFailover', 'DisableProtection'],
      replicationHealth: 'Normal',
      source: 'recorded (modernized-failback.json step 1)',
    },
    failedOver: {
      provider: 'InMageRcmFailback',
      protectionState: 'CommitPendingStatesBegin',
      protectionStateDescription: 'Planned failover finished',
      activeLocation: 'Recovery',
      allowedOperations: ['CompleteMigration', 'Commit', 'DisableProtection', 'SwitchProtection', 'CancelFailover'],
      replicationHealth: 'Normal',
      lastPlannedFailoverStatus: 'Succeeded',
      source: 'recorded (modernized-failback.json step 4, TestV2ARCMCancelFailover)',
    },
    committed: {
      provider: 'InMageRcmFailback',
      protectionState: 'PlannedFailoverCommitted',
      protectionStateDescription: 'Failover committed',
      activeLocation: 'Recovery',
      allowedOperations: ['CompleteMigration', 'DisableProtection', 'SwitchProtection'],
      replicationHealth: 'None',
      lastPlannedFailoverStatus: 'Succeeded',
      source: 'assumption (not recorded; mirrors the recorded classic committed state)',
    },
    replicatingToAzure: {
      provider: 'InMageRcm',
      protectionState: 'Protected',
      protectionStateDescription: 'Protected',
      activeLocation: 'Primary',
      allowedOperations: REPLICATING_TO_AZURE,
      replicationHealth: 'Normal',
      source:
        'recorded: provider InMageRcm with a new internalIdentifier after the reprotect (modernized-failback.json for_contrast); assumption: state words and allowedOperations',
    },
  },
};
