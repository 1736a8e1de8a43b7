/**
 * An ARM-compatible Azure Site Recovery emulator: the sandbox vault of failback-bot.
 * HTTPS on 127.0.0.1 (self-signed), a managed-identity endpoint, the ASR resources and
 * long-running operations the bot uses, a state machine per item, and fault injection.
 * See README.md in this folder.
 */
import { EstateControl, type ItemSnapshot, type PlanSnapshot, type VaultInfo } from './control';
import { Estate } from './estate';
import { FaultRegistry } from './faults';
import { startIdentityEndpoint } from './identity';
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
  RecoveryPointSeed,
  RequestRecord,
  VaultSeed,
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
export { DEFAULT_SCENARIO, defaultVault, estateOfVaults, SECOND_SCENARIO, secondVault } from './scenario';
export type { ItemSnapshot, PlanSnapshot, VaultInfo } from './control';
export { IDENTITY } from './identity';
export { JOB_TASKS, SHUTDOWN_TASK } from './jobs';
export { STAGES } from './stages';
export { OPAQUE_SCENARIO_NAME } from './render';
export { PLAN_FAILOVER_DIRECTION, PLAN_TASK_NAMES } from './plan-operations';
export { ERROR_CODES, agentNotRegisteredMessage, rcmAgentNotRegisteredMessage } from './validate';
export { trustEmulatorPolicy } from './trust';
export { generateLoopbackCertificate, type TlsMaterial } from './tls';
export { guidFrom } from './ids';
export type { RequestLog } from './request-log';
export type { FaultRegistry } from './faults';

/** A running emulator and its control API. */
export interface AsrEmulator {
  /** https://127.0.0.1:PORT (or `options.publicHost`) — the ARM endpoint. */
  readonly url: string;
  /** The certificate a client must trust (self-signed, its own CA). */
  readonly caCertPem: string;
  /** Values for IDENTITY_ENDPOINT and IDENTITY_HEADER. */
  readonly identity: { readonly endpoint: string; readonly header: string };
  /** The default vault (the first of `vaults`): what the one-vault API and a one-vault bot use. */
  readonly vault: VaultInfo;
  /** Every vault served, the default one first. */
  readonly vaults: readonly VaultInfo[];
  /** Every ARM request received, in every vault. */
  readonly requests: RequestLog;
  /** Shortcut for `requests.operationPosts(kind)`: item- and plan-operation POSTs of every vault that reached the server (dropped answers included). */
  operationPosts(kind?: OperationKind): RequestRecord[];
  /** Inject faults: `faults.add({...})`, `faults.clear()`. */
  readonly faults: FaultRegistry;
  readonly settings: EmulatorSettings;
  /** Every vault's items (snapshot.vault names the vault). */
  items(): ItemSnapshot[];
  /** By friendly name or ARM name, in any vault (the first vault first). */
  item(name: string): ItemSnapshot | undefined;
  /** A recovery plan by name, in any vault. */
  plan(name: string): PlanSnapshot | undefined;
  /** An ASR job of any vault as served (ARM JSON), or undefined. Job names are unique across vaults. */
  job(name: string): Record<string, unknown> | undefined;
  /** Every vault's jobs, newest first. */
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
  /**
   * Refuse (or allow again) the identity every request under a vault, named by name or ARM id: 403
   * `AuthorizationFailed` as ARM answers. The vault stays in the vault lists (a Reader of the
   * subscription still sees it). Throws for an unknown (or, by name, ambiguous) vault.
   */
  denyVault(vault: string, denied: boolean): void;
  stop(): Promise<void>;
}

/** Starts the emulator: HTTPS ARM server + managed-identity endpoint, seeded with `options.vaults`, `options.vault` or the default vault. */
export async function startAsrEmulator(options: EmulatorOptions = {}): Promise<AsrEmulator> {
  const now = options.now ?? Date.now;
  const publicHost = options.publicHost ?? '127.0.0.1';
  const tls = options.tls ?? (await generateCertificate([publicHost]));
  const settings = settingsOf(options);
  const faults = new FaultRegistry();
  for (const f of options.faults ?? []) faults.add(f);
  const agentRegistrationDelayMs = options.agentRegistrationDelayMs ?? 2000;
  let url = '';
  const baseUrl = () => url;
  const estate = new Estate(vaultSeeds(options, now), {
    settings,
    faults,
    now,
    taskMs: options.taskMs ?? 200,
    agentRegistrationDelayMs,
    baseUrl,
  });
  const requests = new RequestLog();
  const identity = await startIdentityEndpoint({
    host: options.host,
    port: options.identityPort,
    publicHost,
    header: options.identityHeader,
  });
  const routes: RouteContext = { estate, now, baseUrl, pageSize: () => settings.pageSize };
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
  const control = new EstateControl(estate, { now, agentRegistrationDelayMs });
  return {
    url,
    caCertPem: tls.certPem,
    identity: { endpoint: identity.endpoint, header: identity.header },
    vault: control.vaults[0]!,
    vaults: control.vaults,
    requests,
    operationPosts: (kind) => requests.operationPosts(kind),
    faults,
    settings,
    ...stateApi(control),
    stop: async () => {
      estate.stop();
      await server.stop();
      await identity.stop();
    },
  };
}

/** The live settings' starting values. */
function settingsOf(options: EmulatorOptions): EmulatorSettings {
  return {
    pageSize: options.pageSize ?? 50,
    latencyMs: options.latencyMs ?? 0,
    throttle: options.throttle,
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
    blankJobMs: options.blankJobMs ?? 300,
    itemScenarioNames: options.itemScenarioNames ?? 'job',
  };
}

/** The control API's state part (bound functions: callers may destructure them). */
function stateApi(control: EstateControl) {
  return {
    items: control.items,
    item: control.item,
    plan: control.plan,
    job: control.job,
    jobs: control.jobs,
    resumeJob: control.resumeJob,
    setItemStage: control.setItemStage,
    setRecoveryPoints: control.setRecoveryPoints,
    setAgentRegistered: control.setAgentRegistered,
    setItemHealth: control.setItemHealth,
    startInPortal: control.startInPortal,
    denyVault: control.denyVault,
  } satisfies Partial<AsrEmulator>;
}

/** The vaults to serve: `vaults`, else `[vault ?? defaultVault()]`; `extraVms` go to the first. */
function vaultSeeds(options: EmulatorOptions, now: () => number): VaultSeed[] {
  if (options.vault && options.vaults)
    throw new Error('ASR emulator: give `vault` or `vaults`, not both (`vaults[0]` is the default vault)');
  const [first, ...others] = options.vaults ?? [options.vault ?? defaultVault(now())];
  if (!first) throw new Error('ASR emulator: `vaults` is empty');
  return [withExtraVms(first, options.extraVms ?? 0), ...others];
}
