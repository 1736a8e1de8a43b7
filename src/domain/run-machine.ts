import { checkEvidenceText, nextCheckState, type CheckAttempt, type CheckState } from './app-checks';
import { resumeEffects, waitJobKey } from './resume';

export { waitJobKey };
import {
  cancellable,
  commitScope,
  failedFailovers,
  OUTSIDE,
  opOf,
  phaseOf,
  rechecking,
  reprotectScope,
  uncheckedForCommit,
  withOp,
  type OpKind,
  type OpState,
  type Run,
  type RunVm,
  type ShutdownOutcome,
} from './run';

/** Everything that can happen to a run. Times are ISO strings passed in: the domain has no clock. */
export type RunEvent =
  | { readonly type: 'op-issuing'; readonly vmId: string; readonly op: OpKind; readonly at: string }
  | {
      readonly type: 'op-started';
      readonly vmId: string;
      readonly op: OpKind;
      readonly jobName: string;
      readonly at: string;
    }
  | {
      readonly type: 'op-progress';
      readonly vmId: string;
      readonly op: OpKind;
      /** When the bot saw it (optional for older queued events). */
      readonly at?: string | undefined;
      readonly progress: { readonly task: string; readonly done: number; readonly total: number };
    }
  | {
      readonly type: 'op-succeeded';
      readonly vmId: string;
      readonly op: OpKind;
      readonly at: string;
      readonly shutdown?: ShutdownOutcome | undefined;
      /** The ASR job that did it, when the bot learnt of it only now (found in ASR's job list). */
      readonly jobName?: string | undefined;
    }
  | {
      readonly type: 'op-failed';
      readonly vmId: string;
      readonly op: OpKind;
      readonly at: string;
      readonly error: string;
      readonly shutdown?: ShutdownOutcome | undefined;
      readonly jobName?: string | undefined;
      /**
       * Set when the failure is one that passes by itself (the agent not registered yet): the
       * reprotect is tried again after `intervalMs` while its retry window lasts.
       */
      readonly retry?: { readonly intervalMs: number; readonly waitingFor: string } | undefined;
    }
  /** ASR no longer knows the job we followed: the op is re-checked against the item (never blindly re-issued). */
  | { readonly type: 'op-lost'; readonly vmId: string; readonly op: OpKind; readonly at: string }
  /**
   * ASR cannot take the operation now (another operation runs on the VM, a job ASR has not filled in
   * yet, a state that should pass): the run waits and ASR is read again at `notBefore`. Nothing is
   * issued and nothing fails.
   */
  | {
      readonly type: 'op-deferred';
      readonly vmId: string;
      readonly op: OpKind;
      readonly at: string;
      readonly reason: string;
      readonly notBefore: string;
    }
  | {
      readonly type: 'commit-approved';
      readonly by: string;
      readonly at: string;
      /** Why commit although application checks have not all passed (required then). */
      readonly checksReason?: string | undefined;
    }
  /** The application checks that apply to a VM whose failover finished, not tried yet. */
  | {
      readonly type: 'checks-started';
      readonly vmId: string;
      readonly at: string;
      readonly checks: readonly CheckState[];
    }
  /** One round of a VM's checks: each attempted check's outcome, by check name. */
  | {
      readonly type: 'checks-attempted';
      readonly vmId: string;
      readonly at: string;
      readonly attempts: Readonly<Record<string, CheckAttempt>>;
      /** How long a check keeps trying after the failover finished (the checks file's window). */
      readonly windowMs: number;
    }
  | {
      readonly type: 'reprotect-requested';
      readonly by: string;
      readonly at: string;
      readonly windowMs: number;
      readonly choices: Readonly<Record<string, Readonly<Record<string, string>>>>;
    }
  /** One operation on the run's recovery plan, for every VM whose op goes through the plan. */
  | { readonly type: 'plan-op-issuing'; readonly op: PlanOpKind; readonly at: string }
  | { readonly type: 'plan-op-started'; readonly op: PlanOpKind; readonly jobName: string; readonly at: string }
  | { readonly type: 'plan-op-refused'; readonly op: PlanOpKind; readonly at: string; readonly error: string }
  | { readonly type: 'plan-op-lost'; readonly op: PlanOpKind; readonly at: string }
  | {
      readonly type: 'plan-op-deferred';
      readonly op: PlanOpKind;
      readonly at: string;
      readonly reason: string;
      readonly notBefore: string;
    }
  /** Partial failure: try the failover of the failed VMs again, in this run (VM by VM). */
  | { readonly type: 'failover-retry-requested'; readonly by: string; readonly at: string }
  /** Partial failure: go on without a failed VM, for a recorded reason; the VM is released. */
  | {
      readonly type: 'vm-left-out';
      readonly vmId: string;
      readonly by: string;
      readonly at: string;
      readonly reason: string;
    }
  /**
   * Reconciliation: ASR shows an operation done on a VM of the run that the bot did not issue (the
   * portal, a script): a commit the run waits for, the failover of a VM whose failover had failed, or
   * the reprotect of a committed VM. Recorded as done by someone outside the bot, never issued again.
   */
  | {
      readonly type: 'commit-seen-outside';
      readonly vmId: string;
      readonly at: string;
      readonly jobName?: string | undefined;
    }
  | {
      readonly type: 'failover-seen-outside';
      readonly vmId: string;
      readonly at: string;
      readonly jobName?: string | undefined;
    }
  | {
      readonly type: 'reprotect-seen-outside';
      readonly vmId: string;
      readonly at: string;
      readonly jobName?: string | undefined;
    }
  /** A person asks to read ASR again now for the operations that wait on it (instead of at the back-off's time). */
  | { readonly type: 'recheck-requested'; readonly by: string; readonly at: string }
  /** Before any failover is issued, the requester or an approver calls the run off. */
  | { readonly type: 'run-cancelled'; readonly by: string; readonly at: string }
  /** The n-th reminder that the run waits for Commit went to its thread. */
  | { readonly type: 'commit-reminder-sent'; readonly n: number; readonly at: string; readonly mentioned: string }
  | { readonly type: 'card-posted'; readonly ts: string }
  /** Slack refuses the run's messages in its channel (the bot removed, the channel archived or gone). */
  | { readonly type: 'channel-lost'; readonly at: string; readonly error: string }
  /** The bot can post in the run's channel again: the run carries on from where it waited. */
  | { readonly type: 'channel-restored'; readonly at: string }
  /** The verification prompt (per-VM outcome, checklist, Commit) is in the channel. */
  | { readonly type: 'prompt-posted'; readonly ts: string; readonly at?: string | undefined };

