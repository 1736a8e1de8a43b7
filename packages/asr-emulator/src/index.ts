/**
 * An ARM-compatible Azure Site Recovery emulator: the sandbox vault of failback-bot.
 * HTTPS on 127.0.0.1 (self-signed), a managed-identity endpoint, the ASR resources and
 * long-running operations the bot uses, a state machine per item, and fault injection.
 * See README.md in this folder.
 */
import { FaultRegistry } from './faults';
import { startIdentityEndpoint } from './identity';
import { makeIdFactory } from './ids';
import { JobRunner } from './jobs';
import { type ItemState, jobTargetIdOf, VaultState, viewOf } from './model';
import { startOperation } from './operations';
import { portalBody } from './portal';
import { renderItem } from './render';
import { renderJob, renderPlan } from './render-jobs';
import { RequestLog } from './request-log';
import type { RouteContext } from './routes';
import { defaultVault, withExtraVms } from './scenario';
import { startArmServer } from './server';
import { generateCertificate } from './tls';
import type {
  EmulatorOptions,
  EmulatorSettings,
  ItemHealthSeed,
  ItemStage,
  OperationKind,
  PlanSeed,
  RecoveryPointSeed,
  RequestRecord,
} from './types';

export type {
  EmulatorOptions,
  EmulatorSettings,
  Fault,
  FaultMatch,
  ItemSeed,
  ItemHealthSeed,
  ItemScenarioNames,
  ItemStage,
  OperationKind,
  RecoveryPointSeed,
  RequestRecord,
  VaultSeed,
  Generation,
  FabricSeed,
  ContainerSeed,
  MappingSeed,
  PolicySeed,
  PlanSeed,
  VmwareSiteSeed,
} from './types';
export { DEFAULT_SCENARIO, defaultVault } from './scenario';
export { JOB_TASKS, SHUTDOWN_TASK } from './jobs';
export { STAGES } from './stages';
export { OPAQUE_SCENARIO_NAME } from './render';
export { PLAN_FAILOVER_DIRECTION, PLAN_TASK_NAMES } from './plan-operations';
export { ERROR_CODES, agentNotRegisteredMessage, rcmAgentNotRegisteredMessage } from './validate';
export { trustEmulatorPolicy } from './trust';
export { guidFrom } from './ids';
export type { RequestLog } from './request-log';
export type { FaultRegistry } from './faults';

/** A readable snapshot of one item (plus its ARM JSON as served). */
export interface ItemSnapshot {
  readonly name: string;
  readonly friendlyName: string;
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
  /** Member friendly names. */
  readonly members: readonly string[];
  readonly allowedOperations: readonly string[];
  /** The plan's last job (kept after it ended, as ASR does), or null. */
  readonly currentScenario: { readonly scenarioName: string; readonly jobName: string; readonly status: string } | null;
  readonly arm: Record<string, unknown>;
}

/** A running emulator and its control API. */
export interface AsrEmulator {
  /** https://127.0.0.1:PORT (or `options.publicHost`) — the ARM endpoint. */
  readonly url: string;
  /** The certificate a client must trust (self-signed, its own CA). */
  readonly caCertPem: string;
  /** Values for IDENTITY_ENDPOINT and IDENTITY_HEADER. */
  readonly identity: { readonly endpoint: string; readonly header: string };
  readonly vault: { readonly subscriptionId: string; readonly resourceGroup: string; readonly name: string };
  /** Every ARM request received. */
  readonly requests: RequestLog;
  /** Shortcut for `requests.operationPosts(kind)`: item-operation POSTs that reached the server (dropped answers included). */
  operationPosts(kind?: OperationKind): RequestRecord[];
  /** Inject faults: `faults.add({...})`, `faults.clear()`. */
  readonly faults: FaultRegistry;
  readonly settings: EmulatorSettings;
  items(): ItemSnapshot[];
  /** By friendly name or ARM name. */
  item(name: string): ItemSnapshot | undefined;
  /** A recovery plan by name. */
  plan(name: string): PlanSnapshot | undefined;
  /** An ASR job as served (ARM JSON), or undefined. */
  job(name: string): Record<string, unknown> | undefined;
  jobs(): Record<string, unknown>[];
  /** Lets a job stopped by a `job-suspends` fault go on; throws when it is not suspended. */
  resumeJob(name: string): void;
  /** Act "in the portal": put an item in a stage at once (e.g. commit it out of band). Clears any running scenario. */
  setItemStage(name: string, stage: ItemStage): void;
  /** Replace an item's recovery points ('none' = zero points). */
  setRecoveryPoints(name: string, points: 'none' | readonly RecoveryPointSeed[]): void;
  /** Modernized: make isAgentRegistrationSuccessfulAfterFailover true (or false) now. */
  setAgentRegistered(name: string, registered: boolean): void;
  /** What ASR reports on an item's replication from now on (undefined: back to the defaults). */
  setItemHealth(name: string, health: ItemHealthSeed | undefined): void;
  /**
   * Act "in the portal": start an operation without HTTP (validated like a POST). Without `body`, the
   * recorded body for this item (direction or none, required fields from the fabric). Returns the ASR
   * job name, or throws ASR's refusal.
   */
  startInPortal(name: string, kind: OperationKind, body?: unknown): string;
  stop(): Promise<void>;
}

