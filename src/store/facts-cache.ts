import type { Redis } from 'ioredis';
import type { ReprotectForm } from '../domain/reprotect-form';
import type { RecoveryPointInfo, RecoveryPointSummary, ReplicatedPlan, ReplicatedVm } from '../domain/vm';
import { StoreUnavailableError } from '../errors';

/**
 * Facts read from ASR while a modal is open (the VM list, each chosen VM's recovery points, the
 * reprotect form), so a submission is answered within Slack's 3 s without reading ARM again.
 * Shared in Redis because the submission may reach another web process.
 */
export class FactsCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds = 15 * 60,
  ) {}

  putVms(vms: readonly ReplicatedVm[]): Promise<void> {
    return this.put('vms', vms);
  }

  vms(): Promise<ReplicatedVm[] | undefined> {
    return this.get<ReplicatedVm[]>('vms');
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

  async selection(viewId: string): Promise<string[]> {
    return (await this.get<string[]>(`selection:${viewId}`)) ?? [];
  }

  /** Recovery points offered for a VM, by option key (Slack option values are short). */
  putPointOptions(vmId: string, points: Readonly<Record<string, RecoveryPointInfo>>): Promise<void> {
    return this.put(`point-options:${vmId.toLowerCase()}`, points);
  }

  async pointOptions(vmId: string): Promise<Record<string, RecoveryPointInfo>> {
    return (await this.get<Record<string, RecoveryPointInfo>>(`point-options:${vmId.toLowerCase()}`)) ?? {};
  }

  /** The reprotect form shown for a run, so its submission maps choices to VMs without ARM. */
  putReprotectForm(runId: string, form: ReprotectForm): Promise<void> {
    return this.put(`reprotect:${runId}`, form);
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
