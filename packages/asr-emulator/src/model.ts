/**
 * The emulated vault's state. What an item shows and allows is derived from its generation and
 * stage (STAGES, in stages.ts) and whether an operation runs on it — callers read
 * `allowedOperations`, they never hard-code it.
 */
import { TYPES, guidFrom, vaultArmId, vaultId } from './ids';
import type { JobState } from './jobs';
import { defaultRecoveryPoints } from './seed-tools';
import { STAGES, type StageView } from './stages';
import type {
  ContainerSeed,
  EmulatorSettings,
  FabricSeed,
  Generation,
  ItemHealthSeed,
  ItemStage,
  MappingSeed,
  PlanSeed,
  PolicySeed,
  RecoveryPointSeed,
  VaultSeed,
  VmwareSiteSeed,
} from './types';

export { STAGES, type StageView } from './stages';

/** An operation running on an item (ASR's `currentScenario`); `scenarioName` is the job's. */
export interface RunningScenario {
  readonly scenarioName: string;
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
  /** Modernized: epoch ms from which the agent counts as registered after the planned failover. */
  agentRegisteredAt?: number;
  /** Classic `InMage` (failback replication): the Azure-side process server and the on-prem master target. */
  readonly failbackProcessServerId?: string;
  readonly failbackMasterTargetId?: string;
  /** The replication to Azure (`InMageAzureV2` / `InMageRcm`): from the seed or the last reprotect. */
  processServerId?: string;
  masterTargetId?: string;
  health?: ItemHealthSeed;
}

/** The view of an item right now: its stage's view, with no operation allowed while one runs. */
export function viewOf(item: ItemState): StageView {
  const stage = STAGES[item.generation][item.stage];
  return item.scenario ? { ...stage, allowedOperations: [] } : stage;
}

/** Classic: providerSpecificDetails.vmId, a GUID that is not the item's ARM name (recorded). The same for InMage and InMageAzureV2. */
export function vmIdOf(item: ItemState): string {
  return guidFrom(`vmid/${item.friendlyName}`);
}

/** Modernized: providerSpecificDetails.internalIdentifier; it changes with the provider (recorded). */
export function internalIdentifierOf(item: ItemState): string {
  return guidFrom(`${viewOf(item).provider}/${item.name}`);
}

/** The GUID the item's jobs carry as targetObjectId (recorded): classic vmId, modernized internalIdentifier. */
export function jobTargetIdOf(item: ItemState): string {
  return item.generation === 'classic' ? vmIdOf(item) : internalIdentifierOf(item);
}

export function isAgentRegistered(item: ItemState, now: number): boolean {
  return item.agentRegisteredAt !== undefined && now >= item.agentRegisteredAt;
}

/** A mapping with its target container resolved. */
export interface ResolvedMapping extends MappingSeed {
  readonly fabric: string;
  readonly container: string;
  readonly target: { readonly fabric: string; readonly container: string };
}

/** A vault's region when its seed names none. */
export const DEFAULT_LOCATION = 'westeurope';

/** The emulated vault. Names match case-insensitively, as in ARM. */
export class VaultState {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  /** The vault's Azure region. */
  readonly location: string;
  readonly fabrics: FabricSeed[];
  readonly policies: PolicySeed[];
  readonly items: ItemState[];
  readonly plans: PlanSeed[];
  readonly sites: VmwareSiteSeed[];
  /** Each plan's last job (a plan keeps its last scenario after the job ended — recorded). */
  readonly planJobs = new Map<string, JobState>();
  /** When the vault was built: the run-as accounts' timestamps are relative to it. */
  readonly createdAt: number;

