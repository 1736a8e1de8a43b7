/**
 * The emulator's control API over every vault: snapshots of items, plans and jobs, acting "in the
 * portal", and refusing a vault to the identity. Lookups search the vaults in seed order (items by
 * friendly name first, then by ARM name; job names are unique across vaults).
 */
import type { Estate, VaultContext } from './estate';
import type { JobState } from './jobs';
import { type ItemState, jobTargetIdOf, viewOf } from './model';
import { startOperation } from './operations';
import { portalBody } from './portal';
import { renderItem } from './render';
import { renderJob, renderPlan } from './render-jobs';
import type { ItemHealthSeed, ItemStage, OperationKind, PlanSeed, RecoveryPointSeed } from './types';

/** One vault of the emulator. */
export interface VaultInfo {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  /** `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}` (as ARM serves the vault). */
  readonly id: string;
}

/** A readable snapshot of one item (plus its ARM JSON as served). */
export interface ItemSnapshot {
  readonly name: string;
  readonly friendlyName: string;
  /** The name of the vault the item is in. */
  readonly vault: string;
  readonly id: string;
  readonly fabric: string;
  readonly container: string;
  readonly generation: 'classic' | 'modernized';
  readonly stage: ItemStage;
  readonly provider: string;
  readonly protectionState: string;
  readonly activeLocation: 'Primary' | 'Recovery';
  readonly allowedOperations: readonly string[];
  /** 'None' or the running operation: the job's scenarioName (whatever `itemScenarioNames` serves) and the job's name. */
  readonly currentScenario: { readonly scenarioName: string; readonly jobName?: string };
  /** The GUID this item's jobs carry as targetObjectId now: classic vmId, modernized internalIdentifier. */
  readonly jobTargetId: string;
  readonly recoveryPointCount: number;
  readonly arm: Record<string, unknown>;
}

/** A readable snapshot of one recovery plan (plus its ARM JSON as served). */
export interface PlanSnapshot {
  readonly name: string;
  readonly friendlyName: string;
  /** The name of the vault the plan is in. */
  readonly vault: string;
  /** Member friendly names. */
  readonly members: readonly string[];
  readonly allowedOperations: readonly string[];
  /** The plan's last job (kept after it ended, as ASR does), or null. */
  readonly currentScenario: { readonly scenarioName: string; readonly jobName: string; readonly status: string } | null;
  readonly arm: Record<string, unknown>;
}

/** The control API's state part; every member is a bound function or a value (safe to destructure). */
export class EstateControl {
  /** Every vault, the default one first. */
  readonly vaults: readonly VaultInfo[];

  constructor(
    private readonly estate: Estate,
    private readonly options: { readonly now: () => number; readonly agentRegistrationDelayMs: number },
  ) {
    this.vaults = Object.freeze(
      estate.vaults.map(({ vault: v }) =>
        Object.freeze({
          subscriptionId: v.subscriptionId,
          resourceGroup: v.resourceGroup,
          name: v.name,
          location: v.location,
          id: v.armId,
        }),
      ),
    );
  }

  readonly items = (): ItemSnapshot[] =>
    this.estate.vaults.flatMap((ctx) => ctx.vault.items.map((i) => this.snapshot(ctx, i)));

  readonly item = (name: string): ItemSnapshot | undefined => {
    const found = this.estate.item(name);
    return found ? this.snapshot(found.ctx, found.item) : undefined;
  };

  readonly plan = (name: string): PlanSnapshot | undefined => {
    const found = this.estate.plan(name);
    return found ? planSnapshot(found.ctx, found.plan) : undefined;
  };

  readonly job = (name: string): Record<string, unknown> | undefined => {
    const found = this.estate.job(name);
    return found ? renderJob(found.ctx.vault, found.job) : undefined;
  };

  /** Every vault's jobs, newest first. */
  readonly jobs = (): Record<string, unknown>[] =>
    this.estate.vaults
      .flatMap((ctx) => ctx.jobs.list().map((job) => ({ ctx, job })))
      .sort((a, b) => newestFirst(a.job, b.job))
      .map(({ ctx, job }) => renderJob(ctx.vault, job));

