import { commitScope, opOf, phaseOf, type OpKind, type OpState, type Run, type RunVm, type ShutdownOutcome } from './run';

/** Everything that can happen to a run. Times are ISO strings passed in: the domain has no clock. */
export type RunEvent =
  | { readonly type: 'op-issuing'; readonly vmId: string; readonly op: OpKind; readonly at: string }
  | { readonly type: 'op-started'; readonly vmId: string; readonly op: OpKind; readonly jobName: string; readonly at: string }
  | {
      readonly type: 'op-progress';
      readonly vmId: string;
      readonly op: OpKind;
      readonly progress: { readonly task: string; readonly done: number; readonly total: number };
    }
  | {
      readonly type: 'op-succeeded';
      readonly vmId: string;
      readonly op: OpKind;
      readonly at: string;
      readonly shutdown?: ShutdownOutcome | undefined;
    }
  | {
      readonly type: 'op-failed';
      readonly vmId: string;
      readonly op: OpKind;
      readonly at: string;
      readonly error: string;
      readonly shutdown?: ShutdownOutcome | undefined;
    }
  | { readonly type: 'commit-approved'; readonly by: string; readonly at: string }
  | { readonly type: 'card-posted'; readonly ts: string }
  | { readonly type: 'prompt-posted'; readonly ts: string };

/** Side effects the shell performs after the new state is saved. */
export type RunEffect =
  | { readonly kind: 'render-card' }
  | { readonly kind: 'post-verification' }
  | { readonly kind: 'run-step'; readonly step: OpKind }
  | { readonly kind: 'run-closed' };

/** One line of the append-only audit trail. */
export interface AuditEntry {
  readonly at: string;
  readonly what: string;
  readonly actor?: string | undefined;
  readonly vm?: string | undefined;
  readonly jobName?: string | undefined;
  readonly detail?: string | undefined;
}

export type Decision =
  | { readonly accepted: true; readonly run: Run; readonly effects: readonly RunEffect[]; readonly audit: readonly AuditEntry[] }
  | { readonly accepted: false; readonly reason: string };

const reject = (reason: string): Decision => ({ accepted: false, reason });

/**
 * The run state machine: given a run and an event, the next run and what to do about it.
 * Events that no longer apply (a duplicate, a late report) are rejected with a reason and change nothing.
 */
export function decide(run: Run, event: RunEvent): Decision {
  switch (event.type) {
    case 'commit-approved':
      return approveCommit(run, event.by, event.at);
    case 'card-posted':
      return run.card ? reject('card already posted') : accept(run, { ...run, card: { ts: event.ts } }, [], []);
    case 'prompt-posted':
      return run.prompt ? reject('prompt already posted') : accept(run, { ...run, prompt: { ts: event.ts } }, [], []);
    default:
      return applyOpEvent(run, event);
  }
}

function approveCommit(run: Run, by: string, at: string): Decision {
  if (run.commit) return reject(`already approved by <@${run.commit.approvedBy}>`);
  if (phaseOf(run) !== 'awaiting-commit') return reject('the run is not waiting for a commit');
  const scope = new Set(commitScope(run).map((v) => v.id));
  const vms = run.vms.map((v) => (scope.has(v.id) ? { ...v, commit: { status: 'pending' as const } } : v));
  const next = { ...run, vms, commit: { approvedBy: by, approvedAt: at } };
  return accept(run, next, [{ kind: 'run-step', step: 'commit' }], [
    { at, what: 'commit approved', actor: by, detail: `${scope.size} VM(s)` },
  ]);
}

type OpEvent = Exclude<RunEvent, { type: 'commit-approved' | 'card-posted' | 'prompt-posted' }>;

function applyOpEvent(run: Run, event: OpEvent): Decision {
  const vm = run.vms.find((v) => v.id === event.vmId);
  if (!vm) return reject(`VM ${event.vmId} is not in run ${run.id}`);
  const current = opOf(vm, event.op);
  if (!current) return reject(`${event.op} was not requested for ${vm.name}`);
  const ended = current.status === 'succeeded' || current.status === 'failed';
  if (ended) return reject(`${event.op} of ${vm.name} has already ended`);

  let op: OpState;
  let shutdown = vm.shutdown;
  let audit: AuditEntry | undefined;
  switch (event.type) {
    case 'op-issuing':
      if (current.status !== 'pending') return reject(`${event.op} of ${vm.name} is already ${current.status}`);
      op = { status: 'issuing', issuedAt: event.at };
      break;
    case 'op-started':
      if (current.status === 'running') return reject(`${event.op} of ${vm.name} is already running`);
      op = { ...current, status: 'running', jobName: event.jobName, issuedAt: current.issuedAt ?? event.at };
      audit = { at: event.at, what: `${event.op} started`, vm: vm.name, jobName: event.jobName };
      break;
    case 'op-progress':
      if (sameProgress(current.progress, event.progress)) return reject('no change');
      op = { ...current, progress: event.progress };
      break;
    case 'op-succeeded':
      op = { ...current, status: 'succeeded', endedAt: event.at, progress: undefined };
      shutdown = event.shutdown ?? shutdown;
      audit = { at: event.at, what: `${event.op} succeeded`, vm: vm.name, jobName: current.jobName };
      break;
    case 'op-failed':
      op = { ...current, status: 'failed', endedAt: event.at, error: event.error, progress: undefined };
      shutdown = event.shutdown ?? shutdown;
      audit = { at: event.at, what: `${event.op} failed`, vm: vm.name, jobName: current.jobName, detail: event.error };
      break;
  }
  const nextVm: RunVm = event.op === 'failover' ? { ...vm, failover: op, shutdown } : { ...vm, commit: op, shutdown };
  const next: Run = { ...run, vms: run.vms.map((v) => (v.id === vm.id ? nextVm : v)) };
  return accept(run, next, [], audit ? [audit] : []);
}

function sameProgress(a: OpState['progress'], b: NonNullable<OpState['progress']>): boolean {
  return a !== undefined && a.task === b.task && a.done === b.done && a.total === b.total;
}

/** Adds the effects that follow from a phase change, and closes a run that can go no further. */
function accept(before: Run, after: Run, effects: RunEffect[], audit: AuditEntry[]): Decision {
  const from = phaseOf(before);
  const to = phaseOf(after);
  const all: RunEffect[] = [{ kind: 'render-card' }, ...effects];
  let run = after;
  if (from === 'failing-over' && to !== 'failing-over') all.push({ kind: 'post-verification' });
  if (to === 'failed' && !run.closedAt) {
    const at = latestEnd(run) ?? run.createdAt;
    run = { ...run, closedAt: at };
    all.push({ kind: 'run-closed' });
    audit.push({ at, what: 'run closed', detail: 'no VM could go further' });
  }
  return { accepted: true, run, effects: all, audit };
}

function latestEnd(run: Run): string | undefined {
  const ends = run.vms.flatMap((v) => [v.failover.endedAt, v.commit?.endedAt]).filter((t): t is string => !!t);
  return ends.sort().at(-1);
}
