import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import {
  SiteRecoveryManagementClient,
  type Fabric,
  type Job,
  type Policy,
  type RecoveryPlan,
  type ReplicationProtectedItem,
} from '@azure/arm-recoveryservices-siterecovery';
import type { PlanOpKind } from '../domain/run-machine';
import type { ReprotectForm, ReprotectGroup } from '../domain/reprotect-form';
import type { OpKind } from '../domain/run';
import type { RecoveryPointInfo, RecoveryPointSummary, ReplicatedPlan, ReplicatedVm } from '../domain/vm';
import { AsrRefusedError } from '../errors';
import { jobNameFromUrl, parseItemId, parsePlanId } from './arm-ids';
import { mapOperationError, mapReadError } from './asr-errors';
import type { AsrGateway, AsrJobSummary, AsrJobView, CallOptions, JobMember, OperationInput, OperationState, PlanOperationState } from './gateway';
import { noRepeatPostPolicy } from './no-repeat-post-policy';
import { notReadyReason, PLAN_POINT_CHOICES, planStrategyFor, PROTECTED_TO_AZURE, providerOf, storageOf, strategyFor, type FabricDetails } from './providers';
import { jobState, summarizeJob } from './jobs';

export interface SdkGatewayOptions {
  readonly credential: TokenCredential;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly vault: string;
  /** ARM endpoint: public cloud, a sovereign cloud, or the sandbox emulator. */
  readonly endpoint: string;
  /** Extra pipeline policies (e.g. trusting the sandbox's self-signed certificate). */
  readonly extraPolicies?: readonly PipelinePolicy[];
  /** Policies that see every attempt on the wire, after the SDK's retries and signing (metrics). */
  readonly attemptPolicies?: readonly PipelinePolicy[];
}

/** Scenario names ASR puts in `currentScenario` for each of our operations. */
const SCENARIOS: Readonly<Record<OpKind, readonly string[]>> = {
  failover: ['UnplannedFailover', 'PlannedFailover', 'Failover'],
  commit: ['Commit', 'FailoverCommit'],
  reprotect: ['Reprotect', 'ReverseReplication', 'ReprotectToAzure'],
};
const NO_SCENARIO = 'none';
const OP_KINDS: readonly OpKind[] = ['failover', 'commit', 'reprotect'];

/** The AsrGateway on the real Azure SDK (`@azure/arm-recoveryservices-siterecovery`). */
export class SdkAsrGateway implements AsrGateway {
  private readonly client: SiteRecoveryManagementClient;
  private readonly vault: string;
  private readonly rg: string;

  constructor(options: SdkGatewayOptions) {
    this.client = new SiteRecoveryManagementClient(options.credential, options.subscriptionId, {
      endpoint: options.endpoint,
      credentialScopes: [armScope(options.endpoint)],
    });
    for (const p of options.extraPolicies ?? []) this.client.pipeline.addPolicy(p);
    this.client.pipeline.addPolicy(noRepeatPostPolicy(), { afterPhase: 'Retry' });
    for (const p of options.attemptPolicies ?? []) this.client.pipeline.addPolicy(p, { afterPhase: 'Sign' });
    this.vault = options.vault;
    this.rg = options.resourceGroup;
  }

  async listVms(options?: CallOptions): Promise<ReplicatedVm[]> {
    try {
      const vms: ReplicatedVm[] = [];
      for await (const item of this.client.replicationProtectedItems.list(this.vault, this.rg, options)) {
        vms.push(toVm(item));
      }
      return vms;
    } catch (e) {
      throw mapReadError(e);
    }
  }

  async getVm(vmId: string, options?: CallOptions): Promise<ReplicatedVm> {
    return toVm(await this.getItem(vmId, options));
  }

  async summarizePoints(vmId: string, options?: CallOptions): Promise<RecoveryPointSummary> {
    const ref = parseItemId(vmId);
    const summary = new PointSummary();
    try {
      const pages = this.client.recoveryPoints
        .listByReplicationProtectedItems(this.vault, this.rg, ref.fabric, ref.container, ref.item, options)
        .byPage();
      for await (const page of pages) {
        for (const p of page) summary.add(p.properties?.recoveryPointTime?.toISOString(), p.properties?.recoveryPointType);
        // A VM keeps a day of points or more: stop paging once the newest of each kind is certain.
        if (summary.complete()) break;
      }
    } catch (e) {
      throw mapReadError(e);
    }
    return summary.result();
  }

