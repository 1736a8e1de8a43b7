import type { TokenCredential } from '@azure/core-auth';
import { createPipelineRequest, type HttpClient, type PipelinePolicy } from '@azure/core-rest-pipeline';
import {
  SiteRecoveryManagementClient,
  type Job,
  type RecoveryPlan,
  type ReplicationProtectedItem,
} from '@azure/arm-recoveryservices-siterecovery';
import type { PlanOpKind } from '../domain/run-machine';
import type { ReprotectForm } from '../domain/reprotect-form';
import type { OpKind } from '../domain/run';
import { tagOf, type VaultTag } from '../domain/vault';
import type {
  RecoveryPointInfo,
  RecoveryPointSummary,
  ReplicatedPlan,
  ReplicatedVm,
  ReplicationServer,
} from '../domain/vm';
import { AsrRefusedError } from '../errors';
import { AcceptedJob } from './accepted-job';
import { armGetAll } from './arm-get';
import { parseItemId, parsePlanId } from './arm-ids';
import { jobFacts, jobTargetIds, opOfScenario, runningJobOfPlan } from './asr-facts';
import { mapReadError } from './asr-errors';
import type {
  AsrGateway,
  AsrJobSummary,
  AsrJobView,
  CallOptions,
  JobMember,
  JobState,
  OperationInput,
  OperationState,
  PlanOperationState,
  StateOptions,
} from './gateway';
import { itemVerdict, planMemberIds, toPlan, toVm } from './item-verdicts';
import { jobError, jobState, summarizeJob } from './jobs';
import { noRepeatPostPolicy } from './no-repeat-post-policy';
import { PointSummary } from './point-summary';
import { notReadyReason, planStrategyFor, strategyFor } from './providers';
import { readReprotectForm } from './reprotect-form-reader';
import { serversOf } from './vm-health';

export interface SdkGatewayOptions {
  readonly credential: TokenCredential;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly vault: string;
  /** The vault's region, when known (shown with its name). */
  readonly location?: string | undefined;
  /** ARM endpoint: public cloud, a sovereign cloud, or the sandbox emulator. */
  readonly endpoint: string;
  /** Extra pipeline policies (e.g. trusting the sandbox's self-signed certificate). */
  readonly extraPolicies?: readonly PipelinePolicy[];
  /** Policies that see every attempt on the wire, after the SDK's retries and signing (metrics). */
  readonly attemptPolicies?: readonly PipelinePolicy[];
  /** Replaces the HTTP client (the contract suite answers from recorded traffic). */
  readonly httpClient?: HttpClient;
}

/** Jobs are listed from a little before the bot's attempt (clocks differ). */
const CLOCK_SKEW_MS = 2 * 60_000;

/** The AsrGateway on the real Azure SDK (`@azure/arm-recoveryservices-siterecovery`, pinned: 5.x takes the vault before the group). */
export class SdkAsrGateway implements AsrGateway {
  private readonly client: SiteRecoveryManagementClient;
  private readonly vault: string;
  private readonly rg: string;
  private readonly endpoint: string;

  constructor(options: SdkGatewayOptions) {
    this.client = new SiteRecoveryManagementClient(options.credential, options.subscriptionId, {
      endpoint: options.endpoint,
      credentialScopes: [armScope(options.endpoint)],
      ...(options.httpClient ? { httpClient: options.httpClient } : {}),
    });
    for (const p of options.extraPolicies ?? []) this.client.pipeline.addPolicy(p);
    this.client.pipeline.addPolicy(noRepeatPostPolicy(), { afterPhase: 'Retry' });
    for (const p of options.attemptPolicies ?? []) this.client.pipeline.addPolicy(p, { afterPhase: 'Sign' });
    this.vault = options.vault;
    this.rg = options.resourceGroup;
    this.vaultTag = tagOf({
      subscriptionId: options.subscriptionId,
      resourceGroup: options.resourceGroup,
      name: options.vault,
      location: options.location,
    });
    this.endpoint = options.endpoint.replace(/\/+$/, '');
  }

  /** The vault this gateway serves, as VMs, plans and runs carry it. */
  readonly vaultTag: VaultTag;

  private tagged<T extends object>(x: T): T & { readonly vault: VaultTag } {
    return { ...x, vault: this.vaultTag };
  }

