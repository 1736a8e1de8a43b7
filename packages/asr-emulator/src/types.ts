/**
 * Public types of the ASR emulator: options, live settings, the vault seed, faults and the request
 * log. The emulator's internal state lives in model.ts; these are what callers see and pass in.
 */

/** The four item operations the emulator implements (the last URL segment of the POST). */
export type OperationKind = 'unplannedFailover' | 'plannedFailover' | 'failoverCommit' | 'reprotect';

export const OPERATION_KINDS: readonly OperationKind[] = [
  'unplannedFailover',
  'plannedFailover',
  'failoverCommit',
  'reprotect',
];

/** classic = configuration server (InMage / InMageAzureV2); modernized = replication appliance (InMageRcm / InMageRcmFailback). */
export type Generation = 'classic' | 'modernized';

/**
 * Where an item is in the failback cycle. The provider, protectionState and allowedOperations
 * are derived from (generation, stage) — see STAGES in stages.ts.
 * - `ready`: reprotected to AVS, failback possible (classic `InMage`, modernized `InMageRcmFailback`)
 * - `failedOver`: failback done, commit pending
 * - `committed`: failback committed, reprotect (`SwitchProtection`) possible
 * - `replicatingToAzure`: protected AVS → Azure again (classic `InMageAzureV2`, modernized `InMageRcm`)
 */
export type ItemStage = 'ready' | 'failedOver' | 'committed' | 'replicatingToAzure';

/** One recovery point. `type` is 'CrashConsistent' or 'ApplicationConsistent'. */
export interface RecoveryPointSeed {
  readonly name: string;
  readonly time: Date;
  readonly type: 'CrashConsistent' | 'ApplicationConsistent';
}

/** A replication protected item to seed. */
export interface ItemSeed {
  /** ARM name (GUID-like). Defaults to a deterministic id. */
  readonly name?: string;
  readonly friendlyName: string;
  readonly fabric: string;
  readonly container: string;
  readonly generation: Generation;
  readonly stage: ItemStage;
  readonly osType?: 'Windows' | 'Linux';
  /** Policy ARM name; defaults to the first policy of the stage's provider. */
  readonly policy?: string;
  /** 'default' = 24 h of points (crash every 5 min, app every 60 min); 'none' = zero points. */
  readonly recoveryPoints?: 'default' | 'none' | readonly RecoveryPointSeed[];
  /** Classic: the process server / master target serving the seeded stage's replication (shown in providerSpecificDetails). */
  readonly processServerId?: string;
  readonly masterTargetId?: string;
  /** What ASR reports on the item's replication (defaults: the stage's health, no errors, an agent heard a minute ago). */
  readonly health?: ItemHealthSeed;
}

/** Replication health of an item as ASR reports it (replicationHealth, healthErrors, the agent's heartbeat). */
export interface ItemHealthSeed {
  readonly replicationHealth?: string;
  /** HealthError JSON as ARM serves it (errorCode, errorMessage, errorLevel, recommendedAction…). */
  readonly healthErrors?: readonly Readonly<Record<string, unknown>>[];
  /** How long ago the VM's mobility agent was last heard; default one minute. */
  readonly agentHeartbeatAgeMs?: number;
}

/** A container's pairing to a target container with a policy (a ProtectionContainerMapping). */
export interface MappingSeed {
  readonly name: string;
  /** Policy ARM name. */
  readonly policy: string;
  /** Default: the first container of the first `Azure` fabric. */
  readonly targetContainer?: { readonly fabric: string; readonly container: string };
}

/** A protection container of a fabric. */
export interface ContainerSeed {
  readonly name: string;
  readonly friendlyName: string;
  /** Its ProtectionContainerMappings (served under replicationProtectionContainerMappings). */
  readonly mappings?: readonly MappingSeed[];
}