/** Operations a recovery plan carries out as one (its reprotect is done VM by VM). */
export type PlanOpKind = Extract<OpKind, 'failover' | 'commit'>;

/** Side effects the shell performs after the new state is saved. */
export type RunEffect =
  | { readonly kind: 'render-card' }
  | { readonly kind: 'post-verification' }
  | { readonly kind: 'run-step'; readonly step: OpKind; readonly notBefore?: string; readonly jobKey?: string }
  | { readonly kind: 'run-closed' }
  /** Run the application checks of a VM whose failover finished (the shell knows which apply). */
  | { readonly kind: 'run-checks'; readonly vmId: string; readonly notBefore?: string | undefined };

/**
 * What a new run needs done: its card. Its failover step is queued once the card is posted
 * (card-posted): a run whose card nobody can see never starts in ASR.
 */
export const NEW_RUN_EFFECTS: readonly RunEffect[] = [{ kind: 'render-card' }];

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
  | {
      readonly accepted: true;
      readonly run: Run;
      readonly effects: readonly RunEffect[];
      readonly audit: readonly AuditEntry[];
    }
  | { readonly accepted: false; readonly reason: string };

const reject = (reason: string): Decision => ({ accepted: false, reason });

/**
 * The run state machine: given a run and an event, the next run and what to do about it.
 * Events that no longer apply (a duplicate, a late report) are rejected with a reason and change nothing.
 */
