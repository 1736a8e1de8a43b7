import { summarizeChecks, type CheckState } from './app-checks';
import type { RecoveryPointChoice } from './vm';
import type { VaultTag } from './vault';

/** The ASR operations a run issues on each VM, in order. */
export type OpKind = 'failover' | 'commit' | 'reprotect';
/** `waiting`: between attempts (the reprotect waits for the VM's agent to register again). */
export type OpStatus = 'pending' | 'issuing' | 'running' | 'waiting' | 'succeeded' | 'failed';

export interface OpState {
  readonly status: OpStatus;
  /** ASR job name (the last segment of …/replicationJobs/{name}). */
  readonly jobName?: string | undefined;
  readonly issuedAt?: string | undefined;
  readonly endedAt?: string | undefined;
  /** ASR's own error message when the operation failed or was refused. */
  readonly error?: string | undefined;
  readonly progress?: { readonly task: string; readonly done: number; readonly total: number } | undefined;
  /** Attempt number (reprotect retries), the time of the next one and what it waits for. */
  readonly attempt?: number | undefined;
  readonly nextAttemptAt?: string | undefined;
  readonly waitingFor?: string | undefined;
  /** When the current wait began (the first attempt that had to wait for the same thing). */
  readonly waitingSince?: string | undefined;
  /** Issued as part of one recovery-plan operation (one POST on the plan for every such VM). */
  readonly viaPlan?: boolean | undefined;
  /** Done by someone outside the bot (the portal, a script), as ASR showed it. */
  readonly outside?: boolean | undefined;
  /**
   * When an operation POST may have been sent whose answer the bot never got (set at the "issuing"
   * checkpoint, cleared by ASR's answer): before issuing again, ASR's jobs since then are read.
   */
  readonly unconfirmedPostAt?: string | undefined;
  /** How often ASR has been read again while the operation could not start (a wait, with back-off). */
  readonly checks?: number | undefined;
}

export type ShutdownOutcome = 'succeeded' | 'failed' | 'unknown';

export interface RunVm {
  readonly id: string;
  readonly name: string;
  readonly osType?: string | undefined;
  readonly failover: OpState;
  readonly commit?: OpState | undefined;
  readonly reprotect?: OpState | undefined;
  /** How ASR's shutdown of the Azure VM went during the failover. */
  readonly shutdown?: ShutdownOutcome | undefined;
  /** A VM whose failover failed and that the run goes on without (released for other runs). */
  readonly leftOut?: { readonly by: string; readonly at: string; readonly reason: string } | undefined;
  /** The recovery points the responder saw when submitting (the RPO); absent on older runs. */
  readonly points?: RunVmPoints | undefined;
  /** The ids ASR names this VM by in its jobs (GUIDs from the item's provider details at request time). */
  readonly asrIds?: readonly string[] | undefined;
  /** Application checks run after its failover (from the checks file); absent when none apply. */
  readonly checks?: readonly CheckState[] | undefined;
}

/** A VM's recovery points at request time (ISO times), and the point the run's choice meant then. */
export interface RunVmPoints {
  readonly latestCrashConsistent?: string | undefined;
  readonly latestAppConsistent?: string | undefined;
  readonly chosen?: { readonly kind: RecoveryPointChoice['kind']; readonly time: string } | undefined;
}

/** What to record of a VM's recovery-point summary for the chosen kind of point. */
export function pointsAtRequest(
  summary:
    | { readonly latestCrashConsistent?: string | undefined; readonly latestAppConsistent?: string | undefined }
    | undefined,
  choice: RecoveryPointChoice,
): RunVmPoints | undefined {
  if (!summary && choice.kind !== 'specific') return undefined;
  const time =
    choice.kind === 'specific'
      ? choice.time
      : choice.kind === 'latest-app-consistent'
        ? summary?.latestAppConsistent
        : summary?.latestCrashConsistent;
  return {
    latestCrashConsistent: summary?.latestCrashConsistent,
    latestAppConsistent: summary?.latestAppConsistent,
    chosen: time ? { kind: choice.kind, time } : undefined,
  };
}

/** The recovery plan a run fails back: its failover and commit are one ASR operation on the plan. */
export interface RunPlan {
  readonly id: string;
  readonly name: string;
}

