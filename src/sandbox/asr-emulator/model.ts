/**
 * The emulated vault's state and the item state machine. What an item allows is derived from its
 * generation and stage (STAGES) and whether an operation runs on it — callers read
 * `allowedOperations`, they never hard-code it.
 */
import { TYPES, guidFrom, vaultId } from './ids';
import { defaultRecoveryPoints } from './scenario';
import type { FabricSeed, Generation, ItemStage, PlanSeed, PolicySeed, RecoveryPointSeed, VaultSeed } from './types';

/** What ASR shows for an item in one stage of the cycle. */
export interface StageView {
  readonly provider: 'InMage' | 'InMageAzureV2' | 'InMageRcmFailback' | 'InMageRcm';
  readonly protectionState: string;
  readonly protectionStateDescription: string;
  readonly activeLocation: 'Primary' | 'Recovery';
  readonly allowedOperations: readonly string[];
  readonly replicationHealth: string;
}

/** The state machine's table: (generation, stage) → provider, protection state, allowed operations. */
export const STAGES: Readonly<Record<Generation, Readonly<Record<ItemStage, StageView>>>> = {
  classic: {
    ready: { provider: 'InMage', protectionState: 'Protected', protectionStateDescription: 'Protected', activeLocation: 'Recovery', allowedOperations: ['UnplannedFailover', 'DisableProtection'], replicationHealth: 'Normal' },
    failedOver: { provider: 'InMage', protectionState: 'UnplannedFailoverCommitPendingStatesBegin', protectionStateDescription: 'Failover completed', activeLocation: 'Primary', allowedOperations: ['Commit', 'ChangePit', 'DisableProtection'], replicationHealth: 'Normal' },
    committed: { provider: 'InMage', protectionState: 'UnplannedFailoverCompleted', protectionStateDescription: 'Failover committed', activeLocation: 'Primary', allowedOperations: ['Reprotect', 'DisableProtection'], replicationHealth: 'None' },
    replicatingToAzure: { provider: 'InMageAzureV2', protectionState: 'Protected', protectionStateDescription: 'Initial replication in progress', activeLocation: 'Primary', allowedOperations: ['DisableProtection'], replicationHealth: 'Normal' },
  },
  modernized: {
    ready: { provider: 'InMageRcmFailback', protectionState: 'Protected', protectionStateDescription: 'Protected', activeLocation: 'Recovery', allowedOperations: ['PlannedFailover', 'DisableProtection'], replicationHealth: 'Normal' },
    failedOver: { provider: 'InMageRcmFailback', protectionState: 'PlannedFailoverCommitPendingStatesBegin', protectionStateDescription: 'Failover completed', activeLocation: 'Primary', allowedOperations: ['Commit', 'DisableProtection'], replicationHealth: 'Normal' },
    committed: { provider: 'InMageRcmFailback', protectionState: 'PlannedFailoverCompleted', protectionStateDescription: 'Failover committed', activeLocation: 'Primary', allowedOperations: ['Reprotect', 'DisableProtection'], replicationHealth: 'None' },
    replicatingToAzure: { provider: 'InMageRcm', protectionState: 'Protected', protectionStateDescription: 'Initial replication in progress', activeLocation: 'Primary', allowedOperations: ['DisableProtection'], replicationHealth: 'Normal' },
  },
};

/** An operation running on an item (ASR's `currentScenario`). */
export interface RunningScenario {
  readonly scenarioName: 'UnplannedFailover' | 'PlannedFailover' | 'Commit' | 'Reprotect';
  readonly jobName: string;
  readonly startTime: Date;
}

/** One protected item, mutable. */
export interface ItemState {
  readonly name: string;
  readonly friendlyName: string;
  readonly fabric: string;
  readonly container: string;
  readonly generation: Generation;
  stage: ItemStage;
  readonly osType: 'Windows' | 'Linux';
  /** Policy ARM name. */
  policy: string;
  points: RecoveryPointSeed[];
  scenario?: RunningScenario;
  lastFailoverTime?: Date;
  failoverPointId?: string;
  /** Modernized: epoch ms from which the agent counts as registered after the commit. */
  agentRegisteredAt?: number;
  /** Classic: the process server / master target of the last reprotect. */
  processServerId?: string;
  masterTargetId?: string;
}

