/**
 * The emulated estate: one or more Recovery Services vaults, in one or more subscriptions and
 * resource groups. Each vault has its own state, its own job runner and its own id factories (job
 * names and plan operation ids never collide across vaults); faults, settings, the clock and the
 * request log are shared. A vault can be made unreadable (`deny`) to rehearse "a vault the
 * identity cannot read".
 */
import type { FaultRegistry } from './faults';
import { makeIdFactory } from './ids';
import { JobRunner, type JobState } from './jobs';
import { eq, type ItemState, VaultState } from './model';
import type { OperationContext } from './operations';
import { armError, type Reply } from './reply';
import type { EmulatorSettings, PlanSeed, VaultSeed } from './types';

/** Id namespaces (the `4xxx` group): ASR jobs and their tasks, plan operation ids. */
const JOB_IDS = 0xa5;
const PLAN_OPERATION_IDS = 0xb7;

/** One vault with what its operations need: the vault's state, its jobs, the shared faults and clock. */
export type VaultContext = OperationContext;

/** What the vaults share. */
export interface EstateOptions {
  readonly settings: EmulatorSettings;
  readonly faults: FaultRegistry;
  readonly now: () => number;
  readonly taskMs: number;
  readonly agentRegistrationDelayMs: number;
  /** https://HOST:PORT, known once the server listens. */
  readonly baseUrl: () => string;
}

/** The vaults of one emulator, looked up the way ARM routes a request (names case-insensitive). */
export class Estate {
  readonly vaults: readonly VaultContext[];
  private readonly denied = new Set<VaultState>();

  constructor(
    seeds: readonly VaultSeed[],
    private readonly options: EstateOptions,
  ) {
    if (seeds.length === 0) throw new Error('ASR emulator: at least one vault is needed');
    const start = options.now();
    this.vaults = seeds.map((seed, index) => {
      const twin = seeds.findIndex((s) => sameVault(s, seed));
      if (twin !== index)
        throw new Error(
          `ASR emulator: the vault '${seed.name}' of resource group '${seed.resourceGroup}' in subscription '${seed.subscriptionId}' is seeded twice`,
        );
      return this.contextOf(new VaultState(seed, start, options.settings), index);
    });
  }

  private contextOf(vault: VaultState, index: number): VaultContext {
    const { settings, faults, now, taskMs, agentRegistrationDelayMs, baseUrl } = this.options;
    return {
      vault,
      jobs: new JobRunner({
        taskMs,
        blankJobMs: () => settings.blankJobMs,
        now,
        // Per vault: the first vault's job names are those of the one-vault emulator.
        newId: makeIdFactory(JOB_IDS, index),
      }),
      faults,
      now,
      agentRegistrationDelayMs,
      get retryAfterSeconds() {
        return settings.retryAfterSeconds;
      },
      baseUrl,
      operationIds: new Map(),
      newOperationId: makeIdFactory(PLAN_OPERATION_IDS, index),
    };
  }

  /** The first vault: what `emulator.vault` names. */
  get default(): VaultContext {
    return this.vaults[0]!;
  }

  /** The vaults of a subscription, in seed order. */
  inSubscription(subscriptionId: string): VaultContext[] {
    return this.vaults.filter((c) => eq(c.vault.subscriptionId, subscriptionId));
  }

  /** True when some vault, or an Azure Migrate site of one, lives in this subscription. */
  knowsSubscription(subscriptionId: string): boolean {
    return this.knows(`/subscriptions/${subscriptionId}/`);
  }

  /** True when some vault, or an Azure Migrate site of one, lives in this resource group. */
  knowsResourceGroup(subscriptionId: string, resourceGroup: string): boolean {
    return this.knows(`/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/`);
  }

  private knows(prefix: string): boolean {
    const p = prefix.toLowerCase();
    return this.vaults.some(
      (c) =>
        `${c.vault.armId}/`.toLowerCase().startsWith(p) || c.vault.sites.some((s) => s.id.toLowerCase().startsWith(p)),
    );
  }

  /** The vault a path names, or ARM's 404 (SubscriptionNotFound, ResourceGroupNotFound, ResourceNotFound). */
  resolve(subscriptionId: string, resourceGroup: string, name: string): VaultContext | Reply {
    const found = this.vaults.find(
      (c) =>
        eq(c.vault.subscriptionId, subscriptionId) &&
        eq(c.vault.resourceGroup, resourceGroup) &&
        eq(c.vault.name, name),
    );
    if (found) return found;
    if (!this.knowsSubscription(subscriptionId))
      return armError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
    if (!this.knowsResourceGroup(subscriptionId, resourceGroup))
      return armError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
    return armError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.RecoveryServices/vaults/${name}' under resource group '${resourceGroup}' was not found.`,
    );
  }

  /** A vault by name or ARM id (either casing); throws when none or several match. */
  named(nameOrId: string): VaultContext {
    const found = this.vaults.filter((c) => eq(c.vault.name, nameOrId) || eq(c.vault.armId, nameOrId));
    if (found.length === 1) return found[0]!;
    throw new Error(
      found.length === 0
        ? `ASR emulator: no vault named '${nameOrId}'`
        : `ASR emulator: several vaults are named '${nameOrId}'; name it by its ARM id`,
    );
  }

  /** Every request under the vault answers 403 AuthorizationFailed while denied. */
  deny(nameOrId: string, denied: boolean): void {
    const { vault } = this.named(nameOrId);
    if (denied) this.denied.add(vault);
    else this.denied.delete(vault);
  }

  isDenied(ctx: VaultContext): boolean {
    return this.denied.has(ctx.vault);
  }

  /** An item by friendly name, else by ARM name, the first vault first. */
  item(name: string): { readonly ctx: VaultContext; readonly item: ItemState } | undefined {
    for (const byArmName of [false, true])
      for (const ctx of this.vaults) {
        const item = ctx.vault.items.find((i) => (byArmName ? eq(i.name, name) : i.friendlyName === name));
        if (item) return { ctx, item };
      }
    return undefined;
  }

  plan(name: string): { readonly ctx: VaultContext; readonly plan: PlanSeed } | undefined {
    for (const ctx of this.vaults) {
      const plan = ctx.vault.plan(name);
      if (plan) return { ctx, plan };
    }
    return undefined;
  }

  job(name: string): { readonly ctx: VaultContext; readonly job: JobState } | undefined {
    for (const ctx of this.vaults) {
      const job = ctx.jobs.get(name);
      if (job) return { ctx, job };
    }
    return undefined;
  }

  /** Stops every vault's job timers. */
  stop(): void {
    for (const c of this.vaults) c.jobs.stop();
  }
}

function sameVault(a: VaultSeed, b: VaultSeed): boolean {
  return eq(a.subscriptionId, b.subscriptionId) && eq(a.resourceGroup, b.resourceGroup) && eq(a.name, b.name);
}
