import type { OpKind, ShutdownOutcome } from '../domain/run';
import type { PlanOpKind } from '../domain/run-machine';
import type { ReprotectForm } from '../domain/reprotect-form';
import type { RecoveryPointChoice, RecoveryPointInfo, RecoveryPointSummary, ReplicatedPlan, ReplicatedVm } from '../domain/vm';

export interface CallOptions {
  readonly abortSignal?: AbortSignal | undefined;
}

/** What ASR says about one operation on one VM right now: the source of truth for exactly-once. */
export type OperationState =
  | { readonly state: 'ready' }
  | { readonly state: 'running'; readonly jobName: string }
  | { readonly state: 'done' }
  /** Not yet, but it will be (the VM's agent is still registering): try again later. */
  | { readonly state: 'waiting'; readonly reason: string }
  | { readonly state: 'blocked'; readonly reason: string };

/**
 * What ASR says about one operation on a recovery plan: as for a VM, or — when no plan job runs
 * and some members already show the operation done — which members are done (`ended`).
 */
export type PlanOperationState =
  | { readonly state: 'ready' }
  | { readonly state: 'running'; readonly jobName: string }
  | { readonly state: 'blocked'; readonly reason: string }
  | { readonly state: 'ended'; readonly done: readonly string[] };

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

export interface AsrJobView {
  readonly name: string;
  readonly state: 'running' | 'succeeded' | 'failed';
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
  readonly state: AsrJobView['state'];
  /** Which of our operations the job is, when it is one of them. */
  readonly op?: OpKind | undefined;
  /** The name of the replicated item or recovery plan it acted on (lower-cased). */
  readonly target: string;
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
  summarizePoints(vmId: string, options?: CallOptions): Promise<RecoveryPointSummary>;
  /** The VM's newest recovery points (at most `max`), newest first. */
  listPoints(vmId: string, max: number, options?: CallOptions): Promise<RecoveryPointInfo[]>;
  /** Reads the item and says whether `op` can be issued, already runs, or is done. */
  operationState(vmId: string, op: OpKind, options?: CallOptions): Promise<OperationState>;
  /** Issues `op` once (never retried by the SDK) and returns the ASR job that runs it. */
  startOperation(
    vmId: string,
    op: OpKind,
    input: OperationInput,
    options?: CallOptions,
  ): Promise<{ readonly jobName: string; readonly retryAfterMs?: number | undefined }>;
  /** An ASR job; for a plan job, `members` are the VMs whose tasks are reported one by one. */
  getJob(jobName: string, options?: CallOptions, members?: readonly JobMember[]): Promise<AsrJobView>;
  /**
   * The state of every job of the vault started since `since`, from one list (all pages): the
   * vault-wide watcher's one read per poll. Lower-cased job name → state. The list carries no
   * tasks or errors: read a job with `getJob` for those.
   */
  jobStates(since: Date, options?: CallOptions): Promise<Map<string, AsrJobView['state']>>;
  /** Every job of the vault started since `since` (one list, all pages), with what it acted on. */
  recentJobs(since: Date, options?: CallOptions): Promise<AsrJobSummary[]>;
  /** Every recovery plan of the vault (all pages), with its members and failback readiness. */
  listPlans(options?: CallOptions): Promise<ReplicatedPlan[]>;
  /** Reads the plan (and its members) and says whether `op` can be issued on the plan. */
  planOperationState(planId: string, op: PlanOpKind, options?: CallOptions): Promise<PlanOperationState>;
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
