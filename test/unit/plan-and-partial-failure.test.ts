import { describeProblems, preflightPlan } from '../../src/domain/preflight';
import { commitScope, failedFailovers, phaseOf, type Run } from '../../src/domain/run';
import { decide, planScope, type RunEvent } from '../../src/domain/run-machine';
import type { ReplicatedPlan } from '../../src/domain/vm';
import { targetChoiceError } from '../../src/bot/listeners/request-form';
import { BLOCK } from '../../src/bot/ids';
import { aRun, facts, play, T0, vmInRun } from './fixtures';

const names = ['app-01', 'db-01', 'web-01'];
const planRun = (): Run =>
  aRun({
    plan: { id: '/plans/p1', name: 'p1' },
    vms: names.map((n) => vmInRun(n, { failover: { status: 'pending', viaPlan: true } })),
  });
const ok = (_run: Run, op: 'failover' | 'commit', name: string): RunEvent => ({
  type: 'op-succeeded',
  vmId: `/items/${name}`,
  op,
  at: T0,
});

describe('a recovery-plan run', () => {
  it('moves every member with one plan event and writes one audit line for the plan', () => {
    const issuing = play(planRun(), { type: 'plan-op-issuing', op: 'failover', at: T0 });
    const d = decide(issuing, { type: 'plan-op-started', op: 'failover', jobName: 'plan-job', at: T0 });
    if (!d.accepted) throw new Error(d.reason);
    expect(d.run.vms.map((v) => [v.failover.status, v.failover.jobName, v.failover.viaPlan])).toEqual(
      names.map(() => ['running', 'plan-job', true]),
    );
    expect(d.audit).toEqual([
      expect.objectContaining({
        what: 'failover of the recovery plan started',
        vm: 'p1',
        jobName: 'plan-job',
        detail: '3 VM(s)',
      }),
    ]);
  });

  it('rejects a second start of the same plan operation and changes nothing', () => {
    const running = play(
      planRun(),
      { type: 'plan-op-issuing', op: 'failover', at: T0 },
      { type: 'plan-op-started', op: 'failover', jobName: 'j', at: T0 },
    );
    expect(decide(running, { type: 'plan-op-started', op: 'failover', jobName: 'j2', at: T0 })).toMatchObject({
      accepted: false,
    });
  });

  it('marks every member failed with ASR’s message when the plan operation is refused', () => {
    const d = decide(planRun(), { type: 'plan-op-refused', op: 'failover', at: T0, error: 'Plan is locked' });
    if (!d.accepted) throw new Error(d.reason);
    expect(d.run.vms.every((v) => v.failover.status === 'failed' && v.failover.error === 'Plan is locked')).toBe(true);
    expect(phaseOf(d.run)).toBe('failed');
  });

  it('commits through the plan when every member failed over', () => {
    const run = play(planRun(), ...names.map((n) => ok(planRun(), 'failover', n)), {
      type: 'commit-approved',
      by: 'UAPP',
      at: T0,
    });
    expect(planScope(run, 'commit').map((v) => v.name)).toEqual(names);
  });

  it('commits VM by VM when a member did not fail over (a plan commit would include it)', () => {
    const run = play(
      planRun(),
      ok(planRun(), 'failover', 'app-01'),
      ok(planRun(), 'failover', 'db-01'),
      { type: 'op-failed', vmId: '/items/web-01', op: 'failover', at: T0, error: 'boom' },
      { type: 'commit-approved', by: 'UAPP', at: T0 },
    );
    expect(planScope(run, 'commit')).toHaveLength(0);
    expect(commitScope(run).map((v) => v.commit?.status)).toEqual(['pending', 'pending']);
  });

  it('is not a plan event target when the run has no plan', () => {
    expect(decide(aRun(), { type: 'plan-op-issuing', op: 'failover', at: T0 })).toMatchObject({ accepted: false });
  });
});

