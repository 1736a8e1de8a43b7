import type { RecoveryPointChoice } from './vm';

/** The ASR operations a run issues on each VM, in order. */
export type OpKind = 'failover' | 'commit';
export type OpStatus = 'pending' | 'issuing' | 'running' | 'succeeded' | 'failed';

export interface OpState {
  readonly status: OpStatus;
  /** ASR job name (the last segment of …/replicationJobs/{name}). */
  readonly jobName?: string | undefined;
  readonly issuedAt?: string | undefined;
  readonly endedAt?: string | undefined;
  /** ASR's own error message when the operation failed or was refused. */
  readonly error?: string | undefined;
  readonly progress?: { readonly task: string; readonly done: number; readonly total: number } | undefined;
}

export type ShutdownOutcome = 'succeeded' | 'failed' | 'unknown';

export interface RunVm {
  readonly id: string;
  readonly name: string;
  readonly osType?: string | undefined;
  readonly failover: OpState;
  readonly commit?: OpState | undefined;
  /** How ASR's shutdown of the Azure VM went during the failover. */
  readonly shutdown?: ShutdownOutcome | undefined;
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
  readonly vms: readonly RunVm[];
  readonly commit?: { readonly approvedBy: string; readonly approvedAt: string } | undefined;
  /** Slack messages the run owns (stored once posted so edits are idempotent). */
  readonly card?: { readonly ts: string } | undefined;
  readonly prompt?: { readonly ts: string } | undefined;
  readonly closedAt?: string | undefined;
}

export type RunPhase =
  | 'failing-over'
  | 'awaiting-commit'
  | 'committing'
  | 'awaiting-reprotect'
  | 'failed';

const ended = (s: OpState | undefined) => s !== undefined && (s.status === 'succeeded' || s.status === 'failed');

/** The phase is derived from the per-VM operations, never stored, so it cannot disagree with them. */
export function phaseOf(run: Run): RunPhase {
  if (run.vms.some((v) => !ended(v.failover))) return 'failing-over';
  const failedOver = run.vms.filter((v) => v.failover.status === 'succeeded');
  if (failedOver.length === 0) return 'failed';
  if (!run.commit) return 'awaiting-commit';
  if (failedOver.some((v) => !ended(v.commit))) return 'committing';
  if (failedOver.every((v) => v.commit?.status === 'failed')) return 'failed';
  return 'awaiting-reprotect';
}

/** VMs the commit applies to: those whose failover succeeded. */
export function commitScope(run: Run): readonly RunVm[] {
  return run.vms.filter((v) => v.failover.status === 'succeeded');
}

export function isActive(run: Run): boolean {
  return run.closedAt === undefined;
}

export function opOf(vm: RunVm, op: OpKind): OpState | undefined {
  return op === 'failover' ? vm.failover : vm.commit;
}