export function decide(run: Run, event: RunEvent): Decision {
  if (run.cancelled && event.type !== 'card-posted' && event.type !== 'prompt-posted') {
    return reject('the run was cancelled before anything was issued');
  }
  switch (event.type) {
    case 'run-cancelled':
      return cancel(run, event.by, event.at);
    case 'commit-reminder-sent':
      return remindCommit(run, event);
    case 'failover-seen-outside':
      return failoverSeenOutside(run, event.vmId, event.at, event.jobName);
    case 'reprotect-seen-outside':
      return reprotectSeenOutside(run, event.vmId, event.at, event.jobName);
    case 'commit-approved':
      return approveCommit(run, event.by, event.at, event.checksReason);
    case 'checks-started':
      return startChecks(run, event);
    case 'checks-attempted':
      return attemptChecks(run, event);
    case 'reprotect-requested':
      return requestReprotect(run, event);
    case 'card-posted':
      // The failover starts only once its card can be seen (the run's first step waits for it).
      return run.card
        ? reject('card already posted')
        : accept(
            run,
            { ...run, card: { ts: event.ts } },
            run.vms.some((v) => v.failover.status === 'pending' || v.failover.status === 'issuing')
              ? [{ kind: 'run-step', step: 'failover' }]
              : [],
            [],
          );
    case 'recheck-requested':
      return recheckNow(run, event.by, event.at);
    case 'channel-lost':
      if (run.channelLost || run.closedAt)
        return reject(run.closedAt ? 'the run is closed' : 'the channel is already known to be unavailable');
      return {
        accepted: true,
        run: { ...run, channelLost: { at: event.at, error: event.error } },
        effects: [],
        audit: [
          {
            at: event.at,
            what: 'run channel unavailable',
            detail: `Slack: ${event.error} in ${run.channelId}; the run waits and nothing new starts in ASR until it can be seen`,
          },
        ],
      };
    case 'channel-restored': {
      if (!run.channelLost) return reject('the run’s channel was not lost');
      const next: Run = { ...run, channelLost: undefined };
      return {
        accepted: true,
        run: next,
        effects: resumeEffects(next, `restored-${Date.parse(event.at)}`),
        audit: [{ at: event.at, what: 'run channel available again', detail: 'the run carries on' }],
      };
    }
    case 'prompt-posted':
      return run.prompt
        ? reject('prompt already posted')
        : accept(
            run,
            { ...run, prompt: { ts: event.ts } },
            [],
            event.at
              ? [
                  {
                    at: event.at,
                    what: 'verification prompt posted',
                    detail: `${commitScope(run).length} VM(s) to verify before the commit`,
                  },
                ]
              : [],
          );
    case 'failover-retry-requested':
      return retryFailover(run, event.by, event.at);
    case 'vm-left-out':
      return leaveOut(run, event);
    case 'commit-seen-outside':
      return commitSeenOutside(run, event.vmId, event.at, event.jobName);
    case 'plan-op-issuing':
    case 'plan-op-started':
    case 'plan-op-refused':
    case 'plan-op-lost':
    case 'plan-op-deferred':
      return applyPlanEvent(run, event);
    default: {
      const step = stepVm(run, event);
      return step.accepted ? accept(run, step.run, [...step.effects], [...step.audit]) : step;
    }
  }
}

function retryFailover(run: Run, by: string, at: string): Decision {
  if (run.commit) return reject('the commit has already been approved');
  if (phaseOf(run) !== 'awaiting-commit')
    return reject(run.closedAt ? 'the run is closed' : 'the failover has not ended yet');
  const failed = new Set(failedFailovers(run).map((v) => v.id));
  if (failed.size === 0) return reject('no failed VM is left to retry');
  const round = 1 + Math.max(...run.vms.map((v) => v.failover.attempt ?? 1));
  const vms = run.vms.map((v) =>
    failed.has(v.id) ? { ...v, failover: { status: 'pending' as const, attempt: round } } : v,
  );
  const names = run.vms.filter((v) => failed.has(v.id)).map((v) => v.name);
  return accept(
    run,
    { ...run, vms },
    [{ kind: 'run-step', step: 'failover', jobKey: `retry${round}` }],
    [{ at, what: 'failover retry requested', actor: by, detail: names.join(', ') }],
  );
}

/**
 * A VM the run still waits to commit is already committed in ASR: recorded as such (never
 * committed again). When every VM of the commit is, the run moves on as if the commit was approved.
 */
function commitSeenOutside(run: Run, vmId: string, at: string, jobName?: string): Decision {
  if (run.commit || phaseOf(run) !== 'awaiting-commit') return reject('the run is not waiting for a commit');
  const vm = commitScope(run).find((v) => v.id === vmId);
  if (!vm) return reject(`VM ${vmId} did not fail over in run ${run.id}`);
  if (vm.commit) return reject(`${vm.name} is already recorded as committed`);
  const done: OpState = { status: 'succeeded', endedAt: at, jobName, outside: true };
  const vms = run.vms.map((v) => (v.id === vmId ? { ...v, commit: done } : v));
  const pending = commitScope({ ...run, vms }).filter((v) => !v.commit);
  const next: Run = {
    ...run,
    vms,
    ...(pending.length === 0 ? { commit: { approvedBy: OUTSIDE, approvedAt: at } } : {}),
  };
  return accept(
    run,
    next,
    [],
    [{ at, what: 'commit done outside the bot (seen in ASR)', vm: vm.name, actor: OUTSIDE, jobName }],
  );
}

/** A VM whose failover had failed was failed over again outside the bot: it is in the run again. */
function failoverSeenOutside(run: Run, vmId: string, at: string, jobName?: string): Decision {
  if (run.commit || phaseOf(run) !== 'awaiting-commit') return reject('the run is not waiting for a commit');
  const vm = failedFailovers(run).find((v) => v.id === vmId);
  if (!vm) return reject(`the failover of VM ${vmId} has not failed in run ${run.id}`);
  const failover: OpState = {
    ...vm.failover,
    status: 'succeeded',
    endedAt: at,
    error: undefined,
    jobName: jobName ?? vm.failover.jobName,
    outside: true,
  };
  const vms = run.vms.map((v) => (v.id === vmId ? { ...v, failover } : v));
  return accept(
    run,
    { ...run, vms },
    [],
    [{ at, what: 'failover done outside the bot (seen in ASR)', vm: vm.name, actor: OUTSIDE, jobName }],
  );
}