/** A replication fabric with its containers; `customDetails` is the ARM JSON (instanceType VMware, Azure, InMageRcm...). */
export interface FabricSeed {
  readonly name: string;
  readonly friendlyName: string;
  readonly customDetails: Readonly<Record<string, unknown>>;
  readonly containers: readonly ContainerSeed[];
}

/** A replication policy; `providerSpecificDetails` is the ARM JSON (instanceType InMage, InMageAzureV2...). */
export interface PolicySeed {
  readonly name: string;
  readonly friendlyName: string;
  readonly providerSpecificDetails: Readonly<Record<string, unknown>>;
}

/** A recovery plan: its members by item friendly name, all in one Boot group. */
export interface PlanSeed {
  readonly name: string;
  readonly friendlyName: string;
  readonly members: readonly string[];
}

/** An Azure Migrate VMware site (outside the vault) with its run-as accounts. */
export interface VmwareSiteSeed {
  /** ARM id: /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.OffAzure/VMwareSites/{site}. */
  readonly id: string;
  /** `name` is the account's ARM name (a GUID); `credentialType` e.g. VMwareFabric, WindowsGuest, LinuxGuest. */
  readonly runAsAccounts: readonly {
    readonly name: string;
    readonly displayName: string;
    readonly credentialType: string;
  }[];
}

/** Everything in one emulated Recovery Services vault. */
export interface VaultSeed {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  /** The vault's Azure region, as `GET …/vaults/{name}` serves it (default 'westeurope'). */
  readonly location?: string;
  readonly fabrics: readonly FabricSeed[];
  readonly policies: readonly PolicySeed[];
  readonly items: readonly ItemSeed[];
  readonly plans: readonly PlanSeed[];
  /** Azure Migrate sites an InMageRcm fabric's `customDetails.vmwareSiteId` points at. */
  readonly vmwareSites?: readonly VmwareSiteSeed[];
}

/** Which requests a fault applies to. A string path matches as a case-insensitive substring. */
export interface FaultMatch {
  readonly method?: string;
  readonly path: RegExp | string;
}

/**
 * Faults to inject. `times` defaults to 1 (latency: unlimited). `item` is a friendly name (for
 * plan operations: the plan's name).
 * - `status`: answer this status (and ARM error body) instead of serving the request.
 * - `drop-after-accept`: serve the request (the operation IS started), then destroy the socket.
 * - `latency`: delay the answer.
 * - `slow-answer-after-accept`: serve the request (the operation IS started), then answer only
 *   after `ms` — the window in which a client that dies has not yet learned of the operation.
 * - `job-fails`: the next job of `operation` fails at task `task` (default: the last one).
 * - `job-suspends`: the next job of `operation` stops at task `task` (default: the last one) with
 *   job and task state `Suspended`, until `emulator.resumeJob(name)`.
 * - `shutdown-task-fails`: the failover job's shutdown task fails, the job still succeeds
 *   (stateDescription 'CompletedWithInformation', a Warning-level error on the job and the task).
 * - `agent-not-registered`: the next `times` classic reprotects fail because the Mobility agent has
 *   not registered yet; `as: 'refuse'` answers the POST 400, `as: 'job'` accepts it and fails the job.
 */
export type Fault =
  | {
      readonly kind: 'status';
      readonly match: FaultMatch;
      readonly status: number;
      readonly retryAfterSeconds?: number;
      readonly code?: string;
      readonly message?: string;
      readonly times?: number;
    }
  | { readonly kind: 'drop-after-accept'; readonly match?: FaultMatch; readonly times?: number }
  | { readonly kind: 'latency'; readonly match?: FaultMatch; readonly ms: number; readonly times?: number }
  | {
      readonly kind: 'slow-answer-after-accept';
      readonly match?: FaultMatch;
      readonly ms: number;
      readonly times?: number;
    }
  | {
      readonly kind: 'job-fails';
      readonly operation: OperationKind;
      readonly item?: string;
      readonly task?: string;
      readonly code?: string;
      readonly message?: string;
      readonly times?: number;
    }
  | {
      readonly kind: 'job-suspends';
      readonly operation: OperationKind;
      readonly item?: string;
      readonly task?: string;
      readonly times?: number;
    }
  | { readonly kind: 'shutdown-task-fails'; readonly item?: string; readonly times?: number }
  | {
      readonly kind: 'agent-not-registered';
      readonly as: 'refuse' | 'job';
      readonly item?: string;
      readonly times?: number;
    };