export interface Run {
  readonly id: string;
  /** Incremented on every saved change (optimistic concurrency, card coalescing). */
  readonly version: number;
  readonly createdAt: string;
  readonly requesterId: string;
  readonly channelId: string;
  readonly incident: string;
  readonly reason: string;
  readonly recoveryPoint: RecoveryPointChoice;
  /** Set when the responder chose a recovery plan instead of VMs; `vms` are then its members. */
  readonly plan?: RunPlan | undefined;
  /** The vault of its VMs (a run's VMs are all in one vault); absent on runs from before several vaults. */
  readonly vault?: VaultTag | undefined;
  readonly vms: readonly RunVm[];
  readonly commit?:
    | {
        readonly approvedBy: string;
        readonly approvedAt: string;
        /** Why the approver committed although application checks had not all passed. */
        readonly checksReason?: string | undefined;
      }
    | undefined;
  readonly reprotect?: ReprotectRequest | undefined;
  /** Slack messages the run owns (stored once posted so edits are idempotent). */
  readonly card?: { readonly ts: string } | undefined;
  readonly prompt?: { readonly ts: string } | undefined;
  readonly closedAt?: string | undefined;
  /** Cancelled before any failover was issued: nothing happened in ASR. */
  readonly cancelled?: { readonly by: string; readonly at: string } | undefined;
  /** How many Commit reminders the run's thread has had (they back off from this count). */
  readonly commitReminders?: number | undefined;
  /** Slack refuses the run's messages in its channel: the run waits for a person (nothing new starts in ASR). */
  readonly channelLost?: { readonly at: string; readonly error: string } | undefined;
}

/** The actor of a reprotect that FAILBACK_AUTO_REPROTECT started by itself. */
export const AUTOPILOT = 'autopilot';

/** The actor of a change ASR showed that nobody made through the bot (the portal, a script). */
export const OUTSIDE = 'outside';

