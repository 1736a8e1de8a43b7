import type { ReprotectForm } from '../domain/reprotect-form';
import type {
  RecoveryPointInfo,
  RecoveryPointSummary,
  ReplicatedPlan,
  ReplicatedVm,
  ReplicationServer,
} from '../domain/vm';
import type { VaultProblem } from '../azure/estate-lists';
import { StoreUnavailableError } from '../errors';
import { keyPrefix } from './keys';
import type { RedisClient } from './redis-connection';

/** Point name (or `/` + its full id when not under the VM's), epoch seconds, app-consistent flag. */
type CompactPoint = [string, number, 0 | 1];

/**
 * Facts read from ASR while a modal is open (the VM list, each chosen VM's recovery points, the
 * reprotect form), so a submission is answered within Slack's 3 s without reading ARM again.
 * Shared in Redis because the submission may reach another web process.
 */
export class FactsCache {
  private readonly redis: RedisClient;
  private readonly prefix: string;
  private readonly ttlSeconds: number;
  private readonly now: () => number;

  constructor(options: {
    readonly redis: RedisClient;
    readonly prefix: string;
    readonly now: () => number;
    readonly ttlSeconds?: number | undefined;
  }) {
    this.redis = options.redis;
    this.prefix = keyPrefix(options.prefix);
    this.now = options.now;
    this.ttlSeconds = options.ttlSeconds ?? 15 * 60;
  }

  async putVms(vms: readonly ReplicatedVm[]): Promise<void> {
    await this.put('vms', vms);
    await this.put('vms-at', this.now());
  }

  /** The cached VM list if it was read from ASR less than `maxAgeMs` ago. */
  async freshVms(maxAgeMs: number): Promise<ReplicatedVm[] | undefined> {
    const at = await this.get<number>('vms-at');
    return at !== undefined && this.now() - at < maxAgeMs ? this.vms() : undefined;
  }

  vms(): Promise<ReplicatedVm[] | undefined> {
    return this.get<ReplicatedVm[]>('vms');
  }

  /** When the cached VM list was read from ASR (epoch ms), if it is cached. */
  vmsReadAt(): Promise<number | undefined> {
    return this.get<number>('vms-at');
  }

  /** Vaults whose lists could not be read at the last read (shown as one line each). */
  putUnreadable(problems: readonly VaultProblem[]): Promise<void> {
    return this.put('unreadable', problems);
  }

  async unreadable(): Promise<VaultProblem[]> {
    return (await this.get<VaultProblem[]>('unreadable')) ?? [];
  }

  /** The vault's process servers and appliances with their health (readiness). */
  putServers(servers: readonly ReplicationServer[]): Promise<void> {
    return this.put('servers', servers);
  }

  async servers(): Promise<ReplicationServer[]> {
    return (await this.get<ReplicationServer[]>('servers')) ?? [];
  }

  putPlans(plans: readonly ReplicatedPlan[]): Promise<void> {
    return this.put('plans', plans);
  }

  async plans(): Promise<ReplicatedPlan[]> {
    return (await this.get<ReplicatedPlan[]>('plans')) ?? [];
  }

  putPoints(vmId: string, points: RecoveryPointSummary): Promise<void> {
    return this.put(`points:${vmId.toLowerCase()}`, points);
  }

  async points(vmIds: readonly string[]): Promise<Map<string, RecoveryPointSummary>> {
    const m = new Map<string, RecoveryPointSummary>();
    if (vmIds.length === 0) return m;
    const raws = await this.guard(this.redis.mget(...vmIds.map((id) => this.key(`points:${id.toLowerCase()}`))));
    vmIds.forEach((id, i) => {
      const raw = raws[i];
      if (raw) m.set(id, JSON.parse(raw) as RecoveryPointSummary);
    });
    return m;
  }

  /** The VMs chosen in an open request modal (the options listener needs them for the point list). */
  putSelection(viewId: string, vmIds: readonly string[]): Promise<void> {
    return this.put(`selection:${viewId}`, vmIds);
  }

  /** Numbers the selection changes of an open modal, so the newest one can be told apart. */
  async nextSelectionSeq(viewId: string): Promise<number> {
    const key = this.key(`selection-seq:${viewId}`);
    const [[, seq]] = (await this.guard(this.redis.multi().incr(key).expire(key, this.ttlSeconds).exec())) as [
      [unknown, number],
    ];
    return seq;
  }

  async latestSelectionSeq(viewId: string): Promise<number> {
    return Number(await this.guard(this.redis.get(this.key(`selection-seq:${viewId}`)))) || 0;
  }

  async selection(viewId: string): Promise<string[]> {
    return (await this.get<string[]>(`selection:${viewId}`)) ?? [];
  }

  /**
   * The newest recovery points of a VM, offered for a specific point. Stored compactly (they are
   * many): a point's ARM id is the VM's id plus `/recoveryPoints/{name}`, so only the name is kept,
   * with the time in epoch seconds.
   */
  putPointOptions(vmId: string, points: readonly RecoveryPointInfo[]): Promise<void> {
    const base = `${vmId}/recoveryPoints/`;
    const rows: CompactPoint[] = points.map((p) => [
      p.id.startsWith(base) ? p.id.slice(base.length) : `/${p.id}`,
      Math.round(Date.parse(p.time) / 1000),
      p.appConsistent ? 1 : 0,
    ]);
    return this.put(`point-options:${vmId.toLowerCase()}`, rows);
  }

  async pointOptions(vmId: string): Promise<RecoveryPointInfo[]> {
    const rows = (await this.get<CompactPoint[]>(`point-options:${vmId.toLowerCase()}`)) ?? [];
    const base = `${vmId}/recoveryPoints/`;
    return rows.map(([id, seconds, app]) => ({
      id: id.startsWith('/') ? id.slice(1) : base + id,
      time: new Date(seconds * 1000).toISOString(),
      appConsistent: app === 1,
    }));
  }

  /** Whether the bot can show a run in a channel, as last checked with Slack (short-lived: people invite and remove bots). */
  async putChannelAccess(
    channelId: string,
    access: { ok: boolean; reason?: string },
    ttlSeconds: number,
  ): Promise<void> {
    await this.guard(this.redis.set(this.key(`channel:${channelId}`), JSON.stringify(access), 'EX', ttlSeconds));
  }

  channelAccess(channelId: string): Promise<{ ok: boolean; reason?: string } | undefined> {
    return this.get(`channel:${channelId}`);
  }

  /** The reprotect form shown for a run, so its submission maps choices to VMs without ARM. */
  putReprotectForm(runId: string, form: ReprotectForm): Promise<void> {
    return this.put(`reprotect:${runId}`, form);
  }

  /** Once its reprotect has started the form is only needed to answer a double submission. */
  async retireReprotectForm(runId: string): Promise<void> {
    await this.guard(this.redis.expire(this.key(`reprotect:${runId}`), 60));
  }

  reprotectForm(runId: string): Promise<ReprotectForm | undefined> {
    return this.get<ReprotectForm>(`reprotect:${runId}`);
  }

  private key(name: string): string {
    return `${this.prefix}:facts:${name}`;
  }

  private async put(name: string, value: unknown): Promise<void> {
    await this.guard(this.redis.set(this.key(name), JSON.stringify(value), 'EX', this.ttlSeconds));
  }

  private async get<T>(name: string): Promise<T | undefined> {
    const raw = await this.guard(this.redis.get(this.key(name)));
    return raw ? (JSON.parse(raw) as T) : undefined;
  }

  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      throw new StoreUnavailableError(`Redis: ${(e as Error).message}`, { cause: e });
    }
  }
}