/**
 * A committed VM was reprotected outside the bot. A reprotect the bot runs itself for that VM is
 * not overridden (its own job tells); once every committed VM is protected the run is done.
 */
function reprotectSeenOutside(run: Run, vmId: string, at: string, jobName?: string): Decision {
  const phase = phaseOf(run);
  if (phase !== 'awaiting-reprotect' && phase !== 'reprotect-failed' && phase !== 'reprotecting')
    return reject('the run is not waiting for a reprotect');
  const vm = reprotectScope(run).find((v) => v.id === vmId);
  if (!vm) return reject(`VM ${vmId} was not committed in run ${run.id}`);
  const current = vm.reprotect?.status;
  if (current === 'succeeded' || current === 'running' || current === 'issuing')
    return reject(`the reprotect of ${vm.name} is ${current} in the bot`);
  const vms = run.vms.map((v) =>
    v.id === vmId ? { ...v, reprotect: { status: 'succeeded' as const, endedAt: at, jobName, outside: true } } : v,
  );
  const left = reprotectScope({ ...run, vms }).filter((v) => v.reprotect?.status !== 'succeeded');
  const reprotect =
    run.reprotect ??
    (left.length === 0
      ? { requestedBy: OUTSIDE, requestedAt: at, round: 0, windowEndsAt: at, choices: {} }
      : undefined);
  return accept(
    run,
    { ...run, vms, reprotect },
    [],
    [{ at, what: 'reprotect done outside the bot (seen in ASR)', vm: vm.name, actor: OUTSIDE, jobName }],
  );
}

/** The operations that wait on ASR are looked at now: their next read is due at once, a step job each. */
function recheckNow(run: Run, by: string, at: string): Decision {
  const waiting = rechecking(run);
  if (waiting.length === 0) return reject('nothing waits on ASR now');
  const due = new Set(waiting.map((w) => `${w.vm.id}|${w.op}`));
  const vms = run.vms.map((vm) =>
    (['failover', 'commit', 'reprotect'] as const).reduce((v, op) => {
      const state = opOf(v, op);
      return state && due.has(`${vm.id}|${op}`) ? withOp(v, op, { ...state, nextAttemptAt: at }) : v;
    }, vm),
  );
  const steps = [...new Set(waiting.map((w) => w.op))];
  return accept(
    run,
    { ...run, vms },
    steps.map((step) => ({ kind: 'run-step', step, jobKey: `now-${Date.parse(at)}` })),
    [
      {
        at,
        what: 'asked to look at ASR again',
        actor: by,
        detail: waiting.map((w) => `${w.vm.name} (${w.op})`).join(', '),
      },
    ],
  );
}

/** Calls the run off while nothing has been issued to ASR; its VMs are free again. */
function cancel(run: Run, by: string, at: string): Decision {
  if (run.closedAt) return reject('the run has already ended');
  if (!cancellable(run)) return reject('the failover has already been issued to ASR');
  const next: Run = { ...run, cancelled: { by, at }, closedAt: at };
  return {
    accepted: true,
    run: next,
    effects: [{ kind: 'render-card' }, { kind: 'run-closed' }],
    audit: [
      {
        at,
        what: 'run cancelled before the failover was issued',
        actor: by,
        detail: `${run.vms.length} VM(s) released; nothing was done in ASR`,
      },
    ],
  };
}

/** Reminders change nothing a person sees on the card: no card edit, only the trail and the count. */
function remindCommit(run: Run, e: Extract<RunEvent, { type: 'commit-reminder-sent' }>): Decision {
  if (run.commit || phaseOf(run) !== 'awaiting-commit') return reject('the run is not waiting for a commit');
  const sent = run.commitReminders ?? 0;
  if (e.n !== sent + 1) return reject(`reminder ${e.n} is not the next one (${sent} sent)`);
  return {
    accepted: true,
    run: { ...run, commitReminders: e.n },
    effects: [],
    audit: [{ at: e.at, what: 'commit reminder sent', detail: `reminder ${e.n}, to ${e.mentioned}` }],
  };
}

function leaveOut(run: Run, e: Extract<RunEvent, { type: 'vm-left-out' }>): Decision {
  const vm = run.vms.find((v) => v.id === e.vmId);
  if (!vm) return reject(`VM ${e.vmId} is not in run ${run.id}`);
  if (vm.leftOut) return reject(`${vm.name} was already left out`);
  if (vm.failover.status !== 'failed') return reject(`only a VM whose failover failed can be left out`);
  if (run.commit || run.closedAt) return reject('the commit has already been approved');
  const reason = e.reason.trim();
  if (reason === '') return reject('a reason is required');
  const vms = run.vms.map((v) => (v.id === vm.id ? { ...v, leftOut: { by: e.by, at: e.at, reason } } : v));
  return accept(
    run,
    { ...run, vms },
    [],
    [{ at: e.at, what: 'VM left out of the run', actor: e.by, vm: vm.name, detail: reason }],
  );
}