  constructor(
    seed: VaultSeed,
    now: number,
    readonly settings: EmulatorSettings,
  ) {
    this.subscriptionId = seed.subscriptionId;
    this.resourceGroup = seed.resourceGroup;
    this.name = seed.name;
    this.location = seed.location ?? DEFAULT_LOCATION;
    this.fabrics = [...seed.fabrics];
    this.policies = [...seed.policies];
    this.plans = [...seed.plans];
    this.sites = [...(seed.vmwareSites ?? [])];
    this.createdAt = now;
    this.items = seed.items.map((s) => {
      const name = s.name ?? guidFrom(`${seed.name}/${s.fabric}/${s.friendlyName}`);
      const points =
        s.recoveryPoints === 'none'
          ? []
          : s.recoveryPoints === undefined || s.recoveryPoints === 'default'
            ? defaultRecoveryPoints(name, now)
            : [...s.recoveryPoints];
      const provider = STAGES[s.generation][s.stage].provider;
      const policy =
        s.policy ?? this.policies.find((p) => p.providerSpecificDetails.instanceType === provider)?.name ?? '';
      const servers =
        provider === 'InMage'
          ? { failbackProcessServerId: s.processServerId, failbackMasterTargetId: s.masterTargetId }
          : { processServerId: s.processServerId, masterTargetId: s.masterTargetId };
      const item: ItemState = {
        name,
        friendlyName: s.friendlyName,
        fabric: s.fabric,
        container: s.container,
        generation: s.generation,
        stage: s.stage,
        osType: s.osType ?? 'Windows',
        policy,
        points,
        ...servers,
        ...(s.health ? { health: s.health } : {}),
      };
      if (s.generation === 'modernized' && (s.stage === 'failedOver' || s.stage === 'committed'))
        item.agentRegisteredAt = now;
      return item;
    });
  }

  /** The vault's ARM id prefix, as ASR's resources carry it (`/Subscriptions/…`, the recorded casing). */
  get id(): string {
    return vaultId(this);
  }

  /** The vault's own ARM id as the Microsoft.RecoveryServices provider serves the vault (`/subscriptions/…`). */
  get armId(): string {
    return vaultArmId(this);
  }

  fabric(name: string): FabricSeed | undefined {
    return this.fabrics.find((f) => eq(f.name, name));
  }

  container(fabric: string, name: string): ContainerSeed | undefined {
    return this.fabric(fabric)?.containers.find((c) => eq(c.name, name));
  }

  /** A container's mappings; a mapping without a target pairs with the first container of the first Azure fabric. */
  mappings(fabric: string, container: string): ResolvedMapping[] {
    const f = this.fabric(fabric);
    const c = this.container(fabric, container);
    if (!f || !c) return [];
    const azure = this.fabrics.find((x) => x.customDetails.instanceType === 'Azure');
    const fallback = { fabric: azure?.name ?? '', container: azure?.containers[0]?.name ?? '' };
    return (c.mappings ?? []).map((m) => ({
      ...m,
      fabric: f.name,
      container: c.name,
      target: m.targetContainer ?? fallback,
    }));
  }

  item(fabric: string, container: string, name: string): ItemState | undefined {
    return this.items.find((i) => eq(i.fabric, fabric) && eq(i.container, container) && eq(i.name, name));
  }

  /** By friendly name or ARM name. */
  itemNamed(name: string): ItemState | undefined {
    return this.items.find((i) => i.friendlyName === name) ?? this.items.find((i) => eq(i.name, name));
  }

  /** A plan's members that exist, in plan order. */
  membersOf(plan: PlanSeed): ItemState[] {
    return plan.members.map((m) => this.itemNamed(m)).filter((i): i is ItemState => i !== undefined);
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

  /** An Azure Migrate site by ARM id (any casing). */
  site(id: string): VmwareSiteSeed | undefined {
    return this.sites.find((s) => eq(s.id, id));
  }

  /** The ARM id of a site's run-as account (`…/runasaccounts/{name}`, casing as recorded). */
  runAsAccountId(site: VmwareSiteSeed, name: string): string {
    return `${site.id}/runasaccounts/${name}`;
  }

  fabricId(fabric: string): string {
    return `${this.id}/replicationFabrics/${fabric}`;
  }

  containerId(fabric: string, container: string): string {
    return `${this.fabricId(fabric)}/replicationProtectionContainers/${container}`;
  }

  mappingId(m: ResolvedMapping): string {
    return `${this.containerId(m.fabric, m.container)}/replicationProtectionContainerMappings/${m.name}`;
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
