/**
 * Readiness at a glance: which VMs and plans can fail back now, how much data each would lose, how
 * healthy its replication is, and what blocks the others — worst first. Pure: built from what the
 * bot already holds (the vault's lists, cached recovery-point summaries, the fabrics' servers).
 */
import { vaultKeyOf, type VaultTag } from './vault';
import type { RecoveryPointSummary, ReplicatedPlan, ReplicatedVm, ReplicationServer } from './vm';

export type ReadinessVerdict = 'blocked' | 'at-risk' | 'ready';

export interface ReadinessThresholds {
  /** An agent or server heard from longer ago than this is a risk. */
  readonly heartbeatStaleMs: number;
  /** A newest recovery point older than this is a risk (data that would be lost). */
  readonly rpoWarnMs: number;
}

export const DEFAULT_READINESS_THRESHOLDS: ReadinessThresholds = {
  heartbeatStaleMs: 30 * 60_000,
  rpoWarnMs: 60 * 60_000,
};

export interface ReadinessRow {
  readonly kind: 'vm' | 'plan';
  readonly id: string;
  readonly name: string;
  /** The vault it is in (shown when the bot serves several). */
  readonly vault?: VaultTag | undefined;
  readonly verdict: ReadinessVerdict;
  /** What blocks it (blocked) or puts it at risk (at-risk), in plain words; empty when ready and well. */
  readonly reasons: readonly string[];
  /** Age of the newest crash-consistent and app-consistent points, ms (undefined: not read yet / none). */
  readonly crashAgeMs?: number | undefined;
  readonly appAgeMs?: number | undefined;
  /** Whether the recovery points were read (the cache had them). */
  readonly pointsKnown: boolean;
  readonly replicationHealth?: string | undefined;
  readonly agentHeartbeatAgeMs?: number | undefined;
  readonly server?:
    { readonly name: string; readonly health?: string | undefined; readonly heartbeatAgeMs?: number } | undefined;
  /** Plans: how many of the members are ready / all members. */
  readonly members?: { readonly ready: number; readonly total: number } | undefined;
}

export interface ReadinessReport {
  readonly at: string;
  /** When the vault's lists it is built from were read from ASR (ISO), when known. */
  readonly listsReadAt?: string | undefined;
  readonly rows: readonly ReadinessRow[];
  readonly counts: ReadinessCounts;
  /** VMs whose points are not read yet (they fill in the background). */
  readonly pointsUnknown: number;
  /** Each vault's counts, in the order served (one entry when the bot serves one vault). */
  readonly vaults: readonly { readonly vault: VaultTag; readonly counts: ReadinessCounts }[];
  /** Vaults that could not be read: one line each, with ARM's reason. */
  readonly unreadable: readonly { readonly vault: VaultTag; readonly message: string }[];
}

export type ReadinessCounts = Readonly<Record<'vm' | 'plan', Readonly<Record<ReadinessVerdict, number>>>>;

export interface ReadinessInput {
  readonly vms: readonly ReplicatedVm[];
  readonly plans: readonly ReplicatedPlan[];
  readonly points: ReadonlyMap<string, RecoveryPointSummary>;
  readonly servers: readonly ReplicationServer[];
  readonly now: Date;
  readonly listsReadAt?: string | undefined;
  readonly unreadable?: readonly { readonly vault: VaultTag; readonly message: string }[] | undefined;
  readonly thresholds?: ReadinessThresholds;
}

const HEALTHY = new Set(['normal', 'healthy']);
const ageOf = (iso: string | undefined, now: number) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? undefined : Math.max(0, now - t);
};