type PlanEvent = Extract<
  RunEvent,
  { type: 'plan-op-issuing' | 'plan-op-started' | 'plan-op-refused' | 'plan-op-lost' | 'plan-op-deferred' }
>;

/** VMs whose `op` goes through the run's recovery plan and has not ended. */
export function planScope(run: Run, op: OpKind): readonly RunVm[] {
  return run.vms.filter((v) => {
    const s = opOf(v, op);
    return s?.viaPlan === true && s.status !== 'succeeded' && s.status !== 'failed';
  });
}

/** A plan event is each of its VMs' event, applied together (all or nothing) with one audit line. */
function applyPlanEvent(run: Run, e: PlanEvent): Decision {
  if (!run.plan) return reject(`run ${run.id} does not fail back a recovery plan`);
  const scope = planScope(run, e.op);
  if (scope.length === 0) return reject(`the plan's ${e.op} has already ended`);
  let next = run;
  const effects = new Map<string, RunEffect>();
  for (const vm of scope) {
    const base = { vmId: vm.id, op: e.op, at: e.at };
    const perVm: OpEvent =
      e.type === 'plan-op-issuing'
        ? { type: 'op-issuing', ...base }
        : e.type === 'plan-op-started'
          ? { type: 'op-started', ...base, jobName: e.jobName }
          : e.type === 'plan-op-lost'
            ? { type: 'op-lost', ...base }
            : e.type === 'plan-op-deferred'
              ? { type: 'op-deferred', ...base, reason: e.reason, notBefore: e.notBefore }
              : { type: 'op-failed', ...base, error: e.error };
    const step = stepVm(next, perVm);
    if (!step.accepted) return step;
    next = step.run;
    for (const eff of step.effects) effects.set(JSON.stringify(eff), eff);
  }
  const plan = run.plan.name;
  const what =
    e.type === 'plan-op-issuing' || e.type === 'plan-op-deferred'
      ? undefined
      : e.type === 'plan-op-started'
        ? `${e.op} of the recovery plan started`
        : e.type === 'plan-op-lost'
          ? `${e.op} job of the recovery plan no longer known to ASR; re-checking the plan`
          : `${e.op} of the recovery plan refused`;
  const jobName = e.type === 'plan-op-started' ? e.jobName : undefined;
  const audit: AuditEntry[] = what
    ? [{ at: e.at, what, vm: plan, jobName, detail: e.type === 'plan-op-refused' ? e.error : `${scope.length} VM(s)` }]
    : [];
  if (e.type === 'plan-op-deferred' && scope.some((v) => opOf(v, e.op)?.waitingFor !== e.reason)) {
    audit.push({
      at: e.at,
      what: `${e.op} of the recovery plan waits`,
      vm: plan,
      detail: `${e.reason}; looking again at ${e.notBefore}`,
    });
  }
  return accept(run, next, [...effects.values()], audit);
}

function approveCommit(run: Run, by: string, at: string, checksReason?: string): Decision {
  if (run.commit)
    return reject(
      run.commit.approvedBy === OUTSIDE
        ? 'the commit was already done outside the bot (seen in ASR)'
        : 'the commit has already been approved',
    );
  if (phaseOf(run) !== 'awaiting-commit') return reject('the run is not waiting for a commit');
  const unchecked = uncheckedForCommit(run);
  const why = checksReason?.trim();
  if (unchecked.length > 0 && !why) return reject('application checks have not all passed: the commit needs a reason');
  // VMs already committed outside the bot (seen by reconciliation) are not committed again.
  const scope = new Set(
    commitScope(run)
      .filter((v) => !v.commit)
      .map((v) => v.id),
  );
  // A plan commits as one only when every member failed over; otherwise VM by VM.
  const viaPlan = run.plan !== undefined && scope.size === run.vms.length ? true : undefined;
  const notFailedOver = failedFailovers(run);
  const vms = run.vms.map((v) =>
    scope.has(v.id)
      ? { ...v, commit: { status: 'pending' as const, viaPlan } }
      : v.failover.status === 'failed' && !v.leftOut
        ? { ...v, leftOut: { by, at, reason: 'its failover had failed when the commit was approved' } }
        : v,
  );
  const overridden = unchecked.length > 0 ? why : undefined;
  const next = { ...run, vms, commit: { approvedBy: by, approvedAt: at, checksReason: overridden } };
  return accept(
    run,
    next,
    [{ kind: 'run-step', step: 'commit' }],
    [
      {
        at,
        what: 'commit approved',
        actor: by,
        detail: overridden
          ? `${scope.size} VM(s); application checks not all passed (${unchecked.map((v) => v.name).join(', ')}): ${overridden}`
          : `${scope.size} VM(s)`,
      },
      ...notFailedOver.map((v) => ({
        at,
        what: 'VM left out of the run',
        actor: by,
        vm: v.name,
        detail: 'its failover had failed when the commit was approved',
      })),
    ],
  );
}

