import type { OpKind, ShutdownOutcome } from '../domain/run';
import type { PlanOpKind } from '../domain/run-machine';
import type { ReprotectForm } from '../domain/reprotect-form';
import type {
  RecoveryPointChoice,
  RecoveryPointInfo,
  RecoveryPointSummary,
  ReplicatedPlan,
  ReplicatedVm,
  ReplicationServer,
} from '../domain/vm';

export interface CallOptions {
  readonly abortSignal?: AbortSignal | undefined;
}

/** What ASR says about one operation on one VM right now: the source of truth for exactly-once. */
export type OperationState =
  | { readonly state: 'ready' }
  | { readonly state: 'running'; readonly jobName: string }
  | { readonly state: 'done'; readonly jobName?: string | undefined }
  /** A job of this operation, started since the bot's last (possibly unanswered) POST, failed. */
  | { readonly state: 'failed'; readonly jobName: string; readonly error: string }
  /** Not yet, but it will be (the VM's agent is still registering): try again later. */
  | { readonly state: 'waiting'; readonly reason: string }
  /**
   * Something runs on the item that is not (or not yet known to be) this operation, or ASR has not
   * filled in a job yet: look again later. Never a reason to POST, never a reason to fail.
   */
  | { readonly state: 'busy'; readonly reason: string; readonly jobName?: string | undefined }
  /** ASR does not allow the operation and nothing runs on the item. */
  | { readonly state: 'blocked'; readonly reason: string };

/**
 * What ASR says about one operation on a recovery plan: as for a VM, or — when no plan job runs
 * and some members already show the operation done — which members are done (`ended`).
 */
export type PlanOperationState =
  | { readonly state: 'ready' }
  | { readonly state: 'running'; readonly jobName: string }
  | { readonly state: 'busy'; readonly reason: string; readonly jobName?: string | undefined }
  | { readonly state: 'blocked'; readonly reason: string }
  | { readonly state: 'ended'; readonly done: readonly string[] };

/** Options of the reads that decide whether an operation may be issued. */
export interface StateOptions extends CallOptions {
  /**
   * When an earlier attempt may have POSTed (its "issuing" checkpoint is this old): the vault's job
   * list since then is read too, so an operation ASR accepted but does not show on the item (any
   * more) is followed or taken as ended — never issued again.
   */
  readonly issuedSince?: Date | undefined;
}

/** A VM a plan job acts on, to find its tasks among the job's groups. */
export interface JobMember {
  readonly id: string;
  readonly name: string;
}

export interface OperationInput {
  readonly recoveryPoint?: RecoveryPointChoice;
  /** Reprotect inputs chosen for this VM (field → value, from the ReprotectForm). */
  readonly reprotect?: Readonly<Record<string, string>>;
}

/** A job's state as the bot acts on it. */
export type JobState = 'running' | 'succeeded' | 'failed';

export interface AsrJobView {
  readonly name: string;
  /**
   * `pending`: ASR has not filled the job in yet (a read right after the POST: no scenario, no
   * target, NotStarted — recorded): not an answer. `suspended`: the job waits for a person to resume
   * it in the portal; it is neither failed nor done.
   */
  readonly state: JobState | 'pending' | 'suspended';
  readonly progress: { readonly task: string; readonly done: number; readonly total: number };
  /** ASR's own message for a failed job. */
  readonly error?: string | undefined;
  /** Outcome of the task in which ASR shuts the Azure VM down (failover jobs only). */
  readonly shutdown?: ShutdownOutcome | undefined;
  /** Plan jobs: per member VM id, its own tasks (within the plan's groups), shutdown and errors. */
  readonly members?: Readonly<Record<string, MemberProgress>> | undefined;
}

export interface MemberProgress {
  readonly progress: { readonly task: string; readonly done: number; readonly total: number };
  readonly shutdown?: ShutdownOutcome | undefined;
  /** ASR's messages from this VM's failed tasks. */
  readonly error?: string | undefined;
}