  async listPoints(vmId: string, max: number, options?: CallOptions): Promise<RecoveryPointInfo[]> {
    const ref = parseItemId(vmId);
    const points: RecoveryPointInfo[] = [];
    let descending = true;
    try {
      const pages = this.client.recoveryPoints
        .listByReplicationProtectedItems(this.vault, this.rg, ref.fabric, ref.container, ref.item, options)
        .byPage();
      for await (const page of pages) {
        for (const p of page) {
          const time = p.properties?.recoveryPointTime?.toISOString();
          if (!time || !p.id) continue;
          const last = points.at(-1);
          if (last && time > last.time) descending = false;
          points.push({ id: p.id, time, appConsistent: /app/i.test(p.properties?.recoveryPointType ?? '') });
        }
        // Newest first (as ASR lists them): the first `max` are the newest; otherwise read all and sort.
        if (descending && points.length >= max) break;
      }
    } catch (e) {
      throw mapReadError(e);
    }
    return points.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0)).slice(0, max);
  }

  async operationState(vmId: string, op: OpKind, options?: CallOptions): Promise<OperationState> {
    const item = await this.getItem(vmId, options);
    const p = item.properties ?? {};
    const scenario = p.currentScenario?.scenarioName ?? 'None';
    const allowed = p.allowedOperations ?? [];
    if (scenario.toLowerCase() !== NO_SCENARIO) {
      const jobName = jobNameFromUrl(p.currentScenario?.jobId ?? '');
      if (SCENARIOS[op].includes(scenario) && jobName) return { state: 'running', jobName };
      return { state: 'blocked', reason: `another ASR operation is running on it (${scenario})` };
    }
    if (op === 'reprotect') return reprotectState(item);
    if (op === 'failover') {
      if (allowed.includes('Commit')) return { state: 'done' };
      const strategy = strategyFor(item);
      if (!strategy) return { state: 'blocked', reason: notReadyReason(item) };
      return allowed.includes(strategy.failbackOperation)
        ? { state: 'ready' }
        : { state: 'blocked', reason: `ASR does not allow ${strategy.failbackOperation} now (${p.protectionStateDescription ?? p.protectionState ?? 'unknown state'})` };
    }
    if (allowed.includes('Commit')) return { state: 'ready' };
    // After a commit ASR offers the reprotect (or the item already replicates to Azure again).
    if (allowed.includes('Reprotect') || strategyFor(item) === undefined) return { state: 'done' };
    return { state: 'blocked', reason: `ASR does not allow Commit now (${p.protectionStateDescription ?? p.protectionState ?? 'unknown state'})` };
  }

  async startOperation(
    vmId: string,
    op: OpKind,
    input: OperationInput,
    options?: CallOptions,
  ): Promise<{ jobName: string; retryAfterMs?: number }> {
    const ref = parseItemId(vmId);
    const accepted = new AcceptedJob();
    const opts = { abortSignal: options?.abortSignal, onResponse: accepted.onResponse, updateIntervalInMs: 1 };
    const items = this.client.replicationProtectedItems;
    try {
      if (op === 'commit') {
        await items.beginFailoverCommit(this.vault, this.rg, ref.fabric, ref.container, ref.item, opts);
      } else if (op === 'reprotect') {
        const item = await this.getItem(vmId, options);
        const strategy = strategyFor(item);
        if (!strategy) throw new AsrRefusedError('NotReady', notReadyReason(item), undefined);
        const body = strategy.reprotectRequest(input.reprotect ?? {});
        await items.beginReprotect(this.vault, this.rg, ref.fabric, ref.container, ref.item, body, opts);
      } else {
        const item = await this.getItem(vmId, options);
        const strategy = strategyFor(item);
        if (!strategy) throw new AsrRefusedError('NotReady', notReadyReason(item), undefined);
        const req = strategy.failoverRequest(input.recoveryPoint ?? { kind: 'latest' });
        if (req.method === 'unplannedFailover') {
          await items.beginUnplannedFailover(this.vault, this.rg, ref.fabric, ref.container, ref.item, req.body, opts);
        } else {
          await items.beginPlannedFailover(this.vault, this.rg, ref.fabric, ref.container, ref.item, req.body, opts);
        }
      }
    } catch (e) {
      accepted.failed(e);
    }
    return accepted.result();
  }

  async getJob(jobName: string, options?: CallOptions, members?: readonly JobMember[]): Promise<AsrJobView> {
    let job: Job;
    try {
      job = await this.client.replicationJobs.get(this.vault, this.rg, jobName, options);
    } catch (e) {
      throw mapReadError(e);
    }
    return summarizeJob(jobName, job, members);
  }

  async jobStates(since: Date, options?: CallOptions): Promise<Map<string, AsrJobView['state']>> {
    return new Map((await this.recentJobs(since, options)).map((j) => [j.name.toLowerCase(), j.state]));
  }

  async recentJobs(since: Date, options?: CallOptions): Promise<AsrJobSummary[]> {
    const jobs: AsrJobSummary[] = [];
    try {
      const filter = `startTime eq '${since.toISOString()}'`;
      for await (const job of this.client.replicationJobs.list(this.vault, this.rg, { ...options, filter })) {
        if (!job.name) continue;
        const p = job.properties ?? {};
        const scenario = p.scenarioName ?? '';
        jobs.push({
          name: job.name,
          state: jobState(job),
          op: OP_KINDS.find((k) => SCENARIOS[k].includes(scenario)),
          target: (p.targetObjectId ?? '').toLowerCase(),
          startTime: p.startTime ? new Date(p.startTime).toISOString() : undefined,
        });
      }
    } catch (e) {
      throw mapReadError(e);
    }
    return jobs;
  }

  async listPlans(options?: CallOptions): Promise<ReplicatedPlan[]> {
    try {
      const plans: ReplicatedPlan[] = [];
      for await (const plan of this.client.replicationRecoveryPlans.list(this.vault, this.rg, options)) plans.push(toPlan(plan));
      return plans;
    } catch (e) {
      throw mapReadError(e);
    }
  }

  async planOperationState(planId: string, op: PlanOpKind, options?: CallOptions): Promise<PlanOperationState> {
    const plan = await this.getPlan(planId, options);
    const p = plan.properties ?? {};
    const scenario = p.currentScenario?.scenarioName ?? 'None';
    if (scenario.toLowerCase() !== NO_SCENARIO) {
      const jobName = jobNameFromUrl(p.currentScenario?.jobId ?? '');
      if (SCENARIOS[op].includes(scenario) && jobName) return { state: 'running', jobName };
      return { state: 'blocked', reason: `another ASR operation is running on the recovery plan (${scenario})` };
    }
    // No plan job runs: the members say whether the operation already happened (all, some or none).
    const members = planMemberIds(plan);
    const states = await Promise.all(members.map((id) => this.operationState(id, op, options)));
    const done = members.filter((_, i) => states[i]?.state === 'done');
    if (done.length > 0) return { state: 'ended', done };
    const running = states.find((st): st is Extract<OperationState, { state: 'running' }> => st.state === 'running');
    if (running) return { state: 'blocked', reason: `a VM of the plan runs its own ${op} (ASR job ${running.jobName})` };
    const allowed = p.allowedOperations ?? [];
    if (op === 'commit') {
      return allowed.includes('Commit') ? { state: 'ready' } : { state: 'blocked', reason: `ASR does not allow Commit on the recovery plan now` };
    }
    const strategy = planStrategyFor(plan);
    if ('reason' in strategy) return { state: 'blocked', reason: `The recovery plan ${strategy.reason}` };
    return allowed.includes(strategy.strategy.failbackOperation)
      ? { state: 'ready' }
      : { state: 'blocked', reason: `ASR does not allow ${strategy.strategy.failbackOperation} on the recovery plan now (allowed: ${allowed.join(', ') || 'nothing'})` };
  }

  async startPlanOperation(planId: string, op: PlanOpKind, input: OperationInput, options?: CallOptions): Promise<{ jobName: string; retryAfterMs?: number }> {
    const name = parsePlanId(planId);
    const accepted = new AcceptedJob();
    const opts = { abortSignal: options?.abortSignal, onResponse: accepted.onResponse, updateIntervalInMs: 1 };
    const plans = this.client.replicationRecoveryPlans;
    try {
      if (op === 'commit') {
        await plans.beginFailoverCommit(this.vault, this.rg, name, opts);
      } else {
        const plan = await this.getPlan(planId, options);
        const strategy = planStrategyFor(plan);
        if ('reason' in strategy) throw new AsrRefusedError('NotReady', `The recovery plan ${strategy.reason}`, undefined);
        const req = strategy.strategy.planFailoverRequest(input.recoveryPoint ?? { kind: 'latest' });
        if (req.method === 'unplannedFailover') await plans.beginUnplannedFailover(this.vault, this.rg, name, req.body, opts);
        else await plans.beginPlannedFailover(this.vault, this.rg, name, req.body, opts);
      }
    } catch (e) {
      accepted.failed(e);
    }
    return accepted.result();
  }

  private async getPlan(planId: string, options?: CallOptions): Promise<RecoveryPlan> {
    try {
      return await this.client.replicationRecoveryPlans.get(this.vault, this.rg, parsePlanId(planId), options);
    } catch (e) {
      throw mapReadError(e);
    }
  }

  async reprotectForm(vmIds: readonly string[], options?: CallOptions): Promise<ReprotectForm> {
    try {
      const items = await Promise.all(vmIds.map((id) => this.getItem(id, options)));
      const policies: Policy[] = [];
      for await (const p of this.client.replicationPolicies.list(this.vault, this.rg, options)) policies.push(p);
      const fabrics = new Map<string, Promise<Fabric>>();
      // Storage accounts in use: read once, from the items that replicate to Azure now.
      const storageAccounts: { data: string[]; log: string[] }[] = [];
      for await (const it of this.client.replicationProtectedItems.list(this.vault, this.rg, options)) {
        if (PROTECTED_TO_AZURE.includes(providerOf(it) ?? '')) storageAccounts.push(storageOf(it));
      }
      const groups = new Map<string, { title: string; vmIds: string[]; vmNames: string[]; fields: ReprotectGroup['fields'] }>();
      for (const [i, item] of items.entries()) {
        const strategy = strategyFor(item);
        const id = vmIds[i] ?? '';
        if (!strategy) throw new AsrRefusedError('NotReady', `${item.properties?.friendlyName ?? id} ${notReadyReason(item)}`, undefined);
        const fabricName = parseItemId(id).fabric;
        if (!fabrics.has(fabricName)) fabrics.set(fabricName, this.client.replicationFabrics.get(this.vault, this.rg, fabricName, options));
        const fabric = await fabrics.get(fabricName)!;
        const key = fabricName;
        const group = groups.get(key) ?? {
          title: `${strategy.fabricRole} ${fabric.properties?.friendlyName ?? fabricName}`,
          vmIds: [],
          vmNames: [],
          fields: strategy.reprotectFields(item, (fabric.properties?.customDetails ?? {}) as FabricDetails, policies, { storageAccounts }),
        };
        group.vmIds.push(id);
        group.vmNames.push(item.properties?.friendlyName ?? id);
        groups.set(key, group);
      }
      return { groups: [...groups.entries()].map(([key, g]) => ({ key, ...g })) };
    } catch (e) {
      throw mapReadError(e);
    }
  }

  private async getItem(vmId: string, options?: CallOptions): Promise<ReplicationProtectedItem> {
    const ref = parseItemId(vmId);
    try {
      return await this.client.replicationProtectedItems.get(this.vault, this.rg, ref.fabric, ref.container, ref.item, options);
    } catch (e) {
      throw mapReadError(e);
    }
  }
}

