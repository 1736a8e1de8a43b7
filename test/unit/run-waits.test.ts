import { cancellable, phaseOf } from '../../src/domain/run';
import { recheckDelayMs, RECHECK_MAX_MS } from '../../src/domain/rechecks';
import { decide, type RunEvent } from '../../src/domain/run-machine';
import { aRun, play, T0, vmInRun } from './fixtures';

const vm = '/items/app-01';
const LATER = '2026-11-28T10:00:30.000Z';
const deferred = (reason: string, notBefore = LATER, at = T0): RunEvent => ({
  type: 'op-deferred',
  vmId: vm,
  op: 'failover',
  at,
  reason,
  notBefore,
});

describe('when ASR cannot take an operation now', () => {
  it('waits: the run stays open, nothing fails, and a re-read is scheduled for that time', () => {
    const d = decide(aRun(), deferred('another ASR operation runs on it (Commit, job j-1)'));
    if (!d.accepted) throw new Error(d.reason);
    expect(phaseOf(d.run)).toBe('failing-over');
    expect(d.run.closedAt).toBeUndefined();
    expect(d.run.vms[0]?.failover).toMatchObject({
      status: 'waiting',
      waitingFor: 'another ASR operation runs on it (Commit, job j-1)',
      waitingSince: T0,
      nextAttemptAt: LATER,
      checks: 1,
    });
    expect(d.effects).toContainEqual({ kind: 'run-step', step: 'failover', notBefore: LATER, jobKey: 'a1-c1' });
    expect(d.audit).toEqual([expect.objectContaining({ what: 'failover waits', vm: 'app-01' })]);
  });

  it('keeps when the wait began and writes the trail once while the reason stays the same', () => {
    const once = play(aRun(), deferred('busy'));
    const d = decide(once, deferred('busy', '2026-11-28T10:01:30.000Z', LATER));
    if (!d.accepted) throw new Error(d.reason);
    expect(d.run.vms[0]?.failover).toMatchObject({ waitingSince: T0, checks: 2 });
    expect(d.effects).toContainEqual(expect.objectContaining({ kind: 'run-step', jobKey: 'a1-c2' }));
    expect(d.audit).toEqual([]);
  });

  it('can still be cancelled while nothing was ever sent to ASR', () => {
    expect(cancellable(play(aRun(), deferred('busy')))).toBe(true);
  });

  it('remembers a POST whose answer never came, through the wait, until ASR answers', () => {
    const issued = play(aRun(), { type: 'op-issuing', vmId: vm, op: 'failover', at: T0 });
    expect(issued.vms[0]?.failover.unconfirmedPostAt).toBe(T0);
    const waiting = play(issued, deferred('ASR lists a job it has not filled in yet', LATER, LATER));
    expect(waiting.vms[0]?.failover.unconfirmedPostAt).toBe(T0);
    expect(cancellable(waiting)).toBe(false);
    // Issued again later: the earliest unanswered POST is what the jobs are read since.
    const again = play(waiting, { type: 'op-issuing', vmId: vm, op: 'failover', at: LATER });
    expect(again.vms[0]?.failover.unconfirmedPostAt).toBe(T0);
    const started = play(again, { type: 'op-started', vmId: vm, op: 'failover', jobName: 'j', at: LATER });
    expect(started.vms[0]?.failover).toMatchObject({
      status: 'running',
      unconfirmedPostAt: undefined,
      checks: undefined,
    });
  });

  it('takes a job found in ASR’s list as the outcome, with its name', () => {
    const issued = play(aRun(), { type: 'op-issuing', vmId: vm, op: 'failover', at: T0 });
    const d = decide(issued, {
      type: 'op-failed',
      vmId: vm,
      op: 'failover',
      at: LATER,
      error: 'The VM could not be started.',
      jobName: 'job-lost',
    });
    if (!d.accepted) throw new Error(d.reason);
    expect(d.run.vms[0]?.failover).toMatchObject({
      status: 'failed',
      jobName: 'job-lost',
      unconfirmedPostAt: undefined,
    });
    expect(d.audit[0]).toMatchObject({ what: 'failover failed', jobName: 'job-lost' });
  });

  it('waits on a plan VM by VM, one audit line for the plan', () => {
    const run = aRun({
      plan: { id: '/plans/p', name: 'p' },
      vms: [
        vmInRun('a', { failover: { status: 'pending', viaPlan: true } }),
        vmInRun('b', { failover: { status: 'pending', viaPlan: true } }),
      ],
    });
    const d = decide(run, {
      type: 'plan-op-deferred',
      op: 'failover',
      at: T0,
      reason: 'the recovery plan runs Commit (job j)',
      notBefore: LATER,
    });
    if (!d.accepted) throw new Error(d.reason);
    expect(d.run.vms.map((v) => v.failover.status)).toEqual(['waiting', 'waiting']);
    expect(d.effects.filter((e) => e.kind === 'run-step')).toHaveLength(1);
    expect(d.audit).toEqual([expect.objectContaining({ what: 'failover of the recovery plan waits', vm: 'p' })]);
  });

  it('is refused once the operation runs', () => {
    const running = play(aRun(), { type: 'op-started', vmId: vm, op: 'failover', jobName: 'j', at: T0 });
    expect(decide(running, deferred('x')).accepted).toBe(false);
  });
});

describe('the back-off between reads', () => {
  it('starts at the poll interval, doubles, and stops growing at a few minutes', () => {
    expect([1, 2, 3].map((n) => recheckDelayMs(15_000, n))).toEqual([15_000, 30_000, 60_000]);
    expect(recheckDelayMs(15_000, 20)).toBe(RECHECK_MAX_MS);
  });
});

describe('asking to look at ASR again now', () => {
  it('makes every waiting read due at once, with a step job each, and writes who asked', () => {
    const waiting = play(aRun(), deferred('busy', '2026-11-28T10:05:00.000Z'));
    const d = decide(waiting, { type: 'recheck-requested', by: 'UAPP', at: LATER });
    if (!d.accepted) throw new Error(d.reason);
    expect(d.run.vms[0]?.failover).toMatchObject({ status: 'waiting', nextAttemptAt: LATER });
    expect(d.effects).toContainEqual({ kind: 'run-step', step: 'failover', jobKey: `now-${Date.parse(LATER)}` });
    expect(d.audit).toEqual([
      expect.objectContaining({ what: 'asked to look at ASR again', actor: 'UAPP', detail: 'app-01 (failover)' }),
    ]);
  });

  it('is refused when nothing waits on ASR', () => {
    expect(decide(aRun(), { type: 'recheck-requested', by: 'UAPP', at: LATER })).toEqual({
      accepted: false,
      reason: 'nothing waits on ASR now',
    });
  });
});