/** What an item's `currentScenario.scenarioName` shows while a job runs on it (not recorded). */
export type ItemScenarioNames = 'job' | 'opaque';

/** Settings that can be changed while the emulator runs (`emulator.settings`). */
export interface EmulatorSettings {
  pageSize: number;
  latencyMs: number;
  throttle: { readEvery: number; retryAfterSeconds?: number } | undefined;
  retryAfterSeconds: number;
  /** A new job reads blank (NotStarted, nulls, no tasks) this long, ms; 0 = never. Read when a job starts. */
  blankJobMs: number;
  /** 'job' (default): a running item shows its job's scenarioName; 'opaque': `InProgressOperation`. */
  itemScenarioNames: ItemScenarioNames;
}

/** Options of {@link startAsrEmulator}. Every field is optional. */
export interface EmulatorOptions {
  /** HTTPS port; 0 (default) = a free port. */
  readonly port?: number;
  /** Address the HTTPS server and the identity endpoint listen on (default 127.0.0.1; 0.0.0.0 in a container). */
  readonly host?: string;
  /** Host name clients reach the emulator by, in `url`, LRO headers, nextLinks and `identity.endpoint` (default 127.0.0.1). A generated certificate includes it. */
  readonly publicHost?: string;
  /** Identity endpoint port; 0 (default) = a free port. */
  readonly identityPort?: number;
  /** Value for IDENTITY_HEADER (default: random per start). */
  readonly identityHeader?: string;
  /** Use this certificate instead of generating one. */
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
  /** The vault; default: {@link defaultVault}. Shorthand for `vaults: [vault]`; give one of the two. */
  readonly vault?: VaultSeed;
  /**
   * Several vaults (in one or more subscriptions and resource groups), each with its own items,
   * plans, jobs and job names; the first is the default one (`emulator.vault`). Default:
   * `[vault ?? defaultVault()]`.
   */
  readonly vaults?: readonly VaultSeed[];
  /** Add n generated classic VMs ready to fail back (`vm-001`…) to the (first) vault. */
  readonly extraVms?: number;
  /** Items per list page (default 50). */
  readonly pageSize?: number;
  /** Latency added to every GET, ms (default 0). */
  readonly latencyMs?: number;
  /** Every nth GET answers 429 with Retry-After (default: never). */
  readonly throttle?: { readonly readEvery: number; readonly retryAfterSeconds?: number };
  /** Retry-After on 202s and LRO polls, seconds (default 1). */
  readonly retryAfterSeconds?: number;
  /** Duration of each job task, ms (default 200). */
  readonly taskMs?: number;
  /** A new job reads blank for this long before it starts, ms (default 300; 0 = never). Recorded: a job read right after its POST is blank. */
  readonly blankJobMs?: number;
  /** What a running item's currentScenario.scenarioName shows (default 'job'). */
  readonly itemScenarioNames?: ItemScenarioNames;
  /** Modernized: isAgentRegistrationSuccessfulAfterFailover turns true this long after the planned failover's job ended (default 2000). */
  readonly agentRegistrationDelayMs?: number;
  /** Faults active from the start. */
  readonly faults?: readonly Fault[];
  /** Clock (default Date.now). Drives every timestamp and the agent registration; task timers are real. */
  readonly now?: () => number;
}

/** One request as the emulator saw it. */
export interface RequestRecord {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** Status answered; for a dropped request, the status it would have had. */
  status: number;
  /** True when the socket was destroyed instead of answering (drop-after-accept). */
  dropped: boolean;
  readonly time: Date;
}