/** Starts the reprotect of every committed VM, or restarts it for the VMs whose reprotect failed. */
function requestReprotect(run: Run, e: Extract<RunEvent, { type: 'reprotect-requested' }>): Decision {
  const phase = phaseOf(run);
  if (phase !== 'awaiting-reprotect' && phase !== 'reprotect-failed') {
    if (run.reprotect?.requestedBy === OUTSIDE) return reject('the VMs were reprotected outside the bot (seen in ASR)');
    return reject(
      phase === 'reprotecting' || phase === 'done'
        ? 'the reprotect has already been started'
        : 'the run is not ready for a reprotect',
    );
  }
  const round = (run.reprotect?.round ?? 0) + 1;
  const windowEndsAt = new Date(Date.parse(e.at) + e.windowMs).toISOString();
  const scope = new Set(
    reprotectScope(run)
      .filter((v) => v.reprotect?.status !== 'succeeded')
      .map((v) => v.id),
  );
  const vms = run.vms.map((v) =>
    scope.has(v.id) ? { ...v, reprotect: { status: 'pending' as const, attempt: 1 } } : v,
  );
  const next: Run = {
    ...run,
    vms,
    reprotect: {
      requestedBy: e.by,
      requestedAt: e.at,
      round,
      windowEndsAt,
      choices: { ...run.reprotect?.choices, ...e.choices },
    },
  };
  return accept(
    run,
    next,
    [{ kind: 'run-step', step: 'reprotect', jobKey: `r${round}` }],
    [
      {
        at: e.at,
        what: round === 1 ? 'reprotect requested' : 'reprotect retry requested',
        actor: e.by,
        detail: `${scope.size} VM(s)`,
      },
    ],
  );
}

type OpEvent = Extract<
  RunEvent,
  { type: 'op-issuing' | 'op-started' | 'op-progress' | 'op-succeeded' | 'op-failed' | 'op-lost' | 'op-deferred' }
>;

/** How one event changes one VM's operation: its new state, what to do about it, the trail's line. */
interface OpChange {
  readonly op: OpState;
  readonly shutdown?: ShutdownOutcome | undefined;
  readonly effects?: readonly RunEffect[];
  readonly audit?: AuditEntry | undefined;
}

type OpTransition<E extends OpEvent> = (run: Run, vm: RunVm, current: OpState, event: E) => OpChange | string;

/** One VM's operation event: the next run, before `accept` adds what follows from the phase. */
function stepVm(run: Run, event: OpEvent): Decision {
  const vm = run.vms.find((v) => v.id === event.vmId);
  if (!vm) return reject(`VM ${event.vmId} is not in run ${run.id}`);
  const current = opOf(vm, event.op);
  if (!current) return reject(`${event.op} was not requested for ${vm.name}`);
  if (current.status === 'succeeded' || current.status === 'failed')
    return reject(`${event.op} of ${vm.name} has already ended`);
  const change = (TRANSITIONS[event.type] as OpTransition<OpEvent>)(run, vm, current, event);
  if (typeof change === 'string') return reject(change);
  const nextVm = { ...withOp(vm, event.op, change.op), shutdown: change.shutdown ?? vm.shutdown };
  const next: Run = { ...run, vms: run.vms.map((v) => (v.id === vm.id ? nextVm : v)) };
  return { accepted: true, run: next, effects: [...(change.effects ?? [])], audit: change.audit ? [change.audit] : [] };
}

type On<T extends OpEvent['type']> = OpTransition<Extract<OpEvent, { type: T }>>;

const issuing: On<'op-issuing'> = (_run, vm, current, event) => {
  if (current.status !== 'pending' && current.status !== 'waiting')
    return `${event.op} of ${vm.name} is already ${current.status}`;
  const { attempt, error, viaPlan, waitingFor, waitingSince } = current;
  // The earliest POST whose answer is still unknown: the next attempt reads ASR's jobs since then.
  return {
    op: {
      status: 'issuing',
      issuedAt: event.at,
      attempt,
      error,
      viaPlan,
      waitingFor,
      waitingSince,
      unconfirmedPostAt: current.unconfirmedPostAt ?? event.at,
    },
  };
};