/**
 * The ASR job an operation POST started, from the 202's Azure-AsyncOperation/Location header. Once
 * ASR has accepted the POST, the job is what matters: a failure of the SDK's first status poll after
 * that is not an error of the operation.
 */
class AcceptedJob {
  private jobName: string | undefined;
  private retryAfterMs: number | undefined;
  private error: unknown;

  readonly onResponse = (raw: { status: number; headers: { get(n: string): string | undefined } }) => {
    const url = raw.headers.get('azure-asyncoperation') ?? raw.headers.get('location');
    if (raw.status >= 200 && raw.status < 300 && url) {
      this.jobName ??= jobNameFromUrl(url);
      const ra = Number(raw.headers.get('retry-after'));
      if (Number.isFinite(ra) && ra > 0) this.retryAfterMs = ra * 1000;
    }
  };

  failed(e: unknown): void {
    this.error = e;
  }

  result(): { jobName: string; retryAfterMs?: number } {
    if (this.jobName) return { jobName: this.jobName, ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}) };
    throw mapOperationError(this.error ?? new Error('ASR accepted the operation but named no job'));
  }
}

/** The plan's protected items, group by group (a VM listed in two groups counts once). */
function planMemberIds(plan: RecoveryPlan): string[] {
  const ids = (plan.properties?.groups ?? []).flatMap((g) => (g.replicationProtectedItems ?? []).map((i) => i.id ?? ''));
  return [...new Set(ids.filter((id) => id !== ''))];
}

