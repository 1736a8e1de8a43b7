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
import { type ItemState, VaultState, viewOf } from './model';
import { startOperation } from './operations';
import { renderItem, renderJob } from './render';
import { RequestLog } from './request-log';
import type { RouteContext } from './routes';
import { defaultVault, withExtraVms } from './scenario';
import { startArmServer } from './server';
import { generateCertificate } from './tls';
import type { EmulatorOptions, ItemStage, OperationKind, RecoveryPointSeed, RequestRecord } from './types';

export type { EmulatorOptions, Fault, FaultMatch, ItemSeed, ItemStage, OperationKind, RecoveryPointSeed, RequestRecord, VaultSeed, Generation } from './types';
export { DEFAULT_SCENARIO, defaultVault } from './scenario';
export { JOB_TASKS } from './jobs';
export { ERROR_CODES, agentNotRegisteredMessage, rcmAgentNotRegisteredMessage } from './validate';
export { trustEmulatorPolicy } from './trust';
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
  readonly allowedOperations: readonly string[];
  /** 'None' or the running operation, with the ASR job's name. */
  readonly currentScenario: { readonly scenarioName: string; readonly jobName?: string };
  readonly recoveryPointCount: number;
  readonly arm: Record<string, unknown>;
}

/** Settings that can be changed while the emulator runs. */
export interface EmulatorSettings {
  pageSize: number;
  latencyMs: number;
  throttle: { readEvery: number; retryAfterSeconds?: number } | undefined;
  retryAfterSeconds: number;
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
  /** An ASR job as served (ARM JSON), or undefined. */
  job(name: string): Record<string, unknown> | undefined;
  jobs(): Record<string, unknown>[];
  /** Act "in the portal": put an item in a stage at once (e.g. commit it out of band). Clears any running scenario. */
  setItemStage(name: string, stage: ItemStage): void;
  /** Replace an item's recovery points ('none' = zero points). */
  setRecoveryPoints(name: string, points: 'none' | readonly RecoveryPointSeed[]): void;
  /** Modernized: make isAgentRegistrationSuccessfulAfterFailover true (or false) now. */
  setAgentRegistered(name: string, registered: boolean): void;
  /** Act "in the portal": start an operation without HTTP (validated like a POST). Returns the ASR job name, or throws ASR's refusal. */
  startInPortal(name: string, kind: OperationKind, body?: unknown): string;
  stop(): Promise<void>;
}

/** Starts the emulator: HTTPS ARM server + managed-identity endpoint, seeded with `options.vault` or the default vault. */
export async function startAsrEmulator(options: EmulatorOptions = {}): Promise<AsrEmulator> {
  const now = options.now ?? Date.now;
  const publicHost = options.publicHost ?? '127.0.0.1';
  const tls = options.tls ?? (await generateCertificate([publicHost]));
  const seed = withExtraVms(options.vault ?? defaultVault(now()), options.extraVms ?? 0);
  const vault = new VaultState(seed, now());
  const faults = new FaultRegistry();
  for (const f of options.faults ?? []) faults.add(f);
  const jobs = new JobRunner({ taskMs: options.taskMs ?? 200, now, newId: makeIdFactory(0xa5) });
  const requests = new RequestLog();
  const settings: EmulatorSettings = {
    pageSize: options.pageSize ?? 50,
    latencyMs: options.latencyMs ?? 0,
    throttle: options.throttle,
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
  };
  const identity = await startIdentityEndpoint({ host: options.host, port: options.identityPort, publicHost, header: options.identityHeader });
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
      allowedOperations: view.allowedOperations,
      currentScenario: i.scenario ? { scenarioName: i.scenario.scenarioName, jobName: i.scenario.jobName } : { scenarioName: 'None' },
      recoveryPointCount: i.points.length,
      arm: renderItem(vault, i, now()),
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
    jobs: () => jobs.list().map((j) => renderJob(vault, j)),
    setItemStage: (name, stage) => {
      const item = find(name);
      item.stage = stage;
      item.scenario = undefined;
      if (stage === 'committed') {
        item.points = [];
        if (item.generation === 'modernized') item.agentRegisteredAt = now() + routes.agentRegistrationDelayMs;
      }
    },
    setRecoveryPoints: (name, points) => {
      find(name).points = points === 'none' ? [] : [...points].sort((a, b) => b.time.getTime() - a.time.getTime());
    },
    setAgentRegistered: (name, registered) => {
      find(name).agentRegisteredAt = registered ? now() : undefined;
    },
    startInPortal: (name, kind, body) => {
      const item = find(name);
      const reply = startOperation(routes, kind, item, body, '2023-06-01');
      if (reply.status !== 202 || !item.scenario) throw new Error(`ASR refused ${kind} on ${name}: ${JSON.stringify(reply.body)}`);
      return item.scenario.jobName;
    },
    stop: async () => {
      jobs.stop();
      await server.stop();
      await identity.stop();
    },
  };
}