const deferred: On<'op-deferred'> = (run, vm, current, event) => {
  if (current.status !== 'pending' && current.status !== 'issuing' && current.status !== 'waiting')
    return `${event.op} of ${vm.name} is already ${current.status}`;
  const sameWait = current.status === 'waiting' && current.waitingFor === event.reason;
  const waitingSince = sameWait && current.waitingSince ? current.waitingSince : event.at;
  const op: OpState = {
    ...current,
    status: 'waiting',
    waitingFor: event.reason,
    waitingSince,
    nextAttemptAt: event.notBefore,
    checks: (current.checks ?? 0) + 1,
    progress: undefined,
  };
  return {
    op,
    effects: [{ kind: 'run-step', step: event.op, notBefore: event.notBefore, jobKey: waitJobKey(run, event.op, op) }],
    // One line in the trail per wait, not per look.
    audit: sameWait
      ? undefined
      : {
          at: event.at,
          what: `${event.op} waits`,
          vm: vm.name,
          detail: `${event.reason}; looking again at ${event.notBefore}`,
        },
  };
};

const started: On<'op-started'> = (_run, vm, current, event) => {
  if (current.status === 'running') return `${event.op} of ${vm.name} is already running`;
  const op: OpState = {
    ...current,
    status: 'running',
    jobName: event.jobName,
    issuedAt: current.issuedAt ?? event.at,
    unconfirmedPostAt: undefined,
    checks: undefined,
    nextAttemptAt: undefined,
  };
  return { op, audit: { at: event.at, what: `${event.op} started`, vm: vm.name, jobName: event.jobName } };
};

const lost: On<'op-lost'> = (_run, vm, current, event) => {
  if (current.status !== 'running') return `${event.op} of ${vm.name} is not running`;
  return {
    op: { ...current, status: 'issuing', jobName: undefined, progress: undefined },
    effects: [{ kind: 'run-step', step: event.op, jobKey: `recheck-${Date.parse(event.at)}` }],
    audit: {
      at: event.at,
      what: `${event.op} job no longer known to ASR; re-checking the item`,
      vm: vm.name,
      jobName: current.jobName,
    },
  };
};

const progressed: On<'op-progress'> = (_run, vm, current, event) => {
  if (sameProgress(current.progress, event.progress)) return 'no change';
  const p = event.progress;
  // A milestone for the trail each time ASR moves on to another task (not every poll).
  const milestone = current.progress?.task !== p.task;
  return {
    op: { ...current, progress: p },
    audit: milestone
      ? {
          at: event.at ?? current.issuedAt ?? '',
          what: `${event.op} progress`,
          vm: vm.name,
          jobName: current.jobName,
          detail: `${p.task} (${p.done}/${p.total})`,
        }
      : undefined,
  };
};

const succeeded: On<'op-succeeded'> = (_run, vm, current, event) => {
  const op: OpState = {
    ...current,
    status: 'succeeded',
    endedAt: event.at,
    progress: undefined,
    unconfirmedPostAt: undefined,
    nextAttemptAt: undefined,
    jobName: event.jobName ?? current.jobName,
  };
  return {
    op,
    shutdown: event.shutdown,
    audit: { at: event.at, what: `${event.op} succeeded`, vm: vm.name, jobName: op.jobName },
  };
};

const failed: On<'op-failed'> = (run, vm, current, event) => {
  const retryAt = retryTime(run, event);
  if (!retryAt) {
    const op: OpState = {
      ...current,
      status: 'failed',
      endedAt: event.at,
      error: event.error,
      progress: undefined,
      nextAttemptAt: undefined,
      unconfirmedPostAt: undefined,
      jobName: event.jobName ?? current.jobName,
    };
    return {
      op,
      shutdown: event.shutdown,
      audit: { at: event.at, what: `${event.op} failed`, vm: vm.name, jobName: op.jobName, detail: event.error },
    };
  }
  // A failure that passes (the agent not registered yet): tried again at retryAt.
  const attempt = (current.attempt ?? 1) + 1;
  const waitingFor = event.retry?.waitingFor;
  const waitingSince = current.waitingFor === waitingFor && current.waitingSince ? current.waitingSince : event.at;
  const op: OpState = {
    ...current,
    status: 'waiting',
    error: event.error,
    progress: undefined,
    attempt,
    nextAttemptAt: retryAt,
    waitingFor,
    waitingSince,
    jobName: undefined,
    unconfirmedPostAt: undefined,
    checks: undefined,
  };
  return {
    op,
    shutdown: event.shutdown,
    effects: [{ kind: 'run-step', step: event.op, notBefore: retryAt, jobKey: waitJobKey(run, event.op, op) }],
    audit: {
      at: event.at,
      what: `${event.op} will be retried`,
      vm: vm.name,
      jobName: current.jobName,
      detail: `attempt ${attempt} at ${retryAt}: ${event.error}`,
    },
  };
};