function toPlan(plan: RecoveryPlan): ReplicatedPlan {
  const p = plan.properties ?? {};
  const scenario = p.currentScenario?.scenarioName ?? 'None';
  const jobName = jobNameFromUrl(p.currentScenario?.jobId ?? '');
  const strategy = planStrategyFor(plan);
  let failback: ReplicatedPlan['failback'];
  if ('reason' in strategy) failback = { ready: false, reason: strategy.reason };
  else if (!(p.allowedOperations ?? []).includes(strategy.strategy.failbackOperation)) {
    failback = { ready: false, reason: 'is not ready to fail back: ASR does not allow it now (check each VM below)' };
  } else failback = { ready: true };
  return {
    id: plan.id ?? '',
    name: p.friendlyName ?? plan.name ?? 'unnamed plan',
    vmIds: planMemberIds(plan),
    failsBack: !('reason' in strategy),
    failback,
    runningOperation: scenario.toLowerCase() !== NO_SCENARIO && jobName ? { scenario, jobName } : undefined,
    pointChoices: PLAN_POINT_CHOICES,
  };
}

/** ARM endpoints of the Azure clouds; each is also the audience of its tokens. */
const CLOUD_ARM = ['management.azure.com', 'management.usgovcloudapi.net', 'management.chinacloudapi.cn'];

