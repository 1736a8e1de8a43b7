import { phaseOf } from '../../src/domain/run';
import { decide, type RunEvent } from '../../src/domain/run-machine';
import { aRun, play, T0, vmInRun } from './fixtures';

const vm = '/items/app-01';
const started: RunEvent = { type: 'op-started', vmId: vm, op: 'failover', jobName: 'job-1', at: T0 };
const succeeded: RunEvent = { type: 'op-succeeded', vmId: vm, op: 'failover', at: T0, shutdown: 'succeeded' };

describe('run state machine', () => {
  it('starts failing over', () => {
    expect(phaseOf(aRun())).toBe('failing-over');
  });

  describe('when the failover job succeeds', () => {
    const d = decide(play(aRun(), { type: 'op-issuing', vmId: vm, op: 'failover', at: T0 }, started), succeeded);

    it('waits for a commit and asks for verification', () => {
      if (!d.accepted) throw new Error(d.reason);
      expect(phaseOf(d.run)).toBe('awaiting-commit');
      expect(d.effects.map((e) => e.kind)).toEqual(['render-card', 'post-verification', 'run-checks']);
      expect(d.run.vms[0]?.shutdown).toBe('succeeded');
    });

    it('records the outcome in the audit trail with the job', () => {
      if (!d.accepted) throw new Error(d.reason);
      expect(d.audit).toEqual([
        expect.objectContaining({ what: 'failover succeeded', vm: 'app-01', jobName: 'job-1' }),
      ]);
    });
  });

  describe('when every failover fails', () => {
    const d = decide(play(aRun(), started), { type: 'op-failed', vmId: vm, op: 'failover', at: T0, error: 'boom' });

    it('closes the run with the error kept and still posts the verification', () => {
      if (!d.accepted) throw new Error(d.reason);
      expect(phaseOf(d.run)).toBe('failed');
      expect(d.run.closedAt).toBe(T0);
      expect(d.run.vms[0]?.failover.error).toBe('boom');
      expect(d.effects.map((e) => e.kind)).toEqual(['render-card', 'post-verification', 'run-closed']);
    });
  });

  describe('commit approval', () => {
    const two = aRun({ vms: [vmInRun('app-01'), vmInRun('db-01')] });
    const failedOver = play(two, started, succeeded, {
      type: 'op-failed',
      vmId: '/items/db-01',
      op: 'failover',
      at: T0,
      error: 'x',
    });

    it('is refused while the failover runs', () => {
      expect(decide(play(aRun(), started), { type: 'commit-approved', by: 'UAPP', at: T0 })).toEqual({
        accepted: false,
        reason: 'the run is not waiting for a commit',
      });
    });

    it('covers only the VMs that failed over and queues the commit step', () => {
      const d = decide(failedOver, { type: 'commit-approved', by: 'UAPP', at: T0 });
      if (!d.accepted) throw new Error(d.reason);
      expect(d.run.vms.map((v) => v.commit?.status)).toEqual(['pending', undefined]);
      expect(d.effects).toContainEqual({ kind: 'run-step', step: 'commit' });
      expect(phaseOf(d.run)).toBe('committing');
    });

    it('is accepted once: a second approval is refused and names the first approver', () => {
      const once = play(failedOver, { type: 'commit-approved', by: 'UAPP', at: T0 });
      const again = decide(once, { type: 'commit-approved', by: 'UOTHER', at: T0 });
      expect(again).toEqual({ accepted: false, reason: 'the commit has already been approved' });
    });

    it('ends waiting for reprotect when the commit succeeded', () => {
      const done = play(
        failedOver,
        { type: 'commit-approved', by: 'UAPP', at: T0 },
        { type: 'op-started', vmId: vm, op: 'commit', jobName: 'job-2', at: T0 },
        { type: 'op-succeeded', vmId: vm, op: 'commit', at: T0 },
      );
      expect(phaseOf(done)).toBe('awaiting-reprotect');
      expect(done.closedAt).toBeUndefined();
    });
  });

  describe('late or repeated reports change nothing', () => {
    const ended = play(aRun(), started, succeeded);
    it.each<[string, RunEvent]>([
      ['a second success', succeeded],
      ['a failure after success', { type: 'op-failed', vmId: vm, op: 'failover', at: T0, error: 'late' }],
      [
        'progress after the end',
        { type: 'op-progress', vmId: vm, op: 'failover', progress: { task: 't', done: 1, total: 2 } },
      ],
      ['a second issue', { type: 'op-issuing', vmId: vm, op: 'failover', at: T0 }],
      ['an unknown VM', { type: 'op-started', vmId: '/items/nope', op: 'failover', jobName: 'j', at: T0 }],
      ['a commit event before approval', { type: 'op-started', vmId: vm, op: 'commit', jobName: 'j', at: T0 }],
    ])('rejects %s', (_n, event) => {
      expect(decide(ended, event).accepted).toBe(false);
    });

    it('rejects progress that did not change', () => {
      const p: RunEvent = {
        type: 'op-progress',
        vmId: vm,
        op: 'failover',
        progress: { task: 'Shut down', done: 1, total: 4 },
      };
      expect(decide(play(aRun(), started, p), p).accepted).toBe(false);
    });
  });

  it('re-checks an operation whose ASR job vanished instead of trusting it', () => {
    const d = decide(play(aRun(), started), { type: 'op-lost', vmId: vm, op: 'failover', at: T0 });
    if (!d.accepted) throw new Error(d.reason);
    expect(d.run.vms[0]?.failover).toMatchObject({ status: 'issuing', jobName: undefined });
    expect(d.effects).toContainEqual({ kind: 'run-step', step: 'failover', jobKey: `recheck-${Date.parse(T0)}` });
  });

  it('records the Slack messages once', () => {
    const posted = play(aRun(), { type: 'card-posted', ts: '1.1' });
    expect(posted.card).toEqual({ ts: '1.1' });
    expect(decide(posted, { type: 'card-posted', ts: '2.2' }).accepted).toBe(false);
  });
});

describe('a commit seen outside the bot (reconciliation)', () => {
  const two = () =>
    play(
      aRun({ vms: [vmInRun('app-01'), vmInRun('db-01')] }),
      { type: 'op-succeeded', vmId: '/items/app-01', op: 'failover', at: T0 },
      { type: 'op-succeeded', vmId: '/items/db-01', op: 'failover', at: T0 },
    );

  it('records one VM as committed and still waits for the approval of the other, which then commits only that one', () => {
    const one = play(two(), { type: 'commit-seen-outside', vmId: '/items/app-01', at: T0 });
    expect(phaseOf(one)).toBe('awaiting-commit');
    const approved = decide(one, { type: 'commit-approved', by: 'UAPP', at: T0 });
    if (!approved.accepted) throw new Error(approved.reason);
    expect(approved.run.vms.map((v) => v.commit?.status)).toEqual(['succeeded', 'pending']);
  });

  it('moves the run on when every VM was committed outside, without a commit step', () => {
    const d = decide(play(two(), { type: 'commit-seen-outside', vmId: '/items/app-01', at: T0 }), {
      type: 'commit-seen-outside',
      vmId: '/items/db-01',
      at: T0,
    });
    if (!d.accepted) throw new Error(d.reason);
    expect(phaseOf(d.run)).toBe('awaiting-reprotect');
    expect(d.run.commit).toEqual({ approvedBy: 'outside', approvedAt: T0 });
    expect(d.effects.some((e) => e.kind === 'run-step')).toBe(false);
    expect(d.audit).toEqual([
      expect.objectContaining({ what: 'commit done outside the bot (seen in ASR)', vm: 'db-01' }),
    ]);
  });
});