const TRANSITIONS: { readonly [T in OpEvent['type']]: On<T> } = {
  'op-issuing': issuing,
  'op-deferred': deferred,
  'op-started': started,
  'op-lost': lost,
  'op-progress': progressed,
  'op-succeeded': succeeded,
  'op-failed': failed,
};

/** When a retryable reprotect failure is tried again, or undefined once the retry window is over. */
function retryTime(run: Run, event: Extract<RunEvent, { type: 'op-failed' }>): string | undefined {
  if (event.op !== 'reprotect' || !event.retry || !run.reprotect) return undefined;
  const next = Date.parse(event.at) + event.retry.intervalMs;
  return next <= Date.parse(run.reprotect.windowEndsAt) ? new Date(next).toISOString() : undefined;
}

function sameProgress(a: OpState['progress'], b: NonNullable<OpState['progress']>): boolean {
  return a !== undefined && a.task === b.task && a.done === b.done && a.total === b.total;
}

/** Checks apply while the run waits for its commit; once committed (or closed) they no longer matter. */
function checksStillMatter(run: Run, vm: RunVm): string | undefined {
  if (run.closedAt) return 'the run is closed';
  if (run.commit) return 'the commit has been approved';
  if (vm.failover.status !== 'succeeded') return `${vm.name} has not failed over`;
  return undefined;
}

function startChecks(run: Run, e: Extract<RunEvent, { type: 'checks-started' }>): Decision {
  const vm = run.vms.find((v) => v.id === e.vmId);
  if (!vm) return reject(`VM ${e.vmId} is not in run ${run.id}`);
  if (vm.checks) return reject(`the checks of ${vm.name} have already started`);
  const why = checksStillMatter(run, vm);
  if (why) return reject(why);
  if (e.checks.length === 0) return reject('no check applies');
  const vms = run.vms.map((v) => (v.id === vm.id ? { ...v, checks: e.checks } : v));
  return accept(
    run,
    { ...run, vms },
    [],
    [{ at: e.at, what: 'application checks started', vm: vm.name, detail: e.checks.map((c) => c.name).join(', ') }],
  );
}

function attemptChecks(run: Run, e: Extract<RunEvent, { type: 'checks-attempted' }>): Decision {
  const vm = run.vms.find((v) => v.id === e.vmId);
  if (!vm?.checks) return reject(`no checks run for VM ${e.vmId}`);
  const why = checksStillMatter(run, vm);
  if (why) return reject(why);
  const audit: AuditEntry[] = [];
  const checks = vm.checks.map((c) => {
    const attempt = e.attempts[c.name];
    if (!attempt) return c;
    const next = nextCheckState(c, attempt, e.at, e.windowMs);
    if (next.status !== c.status && (next.status === 'passed' || next.status === 'failed'))
      audit.push({ at: e.at, what: `application check ${next.status}`, vm: vm.name, detail: checkEvidenceText(next) });
    return next;
  });
  if (checks.every((c, i) => c === vm.checks?.[i])) return reject('no check changed');
  const vms = run.vms.map((v) => (v.id === vm.id ? { ...v, checks } : v));
  return accept(run, { ...run, vms }, [], audit);
}

/** Adds the effects that follow from a phase change, and closes a run that can go no further. */
function accept(before: Run, after: Run, effects: RunEffect[], audit: AuditEntry[]): Decision {
  const from = phaseOf(before);
  const to = phaseOf(after);
  const all: RunEffect[] = [{ kind: 'render-card' }, ...effects];
  let run = after;
  if (from === 'failing-over' && to !== 'failing-over') all.push({ kind: 'post-verification' });
  for (const vm of after.vms) {
    const was = before.vms.find((v) => v.id === vm.id);
    if (vm.failover.status === 'succeeded' && was?.failover.status !== 'succeeded' && !vm.checks)
      all.push({ kind: 'run-checks', vmId: vm.id });
  }
  if ((to === 'failed' || to === 'done') && !run.closedAt) {
    const at = latestEnd(run) ?? run.createdAt;
    run = { ...run, closedAt: at };
    all.push({ kind: 'run-closed' });
    audit.push({
      at,
      what: 'run closed',
      detail: to === 'done' ? 'every VM is protected to Azure again' : 'no VM could go further',
    });
  }
  return { accepted: true, run, effects: all, audit };
}

function latestEnd(run: Run): string | undefined {
  const ends = run.vms
    .flatMap((v) => [v.failover.endedAt, v.commit?.endedAt, v.reprotect?.endedAt])
    .filter((t): t is string => !!t);
  return ends.sort().at(-1);
}
