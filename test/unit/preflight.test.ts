import { DEFAULT_MAX_VMS_PER_RUN, describeProblems, preflight, preflightPlan } from '../../src/domain/preflight';
import type { RecoveryPointChoice, ReplicatedPlan } from '../../src/domain/vm';
import { facts } from './fixtures';

const latest: RecoveryPointChoice = { kind: 'latest' };
const none = () => undefined;

describe('preflight', () => {
  it('passes VMs that are ready, idle and have a recovery point', () => {
    expect(preflight([facts('app-01'), facts('db-01')], latest, none)).toEqual({ ok: true });
  });

  it.each([
    ['has no recovery point', facts('a', { points: { count: 0 } }), latest, 'has no recovery point'],
    ['was not checked yet', facts('a', { points: undefined }), latest, 'not been checked'],
    [
      'is not ready',
      facts('a', { failback: { ready: false, reason: 'replicates from AVS to Azure' } }),
      latest,
      'replicates from AVS to Azure',
    ],
    [
      'runs an ASR operation',
      facts('a', { runningOperation: { scenario: 'Reprotect', jobName: 'j' } }),
      latest,
      'ASR operation running (Reprotect)',
    ],
    [
      'lacks an app-consistent point',
      facts('a', { points: { count: 2, latestCrashConsistent: 'x' } }),
      { kind: 'latest-app-consistent' } as const,
      'no app-consistent recovery point',
    ],
    [
      'cannot use a specific point',
      facts('a', { pointChoices: ['latest', 'latest-app-consistent'] }),
      { kind: 'specific', recoveryPointId: 'p', time: 't' } as const,
      'specific recovery point',
    ],
  ])('refuses a VM that %s, naming it', (_n, vm, choice, reason) => {
    const r = preflight([vm], choice, none);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]?.vmName).toBe('a');
      expect(r.problems[0]?.reason).toContain(reason);
    }
  });

  it('refuses a VM that is already in another run, naming that run', () => {
    const r = preflight([facts('app-01')], latest, (id) => (id === '/items/app-01' ? 'FB-3' : undefined));
    expect(r).toEqual({
      ok: false,
      problems: [{ vmId: '/items/app-01', vmName: 'app-01', reason: 'is already in run FB-3' }],
    });
  });

  it('reports every failing VM, not just the first', () => {
    const r = preflight(
      [facts('a', { points: { count: 0 } }), facts('b'), facts('c', { points: { count: 0 } })],
      latest,
      none,
    );
    expect(r.ok ? [] : r.problems.map((p) => p.vmName)).toEqual(['a', 'c']);
    expect(r.ok ? '' : describeProblems(r.problems)).toMatch(/^a has no recovery point.*c has no recovery point/);
  });
});

describe('the size of a run (FAILBACK_MAX_VMS_PER_RUN)', () => {
  const vms = (n: number) => Array.from({ length: n }, (_, i) => facts(`app-${i}`));
  const plan = (n: number): ReplicatedPlan => ({
    id: '/plans/erp',
    name: 'erp',
    vmIds: vms(n).map((v) => v.id),
    failsBack: true,
    failback: { ready: true },
    pointChoices: ['latest', 'latest-app-consistent'],
  });

  it('passes exactly the maximum', () => {
    expect(preflight(vms(20), latest, none, { maxVms: 20 })).toEqual({ ok: true });
    expect(preflightPlan(plan(20), vms(20), latest, none, { maxVms: 20 })).toEqual({ ok: true });
  });

  it('refuses more VMs than the maximum, naming the limit, even if a Slack client sent them (and only that)', () => {
    const r = preflight([...vms(20), facts('gone', { points: { count: 0 } })], latest, none, { maxVms: 20 });
    expect(r.ok ? '' : describeProblems(r.problems)).toBe(
      'The selection has 21 VMs, more than the 20 one run may fail back (FAILBACK_MAX_VMS_PER_RUN): choose fewer VMs and fail the others back in another run.',
    );
  });

  it('refuses a recovery plan with more VMs than the maximum, naming the plan and the limit (and only that)', () => {
    const r = preflightPlan(plan(21), vms(21), latest, (id) => (id === '/items/app-3' ? 'FB-3' : undefined), {
      maxVms: 20,
    });
    expect(r.ok ? [] : r.problems).toEqual([
      {
        vmId: '/plans/erp',
        vmName: 'Recovery plan erp',
        reason:
          'has 21 VMs, more than the 20 one run may fail back (FAILBACK_MAX_VMS_PER_RUN): choose its VMs instead, in several runs',
      },
    ]);
  });

  it(`holds to ${DEFAULT_MAX_VMS_PER_RUN} VMs when no maximum is given`, () => {
    expect(preflight(vms(DEFAULT_MAX_VMS_PER_RUN), latest, none).ok).toBe(true);
    expect(preflight(vms(DEFAULT_MAX_VMS_PER_RUN + 1), latest, none).ok).toBe(false);
    expect(preflightPlan(plan(DEFAULT_MAX_VMS_PER_RUN + 1), vms(DEFAULT_MAX_VMS_PER_RUN + 1), latest, none).ok).toBe(
      false,
    );
  });
});