/** Starts the emulator: HTTPS ARM server + managed-identity endpoint, seeded with `options.vault` or the default vault. */
export async function startAsrEmulator(options: EmulatorOptions = {}): Promise<AsrEmulator> {
  const now = options.now ?? Date.now;
  const publicHost = options.publicHost ?? '127.0.0.1';
  const tls = options.tls ?? (await generateCertificate([publicHost]));
  const settings: EmulatorSettings = {
    pageSize: options.pageSize ?? 50,
    latencyMs: options.latencyMs ?? 0,
    throttle: options.throttle,
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
    blankJobMs: options.blankJobMs ?? 300,
    itemScenarioNames: options.itemScenarioNames ?? 'job',
  };
  const seed = withExtraVms(options.vault ?? defaultVault(now()), options.extraVms ?? 0);
  const vault = new VaultState(seed, now(), settings);
  const faults = new FaultRegistry();
  for (const f of options.faults ?? []) faults.add(f);
  const jobs = new JobRunner({
    taskMs: options.taskMs ?? 200,
    blankJobMs: () => settings.blankJobMs,
    now,
    newId: makeIdFactory(0xa5),
  });
  const requests = new RequestLog();
  const identity = await startIdentityEndpoint({
    host: options.host,
    port: options.identityPort,
    publicHost,
    header: options.identityHeader,
  });
  let url = '';
  const routes: RouteContext = {
    vault,
    jobs,
    faults,
    now,
    agentRegistrationDelayMs: options.agentRegistrationDelayMs ?? 2000,
    get retryAfterSeconds() {
      return settings.retryAfterSeconds;
    },
    baseUrl: () => url,
    pageSize: () => settings.pageSize,
    operationIds: new Map(),
    newOperationId: makeIdFactory(0xb7),
  };
  const server = await startArmServer({
    port: options.port ?? 0,
    host: options.host,
    tls,
    routes,
    faults,
    log: requests,
    isValidToken: identity.isValid,
    latencyMs: () => settings.latencyMs,
    throttle: () => settings.throttle,
  });
  url = `https://${publicHost}:${server.port}`;

  const find = (name: string): ItemState => {
    const item = vault.itemNamed(name);
    if (!item) throw new Error(`ASR emulator: no item named '${name}'`);
    return item;
  };
  const snapshot = (i: ItemState): ItemSnapshot => {
    const view = viewOf(i);
    return {
      name: i.name,
      friendlyName: i.friendlyName,
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
      arm: renderItem(vault, i, now()),
    };
  };
  const planSnapshot = (p: PlanSeed): PlanSnapshot => {
    const arm = renderPlan(vault, p) as {
      properties: { allowedOperations: string[]; currentScenarioStatus: string | null };
    };
    const job = vault.planJobs.get(p.name.toLowerCase());
    return {
      name: p.name,
      friendlyName: p.friendlyName,
      members: vault.membersOf(p).map((m) => m.friendlyName),
      allowedOperations: arm.properties.allowedOperations,
      currentScenario: job
        ? { scenarioName: job.scenarioName, jobName: job.name, status: arm.properties.currentScenarioStatus ?? '' }
        : null,
      arm,
    };
  };

  return {
    url,
    caCertPem: tls.certPem,
    identity: { endpoint: identity.endpoint, header: identity.header },
    vault: { subscriptionId: vault.subscriptionId, resourceGroup: vault.resourceGroup, name: vault.name },
    requests,
    operationPosts: (kind) => requests.operationPosts(kind),
    faults,
    settings,
    items: () => vault.items.map(snapshot),
    item: (name) => {
      const i = vault.itemNamed(name);
      return i ? snapshot(i) : undefined;
    },
    job: (name) => {
      const j = jobs.get(name);
      return j ? renderJob(vault, j) : undefined;
    },
    plan: (name) => {
      const p = vault.plan(name);
      return p ? planSnapshot(p) : undefined;
    },
    jobs: () => jobs.list().map((j) => renderJob(vault, j)),
    resumeJob: (name) => jobs.resume(name),
    setItemStage: (name, stage) => {
      const item = find(name);
      item.stage = stage;
      item.scenario = undefined;
      if (stage === 'committed') item.points = [];
      // Modernized: the agent registers after the planned failover (vmId / internalIdentifier follow the stage's provider).
      if (item.generation === 'modernized') {
        item.agentRegisteredAt =
          stage === 'failedOver' || stage === 'committed'
            ? (item.agentRegisteredAt ?? now() + routes.agentRegistrationDelayMs)
            : undefined;
      }
    },
    setRecoveryPoints: (name, points) => {
      find(name).points = points === 'none' ? [] : [...points].sort((a, b) => b.time.getTime() - a.time.getTime());
    },
    setAgentRegistered: (name, registered) => {
      find(name).agentRegisteredAt = registered ? now() : undefined;
    },
    setItemHealth: (name, health) => {
      find(name).health = health;
    },
    startInPortal: (name, kind, body) => {
      const item = find(name);
      const reply = startOperation(routes, kind, item, body ?? portalBody(vault, item, kind), '2023-06-01');
      if (reply.status !== 202 || !item.scenario)
        throw new Error(`ASR refused ${kind} on ${name}: ${JSON.stringify(reply.body)}`);
      return item.scenario.jobName;
    },
    stop: async () => {
      jobs.stop();
      await server.stop();
      await identity.stop();
    },
  };
}