/** The view of an item right now: its stage's view, with no operation allowed while one runs. */
export function viewOf(item: ItemState): StageView {
  const stage = STAGES[item.generation][item.stage];
  return item.scenario ? { ...stage, allowedOperations: [] } : stage;
}

/** The emulated vault. Names match case-insensitively, as in ARM. */
export class VaultState {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly fabrics: FabricSeed[];
  readonly policies: PolicySeed[];
  readonly items: ItemState[];
  readonly plans: PlanSeed[];

  constructor(seed: VaultSeed, now: number) {
    this.subscriptionId = seed.subscriptionId;
    this.resourceGroup = seed.resourceGroup;
    this.name = seed.name;
    this.fabrics = [...seed.fabrics];
    this.policies = [...seed.policies];
    this.plans = [...seed.plans];
    this.items = seed.items.map((s) => {
      const name = s.name ?? guidFrom(`${seed.name}/${s.fabric}/${s.friendlyName}`);
      const points = s.recoveryPoints === 'none' ? [] : s.recoveryPoints === undefined || s.recoveryPoints === 'default' ? defaultRecoveryPoints(name, now) : [...s.recoveryPoints];
      const provider = STAGES[s.generation][s.stage].provider;
      const policy = s.policy ?? this.policies.find((p) => p.providerSpecificDetails.instanceType === provider)?.name ?? '';
      return { name, friendlyName: s.friendlyName, fabric: s.fabric, container: s.container, generation: s.generation, stage: s.stage, osType: s.osType ?? 'Windows', policy, points };
    });
  }

  /** The vault's ARM id prefix. */
  get id(): string {
    return vaultId(this);
  }

  fabric(name: string): FabricSeed | undefined {
    return this.fabrics.find((f) => eq(f.name, name));
  }

  container(fabric: string, name: string): { name: string; friendlyName: string } | undefined {
    return this.fabric(fabric)?.containers.find((c) => eq(c.name, name));
  }

  item(fabric: string, container: string, name: string): ItemState | undefined {
    return this.items.find((i) => eq(i.fabric, fabric) && eq(i.container, container) && eq(i.name, name));
  }

  /** By friendly name or ARM name. */
  itemNamed(name: string): ItemState | undefined {
    return this.items.find((i) => i.friendlyName === name) ?? this.items.find((i) => eq(i.name, name));
  }

  policy(name: string): PolicySeed | undefined {
    return this.policies.find((p) => eq(p.name, name));
  }

  /** A policy by ARM id (any casing); undefined when the id is not one of this vault's. */
  policyById(id: string): PolicySeed | undefined {
    const prefix = `${this.id}/replicationPolicies/`;
    return id.toLowerCase().startsWith(prefix.toLowerCase()) ? this.policy(id.slice(prefix.length)) : undefined;
  }

  plan(name: string): PlanSeed | undefined {
    return this.plans.find((p) => eq(p.name, name));
  }

  fabricId(fabric: string): string {
    return `${this.id}/replicationFabrics/${fabric}`;
  }

  containerId(fabric: string, container: string): string {
    return `${this.fabricId(fabric)}/replicationProtectionContainers/${container}`;
  }

  itemId(item: ItemState): string {
    return `${this.containerId(item.fabric, item.container)}/replicationProtectedItems/${item.name}`;
  }

  pointId(item: ItemState, point: string): string {
    return `${this.itemId(item)}/recoveryPoints/${point}`;
  }

  policyId(name: string): string {
    return `${this.id}/replicationPolicies/${name}`;
  }

  jobId(name: string): string {
    return `${this.id}/replicationJobs/${name}`;
  }

  planId(name: string): string {
    return `${this.id}/replicationRecoveryPlans/${name}`;
  }
}

/** ARM names compare case-insensitively. */
export function eq(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export { TYPES };