  /** Every read goes through here: ARM's errors become our typed ones (transient, refused). */
  private async read<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapReadError(e);
    }
  }

  private async all<T>(pages: AsyncIterable<T>): Promise<T[]> {
    return this.read(async () => {
      const out: T[] = [];
      for await (const x of pages) out.push(x);
      return out;
    });
  }

  async listVms(options?: CallOptions): Promise<ReplicatedVm[]> {
    return (await this.all(this.client.replicationProtectedItems.list(this.vault, this.rg, options))).map((i) =>
      this.tagged(toVm(i)),
    );
  }

  async listReplicationServers(options?: CallOptions): Promise<ReplicationServer[]> {
    return (await this.all(this.client.replicationFabrics.list(this.vault, this.rg, options))).flatMap(serversOf);
  }

  async getVm(vmId: string, options?: CallOptions): Promise<ReplicatedVm> {
    return this.tagged(toVm(await this.getItem(vmId, options)));
  }

  async summarizePoints(vmId: string, options?: CallOptions): Promise<RecoveryPointSummary> {
    const ref = parseItemId(vmId);
    const summary = new PointSummary();
    await this.read(async () => {
      const pages = this.client.recoveryPoints
        .listByReplicationProtectedItems(this.vault, this.rg, ref.fabric, ref.container, ref.item, options)
        .byPage();
      for await (const page of pages) {
        for (const p of page)
          summary.add(p.properties?.recoveryPointTime?.toISOString(), p.properties?.recoveryPointType);
        // A VM keeps a day of points or more: stop paging once the newest of each kind is certain.
        if (summary.complete()) break;
      }
    });
    return summary.result();
  }

  async listPoints(vmId: string, max: number, options?: CallOptions): Promise<RecoveryPointInfo[]> {
    const ref = parseItemId(vmId);
    const points: RecoveryPointInfo[] = [];
    let descending = true;
    await this.read(async () => {
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
    });
    return points.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0)).slice(0, max);
  }

  async operationState(vmId: string, op: OpKind, options?: StateOptions): Promise<OperationState> {
    const item = await this.getItem(vmId, options);
    const verdict = itemVerdict(item, op);
    if (verdict.verdict === 'in-progress') return this.followRunning(item, op, verdict.jobName, options);
    if (verdict.verdict === 'done') return { state: 'done' };
    if (verdict.verdict === 'waiting') return { state: 'waiting', reason: verdict.reason };
    // Ready, or not allowed: if an earlier POST may have gone through, its job decides first.
    if (options?.issuedSince) {
      const found = await this.jobSince(item, op, options.issuedSince, options);
      if (found) return found;
    }
    return verdict.verdict === 'ready' ? { state: 'ready' } : { state: 'blocked', reason: verdict.reason };
  }

  /**
   * Something runs on the item. NOT RECORDED: which scenarioName an item shows while its job runs,
   * so the job itself is read: it is followed only when it is this operation on this item (by the
   * GUID ASR uses); otherwise, or while ASR has not filled it in, the caller waits and looks again.
   */
  private async followRunning(
    item: ReplicationProtectedItem,
    op: OpKind,
    jobName: string,
    options?: CallOptions,
  ): Promise<OperationState> {
    let job: Job;
    try {
      job = await this.read(() => this.client.replicationJobs.get(this.vault, this.rg, jobName, options));
    } catch (e) {
      if (e instanceof AsrRefusedError && e.status === 404)
        return { state: 'busy', reason: `ASR names job ${jobName} on it but does not know that job yet`, jobName };
      throw e;
    }
    const f = jobFacts(job);
    if (!f.known)
      return {
        state: 'busy',
        reason: `ASR has started an operation on it (job ${jobName}) and not said yet which`,
        jobName,
      };
    if (f.op === op && !f.targetIsPlan && targets(item, f.targetId, f.targetName)) return { state: 'running', jobName };
    const what = job.properties?.friendlyName ?? job.properties?.scenarioName ?? 'an operation';
    return {
      state: 'busy',
      reason: `another ASR operation runs on it (${what}${f.targetIsPlan ? ' of its recovery plan' : ''}, job ${jobName})`,
      jobName,
    };
  }

  /**
   * The job of `op` on this item that ASR started since an earlier attempt (whose answer was lost).
   * A job ASR has not filled in yet may be that one: then wait.
   */
  private async jobSince(
    item: ReplicationProtectedItem,
    op: OpKind,
    since: Date,
    options?: CallOptions,
  ): Promise<OperationState | undefined> {
    const jobs = await this.recentJobs(new Date(since.getTime() - CLOCK_SKEW_MS), options);
    if (jobs.some((j) => !j.known))
      return {
        state: 'busy',
        reason: 'ASR lists a job it has not filled in yet, which may be the one the bot started',
      };
    const mine = jobs.filter((j) => j.op === op && !j.targetIsPlan && targets(item, j.targetId, j.targetName));
    const latest = mine.sort((a, b) => ((a.startTime ?? '') < (b.startTime ?? '') ? 1 : -1))[0];
    if (!latest) return undefined;
    if (latest.state === 'running') return { state: 'running', jobName: latest.name };
    if (latest.state === 'succeeded') return { state: 'done', jobName: latest.name };
    const job = await this.read(() => this.client.replicationJobs.get(this.vault, this.rg, latest.name, options));
    return { state: 'failed', jobName: latest.name, error: jobError(job) };
  }

  async startOperation(
    vmId: string,
    op: OpKind,
    input: OperationInput,
    options?: CallOptions,
  ): Promise<{ jobName: string; retryAfterMs?: number }> {
    const ref = parseItemId(vmId);
    const items = this.client.replicationProtectedItems;
    const args = [this.vault, this.rg, ref.fabric, ref.container, ref.item] as const;
    return this.accept(options, async (opts) => {
      if (op === 'commit') return items.beginFailoverCommit(...args, opts);
      const item = await this.getItem(vmId, options);
      const strategy = strategyFor(item);
      if (!strategy) throw new AsrRefusedError('NotReady', notReadyReason(item), undefined);
      if (op === 'reprotect')
        return items.beginReprotect(...args, strategy.reprotectRequest(item, input.reprotect ?? {}), opts);
      const req = strategy.failoverRequest(item, input.recoveryPoint ?? { kind: 'latest' });
      return req.method === 'unplannedFailover'
        ? items.beginUnplannedFailover(...args, req.body, opts)
        : items.beginPlannedFailover(...args, req.body, opts);
    });
  }

  /** Sends one operation POST (the SDK may not repeat it) and names the ASR job it started. */
  private async accept(
    options: CallOptions | undefined,
    post: (opts: {
      abortSignal?: AbortSignal;
      onResponse: AcceptedJob['onResponse'];
      updateIntervalInMs: number;
    }) => Promise<unknown>,
  ) {
    const accepted = new AcceptedJob();
    try {
      await post({ abortSignal: options?.abortSignal, onResponse: accepted.onResponse, updateIntervalInMs: 1 });
    } catch (e) {
      if (e instanceof AsrRefusedError) throw e;
      accepted.failed(e);
    }
    const statusUrl = accepted.needsStatusRead;
    if (statusUrl) accepted.statusNamed(await this.operationStatusName(statusUrl, options));
    const { jobName, retryAfterMs } = accepted.result();
    return { jobName, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }

  /** The job an operation status names (`name`); undefined when it cannot be read now (the URL's id is used). */
  private async operationStatusName(url: string, options?: CallOptions): Promise<string | undefined> {
    try {
      const res = await this.client.sendRequest(
        createPipelineRequest({ url, method: 'GET', abortSignal: options?.abortSignal }),
      );
      const name = res.status === 200 ? (JSON.parse(res.bodyAsText ?? '{}') as { name?: unknown }).name : undefined;
      return typeof name === 'string' && name !== '' ? name : undefined;
    } catch {
      return undefined;
    }
  }

  async getJob(jobName: string, members?: readonly JobMember[], options?: CallOptions): Promise<AsrJobView> {
    const job = await this.read(() => this.client.replicationJobs.get(this.vault, this.rg, jobName, options));
    return summarizeJob(jobName, job, members);
  }

  async jobStates(since: Date, options?: CallOptions): Promise<Map<string, JobState>> {
    return new Map((await this.recentJobs(since, options)).map((j) => [j.name.toLowerCase(), j.state]));
  }

  async recentJobs(since: Date, options?: CallOptions): Promise<AsrJobSummary[]> {
    // Azure PowerShell's filter (recorded): capitalised names, `eq` meaning "from", 7 fractional digits.
    const filter = `StartTime eq '${powershellTime(since)}'`;
    const jobs = await this.all(this.client.replicationJobs.list(this.vault, this.rg, { ...options, filter }));
    return jobs
      .filter((job) => job.name)
      .map((job): AsrJobSummary => {
        const p = job.properties ?? {};
        const f = jobFacts(job);
        return {
          name: job.name ?? '',
          state: jobState(job),
          op: opOfScenario(p.scenarioName),
          targetId: f.targetId,
          targetName: f.targetName,
          targetIsPlan: f.targetIsPlan,
          known: f.known,
          startTime: p.startTime ? new Date(p.startTime).toISOString() : undefined,
        };
      });
  }

  async listPlans(options?: CallOptions): Promise<ReplicatedPlan[]> {
    return (await this.all(this.client.replicationRecoveryPlans.list(this.vault, this.rg, options))).map((p) =>
      this.tagged(toPlan(p)),
    );
  }

  async planOperationState(planId: string, op: PlanOpKind, options?: StateOptions): Promise<PlanOperationState> {
    const plan = await this.getPlan(planId, options);
    const running = runningJobOfPlan(plan);
    if (running) {
      const job = await this.read(() => this.client.replicationJobs.get(this.vault, this.rg, running.jobName, options));
      const f = jobFacts(job);
      if (f.known && f.op === op && f.targetIsPlan) return { state: 'running', jobName: running.jobName };
      if (f.known && jobState(job) !== 'running') {
        // The plan's status was stale: the job has ended; the members below tell what it did.
      } else {
        const what = f.known
          ? (job.properties?.friendlyName ?? 'an operation')
          : 'an operation ASR has not described yet';
        return {
          state: 'busy',
          reason: `the recovery plan runs ${what} (job ${running.jobName})`,
          jobName: running.jobName,
        };
      }
    }
    if (
      options?.issuedSince &&
      (await this.recentJobs(new Date(options.issuedSince.getTime() - CLOCK_SKEW_MS), options)).some((j) => !j.known)
    ) {
      return {
        state: 'busy',
        reason: 'ASR lists a job it has not filled in yet, which may be the one the bot started',
      };
    }
    // No plan job runs: the members say whether the operation already happened (all, some or none).
    const members = planMemberIds(plan);
    const states = await Promise.all(
      members.map((id) => this.operationState(id, op, { abortSignal: options?.abortSignal })),
    );
    const done = members.filter((_, i) => states[i]?.state === 'done');
    if (done.length > 0) return { state: 'ended', done };
    const busy = states.find((st) => st.state === 'running' || st.state === 'busy');
    if (busy)
      return {
        state: 'busy',
        reason: `a VM of the plan runs another ASR operation${'jobName' in busy && busy.jobName ? ` (job ${busy.jobName})` : ''}`,
      };
    if (options?.issuedSince && lastScenarioSince(plan, op, options.issuedSince) === 'failed')
      return { state: 'ended', done: [] };
    const allowed = plan.properties?.allowedOperations ?? [];
    if (op === 'commit')
      return allowed.includes('Commit')
        ? { state: 'ready' }
        : { state: 'blocked', reason: 'ASR does not allow Commit on the recovery plan now' };
    const strategy = planStrategyFor(plan);
    if ('reason' in strategy) return { state: 'blocked', reason: `The recovery plan ${strategy.reason}` };
    return allowed.includes(strategy.strategy.failbackOperation)
      ? { state: 'ready' }
      : {
          state: 'blocked',
          reason: `ASR does not allow ${strategy.strategy.failbackOperation} on the recovery plan now (allowed: ${allowed.join(', ') || 'nothing'})`,
        };
  }

  async startPlanOperation(
    planId: string,
    op: PlanOpKind,
    input: OperationInput,
    options?: CallOptions,
  ): Promise<{ jobName: string; retryAfterMs?: number }> {
    const name = parsePlanId(planId);
    const plans = this.client.replicationRecoveryPlans;
    return this.accept(options, async (opts) => {
      if (op === 'commit') return plans.beginFailoverCommit(this.vault, this.rg, name, opts);
      const strategy = planStrategyFor(await this.getPlan(planId, options));
      if ('reason' in strategy)
        throw new AsrRefusedError('NotReady', `The recovery plan ${strategy.reason}`, undefined);
      const req = strategy.strategy.planFailoverRequest(input.recoveryPoint ?? { kind: 'latest' });
      return req.method === 'unplannedFailover'
        ? plans.beginUnplannedFailover(this.vault, this.rg, name, req.body, opts)
        : plans.beginPlannedFailover(this.vault, this.rg, name, req.body, opts);
    });
  }

  async reprotectForm(vmIds: readonly string[], options?: CallOptions): Promise<ReprotectForm> {
    const items = await Promise.all(vmIds.map((id) => this.getItem(id, options)));
    return this.read(() =>
      readReprotectForm(vmIds, items, {
        policies: () => this.all(this.client.replicationPolicies.list(this.vault, this.rg, options)),
        fabric: (f) => this.client.replicationFabrics.get(this.vault, this.rg, f, options),
        mappings: (f, c) =>
          this.all(
            this.client.replicationProtectionContainerMappings.listByReplicationProtectionContainers(
              this.vault,
              this.rg,
              f,
              c,
              options,
            ),
          ),
        siteRunAsAccounts: (siteId) => this.siteRunAsAccounts(siteId, options),
      }),
    );
  }

  /** The run-as accounts of an Azure Migrate VMware site (Microsoft.OffAzure: no SDK in this stack, read through the same pipeline). */
  private async siteRunAsAccounts(
    siteId: string,
    options?: CallOptions,
  ): Promise<{ id: string; displayName: string; credentialType?: string }[]> {
    type Account = { id?: string; name?: string; properties?: { displayName?: string; credentialType?: string } };
    const accounts = await armGetAll<Account>(
      this.client,
      `${this.endpoint}${siteId}/runAsAccounts?api-version=2020-01-01`,
      options,
      20,
    );
    return accounts.flatMap((a) =>
      a.id
        ? [
            {
              id: a.id,
              displayName: a.properties?.displayName ?? a.name ?? a.id,
              ...(a.properties?.credentialType ? { credentialType: a.properties.credentialType } : {}),
            },
          ]
        : [],
    );
  }

  private getPlan(planId: string, options?: CallOptions): Promise<RecoveryPlan> {
    return this.read(() => this.client.replicationRecoveryPlans.get(this.vault, this.rg, parsePlanId(planId), options));
  }

  private getItem(vmId: string, options?: CallOptions): Promise<ReplicationProtectedItem> {
    const ref = parseItemId(vmId);
    return this.read(() =>
      this.client.replicationProtectedItems.get(this.vault, this.rg, ref.fabric, ref.container, ref.item, options),
    );
  }
}