export function minutesText(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.floor(hours / 24)} d`;
}

function vmRow(vm: ReplicatedVm, input: ReadinessInput, servers: ReadonlyMap<string, ReplicationServer>): ReadinessRow {
  const now = input.now.getTime();
  const t = input.thresholds ?? DEFAULT_READINESS_THRESHOLDS;
  const blocks: string[] = [];
  const risks: string[] = [];
  if (vm.runningOperation) blocks.push(`an ASR operation runs on it (${vm.runningOperation.scenario})`);
  else if (!vm.failback.ready) blocks.push(vm.failback.reason);

  const points = input.points.get(vm.id);
  const health = vm.health;
  // Without the points read yet, the RPO ASR computed for the item (classic) says the same.
  const asrRpoMs = health?.rpoSeconds !== undefined ? health.rpoSeconds * 1000 : undefined;
  const crashAgeMs = points ? ageOf(points.latestCrashConsistent, now) : asrRpoMs;
  const appAgeMs = ageOf(points?.latestAppConsistent, now);
  if (points && points.count === 0) blocks.push('has no recovery point');
  else if (crashAgeMs !== undefined && crashAgeMs > t.rpoWarnMs)
    risks.push(`newest recovery point is ${minutesText(crashAgeMs)} old`);

  const replication = health?.replication;
  if (replication && !HEALTHY.has(replication.toLowerCase()) && replication.toLowerCase() !== 'none')
    risks.push(`replication health ${replication}`);
  for (const e of health?.errors ?? []) risks.push(`ASR: ${e.message}`);
  const agentHeartbeatAgeMs = ageOf(health?.agentHeartbeat, now);
  if (agentHeartbeatAgeMs !== undefined && agentHeartbeatAgeMs > t.heartbeatStaleMs)
    risks.push(`agent last heard ${minutesText(agentHeartbeatAgeMs)} ago`);

  const known = health?.serverId ? servers.get(health.serverId.toLowerCase()) : undefined;
  const serverName = known?.name ?? health?.serverName;
  const serverAge = ageOf(known?.lastHeartbeat, now);
  if (known?.health && !HEALTHY.has(known.health.toLowerCase()))
    risks.push(`${known.role} ${known.name} is ${known.health}`);
  else if (serverAge !== undefined && serverAge > t.heartbeatStaleMs)
    risks.push(
      `${known?.role ?? 'server'} ${serverName ?? ''} last heard ${minutesText(serverAge)} ago`.replace('  ', ' '),
    );

  const verdict: ReadinessVerdict = blocks.length > 0 ? 'blocked' : risks.length > 0 ? 'at-risk' : 'ready';
  return {
    kind: 'vm',
    id: vm.id,
    name: vm.name,
    vault: vm.vault,
    verdict,
    reasons: [...blocks, ...risks],
    crashAgeMs,
    appAgeMs,
    pointsKnown: points !== undefined || asrRpoMs !== undefined,
    replicationHealth: replication,
    agentHeartbeatAgeMs,
    server: serverName
      ? { name: serverName, health: known?.health, ...(serverAge !== undefined ? { heartbeatAgeMs: serverAge } : {}) }
      : undefined,
  };
}

function planRow(plan: ReplicatedPlan, vmRows: ReadonlyMap<string, ReadinessRow>): ReadinessRow {
  const members = plan.vmIds.map((id) => vmRows.get(id.toLowerCase()));
  const found = members.filter((m): m is ReadinessRow => m !== undefined);
  const reasons: string[] = [];
  if (plan.runningOperation) reasons.push(`an ASR operation runs on it (${plan.runningOperation.scenario})`);
  else if (!plan.failback.ready) reasons.push(plan.failback.reason);
  const missing = members.length - found.length;
  if (missing > 0) reasons.push(`${missing} of its VMs are not in the vault’s list`);
  const blockedMembers = found.filter((m) => m.verdict === 'blocked');
  if (blockedMembers.length > 0) reasons.push(`blocked VMs: ${blockedMembers.map((m) => m.name).join(', ')}`);
  const risky = found.filter((m) => m.verdict === 'at-risk');
  const blocked = reasons.length > 0;
  if (!blocked && risky.length > 0) reasons.push(`VMs at risk: ${risky.map((m) => m.name).join(', ')}`);
  const oldest = (pick: (r: ReadinessRow) => number | undefined) => {
    const ages = found.map(pick).filter((a): a is number => a !== undefined);
    return ages.length > 0 ? Math.max(...ages) : undefined;
  };
  return {
    kind: 'plan',
    id: plan.id,
    name: plan.name,
    vault: plan.vault,
    verdict: blocked ? 'blocked' : risky.length > 0 ? 'at-risk' : 'ready',
    reasons,
    crashAgeMs: oldest((r) => r.crashAgeMs),
    appAgeMs: oldest((r) => r.appAgeMs),
    pointsKnown: found.every((r) => r.pointsKnown),
    members: { ready: found.filter((m) => m.verdict !== 'blocked').length, total: plan.vmIds.length },
  };
}

const VERDICT_RANK: Readonly<Record<ReadinessVerdict, number>> = { blocked: 0, 'at-risk': 1, ready: 2 };

/** Worst first: blocked, then at risk, then ready; within each, the oldest newest point first. */
function worstFirst(a: ReadinessRow, b: ReadinessRow): number {
  return (
    VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict] ||
    b.reasons.length - a.reasons.length ||
    (b.crashAgeMs ?? Infinity) - (a.crashAgeMs ?? Infinity) ||
    a.name.localeCompare(b.name)
  );
}

const keyOf = (r: ReadinessRow) => r.vault?.id ?? vaultKeyOf(r.id) ?? '';

export function readinessReport(input: ReadinessInput): ReadinessReport {
  const servers = new Map(input.servers.map((s) => [s.id.toLowerCase(), s]));
  const vmRows = input.vms.map((vm) => vmRow(vm, input, servers));
  const byId = new Map(vmRows.map((r) => [r.id.toLowerCase(), r]));
  // Only plans that fail back to AVS belong here (the others replicate the other way).
  const planRows = input.plans.filter((p) => p.failsBack).map((p) => planRow(p, byId));
  const count = (rows: readonly ReadinessRow[]) => ({
    blocked: rows.filter((r) => r.verdict === 'blocked').length,
    'at-risk': rows.filter((r) => r.verdict === 'at-risk').length,
    ready: rows.filter((r) => r.verdict === 'ready').length,
  });
  const vaults = new Map<string, VaultTag>();
  for (const r of [...vmRows, ...planRows]) if (r.vault && !vaults.has(r.vault.id)) vaults.set(r.vault.id, r.vault);
  const inVault = (rows: readonly ReadinessRow[], id: string) => rows.filter((r) => keyOf(r) === id);
  return {
    at: input.now.toISOString(),
    listsReadAt: input.listsReadAt,
    rows: [...planRows.sort(worstFirst), ...vmRows.sort(worstFirst)],
    counts: { vm: count(vmRows), plan: count(planRows) },
    pointsUnknown: vmRows.filter((r) => !r.pointsKnown).length,
    vaults: [...vaults.values()].map((vault) => ({
      vault,
      counts: { vm: count(inVault(vmRows, vault.id)), plan: count(inVault(planRows, vault.id)) },
    })),
    unreadable: input.unreadable ?? [],
  };
}