/** A job as the vault's job list shows it: enough to tell what it did to which item, and when. */
export interface AsrJobSummary {
  readonly name: string;
  /** Running also while ASR has not filled the job in, or while it is suspended. */
  readonly state: JobState;
  /** Which of our operations the job is (by its recorded scenario name), when it is one of them. */
  readonly op?: OpKind | undefined;
  /** `targetObjectId`, lower-cased: a VM's GUID (classic vmId, modernized internalIdentifier). */
  readonly targetId?: string | undefined;
  /** `targetObjectName`: the friendly name (a hint only: names are not unique). */
  readonly targetName?: string | undefined;
  readonly targetIsPlan: boolean;
  /** False while ASR has not filled the job in (no scenario or target yet). */
  readonly known: boolean;
  readonly startTime?: string | undefined;
}

/**
 * The Azure Site Recovery port, shaped to what failback needs. Implementations resolve the
 * replication provider (ASR generation) of each item; callers never name one.
 *
 * Errors: AsrRefusedError (ASR said no), AsrTransientError (throttled/5xx/network on a read: retry),
 * AsrOutcomeUnknownError (an operation POST may or may not have been accepted: read before retrying).
 */
export interface AsrGateway {
  /** Every replicated VM of the vault (all pages), with its failback readiness. */
  listVms(options?: CallOptions): Promise<ReplicatedVm[]>;
  getVm(vmId: string, options?: CallOptions): Promise<ReplicatedVm>;
  /** The vault's process servers and replication appliances with their health (one fabric list read). */
  listReplicationServers(options?: CallOptions): Promise<ReplicationServer[]>;
  summarizePoints(vmId: string, options?: CallOptions): Promise<RecoveryPointSummary>;
  /** The VM's newest recovery points (at most `max`), newest first. */
  listPoints(vmId: string, max: number, options?: CallOptions): Promise<RecoveryPointInfo[]>;
  /** Reads the item (and the job it runs) and says whether `op` can be issued, already runs, or is done. */
  operationState(vmId: string, op: OpKind, options?: StateOptions): Promise<OperationState>;
  /** Issues `op` once (never retried by the SDK) and returns the ASR job that runs it. */
  startOperation(
    vmId: string,
    op: OpKind,
    input: OperationInput,
    options?: CallOptions,
  ): Promise<{ readonly jobName: string; readonly retryAfterMs?: number | undefined }>;
  /** An ASR job; for a plan job, `members` are the VMs whose tasks are reported one by one. */
  getJob(jobName: string, members?: readonly JobMember[], options?: CallOptions): Promise<AsrJobView>;
  /**
   * The state of every job of the vault started since `since`, from one list (all pages): the
   * vault-wide watcher's one read per poll. Lower-cased job name → state. The list carries no
   * tasks or errors: read a job with `getJob` for those.
   */
  jobStates(since: Date, options?: CallOptions): Promise<Map<string, JobState>>;
  /** Every job of the vault started since `since` (one list, all pages), with what it acted on. */
  recentJobs(since: Date, options?: CallOptions): Promise<AsrJobSummary[]>;
  /** Every recovery plan of the vault (all pages), with its members and failback readiness. */
  listPlans(options?: CallOptions): Promise<ReplicatedPlan[]>;
  /** Reads the plan (and its members) and says whether `op` can be issued on the plan. */
  planOperationState(planId: string, op: PlanOpKind, options?: StateOptions): Promise<PlanOperationState>;
  /** Issues `op` once on the recovery plan (one ASR job for every member). */
  startPlanOperation(
    planId: string,
    op: PlanOpKind,
    input: OperationInput,
    options?: CallOptions,
  ): Promise<{ readonly jobName: string; readonly retryAfterMs?: number | undefined }>;
  /** What the reprotect of these VMs needs chosen, from each VM's own fabric, with defaults. */
  reprotectForm(vmIds: readonly string[], options?: CallOptions): Promise<ReprotectForm>;
}