/**
 * Whether a job's target is this item: by the GUID ASR names it by (recorded); only when the item
 * carries no such id (an older provider) by its friendly name, a hint at best.
 */
function targets(
  item: ReplicationProtectedItem,
  targetId: string | undefined,
  targetName: string | undefined,
): boolean {
  const ids = jobTargetIds(item);
  if (ids.length > 0) return targetId !== undefined && ids.includes(targetId);
  const name = item.properties?.friendlyName;
  return name !== undefined && targetName !== undefined && name.toLowerCase() === targetName.toLowerCase();
}

/** How the plan's kept last scenario (recorded: it stays after the job) ended, if it is `op` started since `since`. */
function lastScenarioSince(plan: RecoveryPlan, op: OpKind, since: Date): 'succeeded' | 'failed' | undefined {
  const p = plan.properties ?? {};
  const s = p.currentScenario;
  if (
    !s ||
    opOfScenario(s.scenarioName) !== op ||
    !s.startTime ||
    new Date(s.startTime).getTime() < since.getTime() - CLOCK_SKEW_MS
  )
    return undefined;
  const status = (p.currentScenarioStatus ?? '').toLowerCase();
  return status === 'succeeded' ? 'succeeded' : status === 'failed' ? 'failed' : undefined;
}

/** ISO time as Azure PowerShell writes it ("o" format: 7 fractional digits). */
export function powershellTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
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

export { PointSummary };