/**
 * The token scope for an ARM endpoint: a cloud's own ARM audience, or the public one for anything
 * else (the sandbox emulator, a proxy) — the SDK would otherwise ask for `${endpoint}/.default`,
 * which no token service knows.
 */
export function armScope(endpoint: string): string {
  const host = new URL(endpoint).hostname.toLowerCase();
  return CLOUD_ARM.includes(host) ? `https://${host}/.default` : 'https://management.azure.com/.default';
}

function reprotectState(item: ReplicationProtectedItem): OperationState {
  const p = item.properties ?? {};
  const provider = providerOf(item) ?? '';
  if (PROTECTED_TO_AZURE.includes(provider)) return { state: 'done' };
  const strategy = strategyFor(item);
  if (!strategy) return { state: 'blocked', reason: notReadyReason(item) };
  if (!(p.allowedOperations ?? []).includes('Reprotect')) {
    return { state: 'blocked', reason: `ASR does not allow Reprotect now (${p.protectionStateDescription ?? p.protectionState ?? 'unknown state'})` };
  }
  if (strategy.agentReady(item) === false) {
    return { state: 'waiting', reason: `the VM’s agent to register with the ${strategy.fabricRole.toLowerCase()}` };
  }
  return { state: 'ready' };
}

function toVm(item: ReplicationProtectedItem): ReplicatedVm {
  const p = item.properties ?? {};
  const strategy = strategyFor(item);
  const scenario = p.currentScenario?.scenarioName ?? 'None';
  const jobName = jobNameFromUrl(p.currentScenario?.jobId ?? '');
  const running = scenario.toLowerCase() !== NO_SCENARIO && jobName ? { scenario, jobName } : undefined;
  let failback: ReplicatedVm['failback'];
  if (!strategy) failback = { ready: false, reason: notReadyReason(item) };
  else if (!(p.allowedOperations ?? []).includes(strategy.failbackOperation)) {
    failback = {
      ready: false,
      reason: `is not ready to fail back: ASR does not allow it now (${p.protectionStateDescription ?? p.protectionState ?? 'unknown state'})`,
    };
  } else failback = { ready: true };
  return {
    id: item.id ?? '',
    name: p.friendlyName ?? item.name ?? 'unnamed VM',
    failback,
    runningOperation: running,
    osType: strategy?.osType(item),
    pointChoices: strategy?.pointChoices ?? [],
  };
}

/**
 * Newest crash- and app-consistent points from a stream of pages. ASR lists points newest first;
 * as long as the stream keeps that order, the first point of each kind is the newest and paging
 * can stop. If the order is ever broken, every page is read.
 */
export class PointSummary {
  private count = 0;
  private crash: string | undefined;
  private app: string | undefined;
  private previous: string | undefined;
  private descending = true;

  add(time: string | undefined, type: string | undefined): void {
    if (!time) return;
    this.count++;
    if (this.previous !== undefined && time > this.previous) this.descending = false;
    this.previous = time;
    if (/app/i.test(type ?? '')) this.app = this.app === undefined || time > this.app ? time : this.app;
    else this.crash = this.crash === undefined || time > this.crash ? time : this.crash;
  }

  complete(): boolean {
    return this.descending && this.crash !== undefined && this.app !== undefined;
  }

  result(): RecoveryPointSummary {
    return { count: this.count, latestCrashConsistent: this.crash, latestAppConsistent: this.app };
  }
}
