import type { Redis } from 'ioredis';
import type { ReprotectForm } from '../domain/reprotect-form';
import type { RecoveryPointInfo, RecoveryPointSummary, ReplicatedVm } from '../domain/vm';

/**
 * Facts read from ASR while the request modal is open (the VM list, each chosen VM's recovery
 * points), so the submission can be answered within Slack's 3 s without reading ARM again.
 * Shared in Redis because the submission may reach another web process.
 */
export class FactsCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds = 15 * 60,
  ) {}

  async putVms(vms: readonly ReplicatedVm[]): Promise<void> {
    await this.redis.set(`${this.prefix}:facts:vms`, JSON.stringify(vms), 'EX', this.ttlSeconds);
  }

  async vms(): Promise<ReplicatedVm[] | undefined> {
    const raw = await this.redis.get(`${this.prefix}:facts:vms`);
    return raw ? (JSON.parse(raw) as ReplicatedVm[]) : undefined;
  }

  async putPoints(vmId: string, points: RecoveryPointSummary): Promise<void> {
    await this.redis.set(this.pointsKey(vmId), JSON.stringify(points), 'EX', this.ttlSeconds);
  }

  async points(vmIds: readonly string[]): Promise<Map<string, RecoveryPointSummary>> {
    const m = new Map<string, RecoveryPointSummary>();
    if (vmIds.length === 0) return m;
    const raws = await this.redis.mget(...vmIds.map((id) => this.pointsKey(id)));
    vmIds.forEach((id, i) => {
      const raw = raws[i];
      if (raw) m.set(id, JSON.parse(raw) as RecoveryPointSummary);
    });
    return m;
  }

  /** The VMs chosen in an open request modal (the options listener needs them for the point list). */
  async putSelection(viewId: string, vmIds: readonly string[]): Promise<void> {
    await this.redis.set(`${this.prefix}:facts:selection:${viewId}`, JSON.stringify(vmIds), 'EX', this.ttlSeconds);
  }

  async selection(viewId: string): Promise<string[]> {
    const raw = await this.redis.get(`${this.prefix}:facts:selection:${viewId}`);
    return raw ? (JSON.parse(raw) as string[]) : [];
  }

  /** Recovery points offered for a VM, by option key (Slack option values are short). */
  async putPointOptions(vmId: string, points: Readonly<Record<string, RecoveryPointInfo>>): Promise<void> {
    await this.redis.set(`${this.prefix}:facts:point-options:${vmId.toLowerCase()}`, JSON.stringify(points), 'EX', this.ttlSeconds);
  }

  async pointOptions(vmId: string): Promise<Record<string, RecoveryPointInfo>> {
    const raw = await this.redis.get(`${this.prefix}:facts:point-options:${vmId.toLowerCase()}`);
    return raw ? (JSON.parse(raw) as Record<string, RecoveryPointInfo>) : {};
  }

  /** The reprotect form shown for a run, so its submission maps choices to VMs without ARM. */
  async putReprotectForm(runId: string, form: ReprotectForm): Promise<void> {
    await this.redis.set(`${this.prefix}:facts:reprotect:${runId}`, JSON.stringify(form), 'EX', this.ttlSeconds);
  }

  async reprotectForm(runId: string): Promise<ReprotectForm | undefined> {
    const raw = await this.redis.get(`${this.prefix}:facts:reprotect:${runId}`);
    return raw ? (JSON.parse(raw) as ReprotectForm) : undefined;
  }

  private pointsKey(vmId: string): string {
    return `${this.prefix}:facts:points:${vmId.toLowerCase()}`;
  }
}