describe('partial failure of a multi-VM run', () => {
  const four = ['app-01', 'db-01', 'web-01', 'crm-01'];
  const failedOnce = () =>
    play(
      aRun({ vms: four.map((n) => vmInRun(n)) }),
      ...['app-01', 'db-01', 'crm-01'].map((n) => ok(aRun(), 'failover', n)),
      { type: 'op-failed', vmId: '/items/web-01', op: 'failover', at: T0, error: 'Host in maintenance' },
    );

  it('awaits the commit of the three that failed over, with the failed one to decide on', () => {
    const run = failedOnce();
    expect(phaseOf(run)).toBe('awaiting-commit');
    expect(commitScope(run).map((v) => v.name)).toEqual(['app-01', 'db-01', 'crm-01']);
    expect(failedFailovers(run).map((v) => v.name)).toEqual(['web-01']);
  });

  it('retries only the failed VM, in the same run, with a fresh step job', () => {
    const d = decide(failedOnce(), { type: 'failover-retry-requested', by: 'UREQ', at: T0 });
    if (!d.accepted) throw new Error(d.reason);
    expect(phaseOf(d.run)).toBe('failing-over');
    expect(d.run.vms.find((v) => v.name === 'web-01')?.failover).toEqual({ status: 'pending', attempt: 2 });
    expect(d.run.vms.find((v) => v.name === 'app-01')?.failover.status).toBe('succeeded');
    expect(d.effects).toContainEqual({ kind: 'run-step', step: 'failover', jobKey: 'retry2' });
    expect(d.audit).toEqual([
      expect.objectContaining({ what: 'failover retry requested', actor: 'UREQ', detail: 'web-01' }),
    ]);
    // A double click is rejected: the retry is already under way.
    expect(decide(d.run, { type: 'failover-retry-requested', by: 'UREQ', at: T0 })).toMatchObject({ accepted: false });
  });

  it('leaves a failed VM out with the reason recorded, and then offers no retry for it', () => {
    const d = decide(failedOnce(), {
      type: 'vm-left-out',
      vmId: '/items/web-01',
      by: 'UAPP',
      at: T0,
      reason: 'ESX host replaced next week',
    });
    if (!d.accepted) throw new Error(d.reason);
    expect(d.run.vms.find((v) => v.name === 'web-01')?.leftOut).toEqual({
      by: 'UAPP',
      at: T0,
      reason: 'ESX host replaced next week',
    });
    expect(d.audit).toEqual([
      expect.objectContaining({
        what: 'VM left out of the run',
        actor: 'UAPP',
        vm: 'web-01',
        detail: 'ESX host replaced next week',
      }),
    ]);
    expect(failedFailovers(d.run)).toHaveLength(0);
    expect(decide(d.run, { type: 'failover-retry-requested', by: 'UREQ', at: T0 })).toMatchObject({ accepted: false });
  });

  it('refuses to leave out a VM that failed over, or without a reason', () => {
    expect(
      decide(failedOnce(), { type: 'vm-left-out', vmId: '/items/app-01', by: 'U', at: T0, reason: 'x' }),
    ).toMatchObject({ accepted: false });
    expect(
      decide(failedOnce(), { type: 'vm-left-out', vmId: '/items/web-01', by: 'U', at: T0, reason: '  ' }),
    ).toMatchObject({ accepted: false });
  });

  it('leaves the failed VMs out when the commit is approved, recording who and why', () => {
    const d = decide(failedOnce(), { type: 'commit-approved', by: 'UAPP', at: T0 });
    if (!d.accepted) throw new Error(d.reason);
    expect(d.run.vms.find((v) => v.name === 'web-01')?.leftOut).toMatchObject({ by: 'UAPP' });
    expect(d.audit.map((a) => a.what)).toEqual(['commit approved', 'VM left out of the run']);
  });
});

describe('plan preflight', () => {
  const plan = (over: Partial<ReplicatedPlan> = {}): ReplicatedPlan => ({
    id: '/plans/p1',
    name: 'p1',
    vmIds: ['/items/app-01', '/items/erp-01'],
    failsBack: true,
    failback: { ready: true },
    pointChoices: ['latest', 'latest-app-consistent'],
    ...over,
  });

  it('passes a ready plan whose VMs are ready', () => {
    expect(preflightPlan(plan(), [facts('app-01'), facts('erp-01')], { kind: 'latest' }, () => undefined)).toEqual({
      ok: true,
    });
  });

  it('names every offending VM and the plan itself', () => {
    const r = preflightPlan(
      plan({
        failback: { ready: false, reason: 'is not ready to fail back' },
        vmIds: ['/items/app-01', '/items/erp-01', '/items/gone-01'],
      }),
      [facts('app-01', { points: { count: 0 } }), facts('erp-01')],
      { kind: 'latest' },
      (id) => (id === '/items/erp-01' ? 'FB-3' : undefined),
    );
    if (r.ok) throw new Error('expected problems');
    expect(describeProblems(r.problems)).toBe(
      'Recovery plan p1 is not ready to fail back. app-01 has no recovery point (ASR needs at least one to fail back). erp-01 is already in run FB-3. gone-01 is in the plan but not a replicated item of this vault.',
    );
  });

  it('refuses a specific recovery point for a plan', () => {
    const r = preflightPlan(
      plan(),
      [facts('app-01'), facts('erp-01')],
      { kind: 'specific', recoveryPointId: 'rp', time: T0 },
      () => undefined,
    );
    expect(r).toMatchObject({
      ok: false,
      problems: [expect.objectContaining({ reason: expect.stringMatching(/single VM/) })],
    });
  });
});

describe('VMs or a plan', () => {
  it.each([
    [{ vmKeys: ['a'], planKey: 'p' }, BLOCK.plan, /not both/],
    [{ vmKeys: [], planKey: undefined }, BLOCK.vms, /at least one VM, or a recovery plan/],
  ])('refuses %j', (form, block, text) => {
    expect(targetChoiceError(form)).toEqual({ block, text: expect.stringMatching(text) });
  });

  it.each([[{ vmKeys: ['a'] }], [{ vmKeys: [], planKey: 'p' }]])('accepts %j', (form) => {
    expect(targetChoiceError(form)).toBeUndefined();
  });
});
