import { initialCheckState, type CheckState, type HttpCheckSpec } from '../../src/domain/app-checks';
import { phaseOf, uncheckedForCommit } from '../../src/domain/run';
import { decide, type RunEvent } from '../../src/domain/run-machine';
import { confirmCommitModal, runReport, runReportMarkdown, verificationPrompt } from '../../src/bot/views';
import { aRun, play, T0, vmInRun } from './fixtures';

const vm = '/items/app-01';
const ENDED = '2026-11-28T10:05:00.000Z';
const at = (min: number) => new Date(Date.parse(ENDED) + min * 60_000).toISOString();
const spec = (name: string): HttpCheckSpec => ({
  kind: 'http',
  name,
  timeoutMs: 5000,
  url: `https://${name}.corp.example/health`,
  expectStatus: 200,
  insecureTls: false,
});
const failedOver = () =>
  play(
    aRun({ vms: [vmInRun('app-01')] }),
    { type: 'op-issuing', vmId: vm, op: 'failover', at: T0 },
    { type: 'op-started', vmId: vm, op: 'failover', jobName: 'job-1', at: T0 },
    { type: 'op-succeeded', vmId: vm, op: 'failover', at: ENDED, shutdown: 'succeeded' },
  );
const started: RunEvent = {
  type: 'checks-started',
  vmId: vm,
  at: ENDED,
  checks: [initialCheckState(spec('web'), ENDED), initialCheckState(spec('api'), ENDED)],
};
const attempted = (minute: number, results: Record<string, boolean>): RunEvent => ({
  type: 'checks-attempted',
  vmId: vm,
  at: at(minute),
  windowMs: 10 * 60_000,
  attempts: Object.fromEntries(
    Object.entries(results).map(([name, ok]) => [
      name,
      {
        at: at(minute),
        ok,
        evidence: ok ? { status: 200, latencyMs: 12 } : { status: 503, latencyMs: 40, error: 'expected HTTP 200' },
      },
    ]),
  ),
});
const checksOf = (run: ReturnType<typeof failedOver>): readonly CheckState[] => run.vms[0]?.checks ?? [];

describe('application checks in a run', () => {
  it('a VM’s finished failover asks the shell to run its checks', () => {
    const d = decide(play(aRun(), { type: 'op-issuing', vmId: vm, op: 'failover', at: T0 }), {
      type: 'op-succeeded',
      vmId: vm,
      op: 'failover',
      at: ENDED,
    });
    if (!d.accepted) throw new Error(d.reason);
    expect(d.effects).toContainEqual({ kind: 'run-checks', vmId: vm });
  });

  it('records attempts: passed at once, still trying inside the window, failed after it — with the evidence in the trail', () => {
    const run = play(failedOver(), started, attempted(1, { web: true, api: false }));
    expect(checksOf(run).map((c) => `${c.name}:${c.status}`)).toEqual(['web:passed', 'api:trying']);
    const d = decide(run, attempted(11, { api: false }));
    if (!d.accepted) throw new Error(d.reason);
    expect(checksOf(d.run).map((c) => `${c.name}:${c.status}`)).toEqual(['web:passed', 'api:failed']);
    expect(d.audit).toEqual([
      expect.objectContaining({
        what: 'application check failed',
        vm: 'app-01',
        detail: expect.stringMatching(
          /api \(http https:\/\/api\.corp\.example\/health\) · HTTP 503 · 40 ms · expected HTTP 200 · after 2 attempts/,
        ),
      }),
    ]);
  });

  it('stops recording once the commit is approved, and never starts twice', () => {
    const run = play(failedOver(), started, attempted(1, { web: true, api: true }));
    expect(decide(run, started)).toEqual({ accepted: false, reason: 'the checks of app-01 have already started' });
    const committed = play(run, { type: 'commit-approved', by: 'UAPP', at: at(2) });
    expect(decide(committed, attempted(3, { web: true })).accepted).toBe(false);
  });

  it('commit stays a person’s decision: failed checks need a reason, never block', () => {
    const run = play(failedOver(), started, attempted(1, { web: true, api: false }), attempted(11, { api: false }));
    expect(phaseOf(run)).toBe('awaiting-commit');
    expect(uncheckedForCommit(run).map((v) => v.name)).toEqual(['app-01']);
    expect(decide(run, { type: 'commit-approved', by: 'UAPP', at: at(12) })).toEqual({
      accepted: false,
      reason: 'application checks have not all passed: the commit needs a reason',
    });
    const d = decide(run, {
      type: 'commit-approved',
      by: 'UAPP',
      at: at(12),
      checksReason: 'the API check fails on a known certificate issue; verified by hand',
    });
    if (!d.accepted) throw new Error(d.reason);
    expect(d.run.commit?.checksReason).toBe('the API check fails on a known certificate issue; verified by hand');
    expect(d.audit[0]?.detail).toMatch(/application checks not all passed \(app-01\): the API check fails/);
  });

  it('passed checks need no reason', () => {
    const run = play(failedOver(), started, attempted(1, { web: true, api: true }));
    expect(decide(run, { type: 'commit-approved', by: 'UAPP', at: at(2) }).accepted).toBe(true);
  });

  it('the prompt, the confirmation and the report show the checks with their evidence', () => {
    const run = play(failedOver(), started, attempted(1, { web: true, api: false }));
    const prompt = JSON.stringify(verificationPrompt(run, { users: ['UAPP'], groups: [] }, new Date(at(2))).blocks);
    expect(prompt).toMatch(
      /:white_check_mark: web — passed: `https:\/\/web\.corp\.example\/health` · HTTP 200 · 12 ms/,
    );
    expect(prompt).toMatch(/:hourglass_flowing_sand: api — still trying: .* · HTTP 503 · 40 ms · expected HTTP 200/);
    const modal = JSON.stringify(confirmCommitModal(run).blocks);
    expect(modal).toContain('Application checks have not all passed');
    expect(modal).toContain('checks_reason_input');
    expect(
      JSON.stringify(confirmCommitModal(play(failedOver(), started, attempted(1, { web: true, api: true }))).blocks),
    ).not.toContain('checks_reason_input');
    const md = runReportMarkdown(runReport(run, [], new Date(at(2))));
    expect(md).toContain('### Application checks');
    expect(md).toMatch(/\| app-01 \| api \| not settled \| http https:\/\/api\.corp\.example\/health \|/);
  });
});