  readonly resumeJob = (name: string): void => {
    // An unknown job: the runner's own "not suspended (state unknown)" error.
    (this.estate.job(name)?.ctx ?? this.estate.default).jobs.resume(name);
  };

  readonly setItemStage = (name: string, stage: ItemStage): void => {
    const item = this.find(name).item;
    item.stage = stage;
    item.scenario = undefined;
    if (stage === 'committed') item.points = [];
    // Modernized: the agent registers after the planned failover (vmId / internalIdentifier follow the stage's provider).
    if (item.generation === 'modernized') {
      item.agentRegisteredAt =
        stage === 'failedOver' || stage === 'committed'
          ? (item.agentRegisteredAt ?? this.options.now() + this.options.agentRegistrationDelayMs)
          : undefined;
    }
  };

  readonly setRecoveryPoints = (name: string, points: 'none' | readonly RecoveryPointSeed[]): void => {
    this.find(name).item.points =
      points === 'none' ? [] : [...points].sort((a, b) => b.time.getTime() - a.time.getTime());
  };

  readonly setAgentRegistered = (name: string, registered: boolean): void => {
    this.find(name).item.agentRegisteredAt = registered ? this.options.now() : undefined;
  };

  readonly setItemHealth = (name: string, health: ItemHealthSeed | undefined): void => {
    this.find(name).item.health = health;
  };

  readonly startInPortal = (name: string, kind: OperationKind, body?: unknown): string => {
    const { ctx, item } = this.find(name);
    const reply = startOperation(ctx, kind, item, body ?? portalBody(ctx.vault, item, kind), '2023-06-01');
    if (reply.status !== 202 || !item.scenario)
      throw new Error(`ASR refused ${kind} on ${name}: ${JSON.stringify(reply.body)}`);
    return item.scenario.jobName;
  };

  readonly denyVault = (vault: string, denied: boolean): void => {
    this.estate.deny(vault, denied);
  };

  private find(name: string): { readonly ctx: VaultContext; readonly item: ItemState } {
    const found = this.estate.item(name);
    if (!found) throw new Error(`ASR emulator: no item named '${name}'`);
    return found;
  }

  private snapshot(ctx: VaultContext, i: ItemState): ItemSnapshot {
    const { vault } = ctx;
    const view = viewOf(i);
    return {
      name: i.name,
      friendlyName: i.friendlyName,
      vault: vault.name,
      id: vault.itemId(i),
      fabric: i.fabric,
      container: i.container,
      generation: i.generation,
      stage: i.stage,
      provider: view.provider,
      protectionState: view.protectionState,
      activeLocation: view.activeLocation,
      allowedOperations: view.allowedOperations,
      currentScenario: i.scenario
        ? { scenarioName: i.scenario.scenarioName, jobName: i.scenario.jobName }
        : { scenarioName: 'None' },
      jobTargetId: jobTargetIdOf(i),
      recoveryPointCount: i.points.length,
      arm: renderItem(vault, i, this.options.now()),
    };
  }
}

function planSnapshot({ vault }: VaultContext, p: PlanSeed): PlanSnapshot {
  const arm = renderPlan(vault, p) as {
    properties: { allowedOperations: string[]; currentScenarioStatus: string | null };
  };
  const job = vault.planJobs.get(p.name.toLowerCase());
  return {
    name: p.name,
    friendlyName: p.friendlyName,
    vault: vault.name,
    members: vault.membersOf(p).map((m) => m.friendlyName),
    allowedOperations: arm.properties.allowedOperations,
    currentScenario: job
      ? { scenarioName: job.scenarioName, jobName: job.name, status: arm.properties.currentScenarioStatus ?? '' }
      : null,
    arm,
  };
}

/** The order of JobRunner.list(), across vaults. */
function newestFirst(a: JobState, b: JobState): number {
  return b.startTime.getTime() - a.startTime.getTime() || (a.name < b.name ? 1 : -1);
}