/** The reprotect back to Azure: who started it, the inputs chosen per VM, the retry window. */
export interface ReprotectRequest {
  readonly requestedBy: string;
  readonly requestedAt: string;
  /** Increments with each (re)start, so its step jobs get fresh ids. */
  readonly round: number;
  /** Retries for the agent's registration stop after this time. */
  readonly windowEndsAt: string;
  /** Per VM id: field → value, as chosen in the reprotect modal (provider inputs, opaque here). */
  readonly choices: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export type RunPhase =
  | 'cancelled'
  | 'failing-over'
  | 'awaiting-commit'
  | 'committing'
  | 'awaiting-reprotect'
  | 'reprotecting'
  | 'reprotect-failed'
  | 'done'
  | 'failed';

const ended = (s: OpState | undefined) => s !== undefined && (s.status === 'succeeded' || s.status === 'failed');

/** The phase is derived from the per-VM operations, never stored, so it cannot disagree with them. */
export function phaseOf(run: Run): RunPhase {
  if (run.cancelled) return 'cancelled';
  if (run.vms.some((v) => !ended(v.failover))) return 'failing-over';
  const failedOver = run.vms.filter((v) => v.failover.status === 'succeeded');
  if (failedOver.length === 0) return 'failed';
  if (!run.commit) return 'awaiting-commit';
  if (failedOver.some((v) => !ended(v.commit))) return 'committing';
  const committed = reprotectScope(run);
  if (committed.length === 0) return 'failed';
  if (!run.reprotect) return 'awaiting-reprotect';
  if (committed.some((v) => !ended(v.reprotect))) return 'reprotecting';
  return committed.every((v) => v.reprotect?.status === 'succeeded') ? 'done' : 'reprotect-failed';
}

/** When a run began waiting for its commit: the end of its last failover (else its request). */
export function commitWaitingSince(run: Run): string {
  return (
    run.vms
      .map((v) => v.failover.endedAt)
      .filter((t): t is string => !!t)
      .sort()
      .at(-1) ?? run.createdAt
  );
}

/** VMs the reprotect applies to: those whose commit succeeded. */
export function reprotectScope(run: Run): readonly RunVm[] {
  return run.vms.filter((v) => v.commit?.status === 'succeeded');
}

/** VMs whose failover failed and that were neither left out nor are being retried: Retry or Leave out. */
export function failedFailovers(run: Run): readonly RunVm[] {
  return run.vms.filter((v) => v.failover.status === 'failed' && !v.leftOut);
}

/** VMs the commit applies to: those whose failover succeeded. */
export function commitScope(run: Run): readonly RunVm[] {
  return run.vms.filter((v) => v.failover.status === 'succeeded');
}

export function opOf(vm: RunVm, op: OpKind): OpState | undefined {
  return op === 'failover' ? vm.failover : op === 'commit' ? vm.commit : vm.reprotect;
}

export function withOp(vm: RunVm, op: OpKind, state: OpState): RunVm {
  return op === 'failover'
    ? { ...vm, failover: state }
    : op === 'commit'
      ? { ...vm, commit: state }
      : { ...vm, reprotect: state };
}

/** Operations waiting to read ASR again because it could not take them (see domain/rechecks), by step. */
export function rechecking(run: Run): { readonly vm: RunVm; readonly op: OpKind; readonly state: OpState }[] {
  if (run.closedAt || run.cancelled) return [];
  return run.vms.flatMap((vm) =>
    (['failover', 'commit', 'reprotect'] as const).flatMap((op) => {
      const state = opOf(vm, op);
      return state?.status === 'waiting' && state.checks ? [{ vm, op, state }] : [];
    }),
  );
}

/** Whether the run waits for an approver's commit. */
export function awaitsCommit(run: Run): boolean {
  return !run.commit && phaseOf(run) === 'awaiting-commit';
}

/** Whether a reprotect can be asked for: the commit is done, and no reprotect runs (or the last one failed). */
export function awaitsReprotect(run: Run): boolean {
  const phase = phaseOf(run);
  return phase === 'awaiting-reprotect' || phase === 'reprotect-failed';
}

/** Whether some VMs' failover failed and a person may still retry them or leave them out. */
export function hasFailedVmsToDecide(run: Run): boolean {
  return !run.commit && !run.closedAt && failedFailovers(run).length > 0;
}

/** Whether the run can still be cancelled: no failover has been issued to ASR (or is being issued). */
export function cancellable(run: Run): boolean {
  const unissued = (op: OpState) =>
    (op.status === 'pending' || op.status === 'waiting') && !op.issuedAt && !op.unconfirmedPostAt && !op.attempt;
  return !run.cancelled && !run.closedAt && run.vms.every((v) => unissued(v.failover));
}

/** How an ASR operation on one VM came to an end in one change of a run. */
export interface OpOutcome {
  readonly op: OpKind;
  /** `retry`: it failed in a way that passes (the agent), and is tried again later. */
  readonly outcome: 'succeeded' | 'failed' | 'retry';
  /** From its issue to its end, when both are known. */
  readonly seconds?: number | undefined;
}

/** The operations that ended (or went back to waiting) between two versions of a run. */
export function opOutcomes(before: Run, after: Run): OpOutcome[] {
  const out: OpOutcome[] = [];
  for (const vm of after.vms) {
    const old = before.vms.find((v) => v.id === vm.id);
    for (const op of ['failover', 'commit', 'reprotect'] as const) {
      const now = opOf(vm, op);
      const was = old && opOf(old, op);
      if (!now || now.outside || now.status === was?.status) continue;
      if (now.status === 'waiting' && was?.status !== 'pending') out.push({ op, outcome: 'retry' });
      if (now.status !== 'succeeded' && now.status !== 'failed') continue;
      const from = Date.parse(now.issuedAt ?? '');
      const to = Date.parse(now.endedAt ?? '');
      out.push({
        op,
        outcome: now.status,
        seconds: Number.isNaN(from) || Number.isNaN(to) ? undefined : Math.max(0, (to - from) / 1000),
      });
    }
  }
  return out;
}

/**
 * VMs of the commit whose application checks have not all passed (one failed, or some still try):
 * committing them is still a person's call, but it needs a reason.
 */
export function uncheckedForCommit(run: Run): RunVm[] {
  return commitScope(run).filter((v) => {
    const overall = summarizeChecks(v.checks ?? []).overall;
    return overall === 'failed' || overall === 'trying';
  });
}
