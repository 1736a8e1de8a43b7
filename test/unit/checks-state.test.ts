import {
  type CheckAttempt,
  type CheckSpec,
  type CheckState,
  type CheckStatus,
  checkTargetText,
  initialCheckState,
  nextCheckState,
  summarizeChecks,
} from '../../src/domain/app-checks';

const STARTED = '2025-03-01T10:00:00.000Z';
const WINDOW_MS = 15 * 60_000;
/** ISO time `minutes` after the VM's failover finished. */
const after = (minutes: number) => new Date(Date.parse(STARTED) + minutes * 60_000).toISOString();

const web: CheckSpec = {
  kind: 'http',
  name: 'Web',
  url: 'https://web.corp.example/health',
  expectStatus: 200,
  insecureTls: false,
  timeoutMs: 5000,
};

const ok = (minutes: number): CheckAttempt => ({
  at: after(minutes),
  ok: true,
  evidence: { status: 200, latencyMs: 12 },
});
const bad = (minutes: number): CheckAttempt => ({
  at: after(minutes),
  ok: false,
  evidence: { latencyMs: 3, error: 'connection refused' },
});

/** The state after the given attempts, each judged at its own time. */
function play(attempts: readonly CheckAttempt[]): CheckState {
  return attempts.reduce((s, a) => nextCheckState(s, a, a.at, WINDOW_MS), initialCheckState(web, STARTED));
}

describe('a new check', () => {
  it('is pending since the failover ended, with its target from the file', () => {
    expect(initialCheckState(web, STARTED)).toEqual({
      name: 'Web',
      kind: 'http',
      targetText: 'https://web.corp.example/health',
      status: 'pending',
      attempts: 0,
      startedAt: STARTED,
      since: STARTED,
    });
  });

  it.each<[string, CheckSpec, string]>([
    ['a tcp check as host:port', { kind: 'tcp', name: 't', host: 'sql-01', port: 1433, timeoutMs: 1 }, 'sql-01:1433'],
    [
      'an IPv6 tcp check in brackets',
      { kind: 'tcp', name: 't', host: 'fd00::5', port: 443, timeoutMs: 1 },
      '[fd00::5]:443',
    ],
    [
      'a dns check as its name',
      { kind: 'dns', name: 'd', hostname: 'app.corp.example', expectAddress: '10.0.0.1', timeoutMs: 1 },
      'app.corp.example',
    ],
  ])('shows %s', (_what, spec, text) => {
    expect(checkTargetText(spec)).toBe(text);
  });
});

describe('nextCheckState', () => {
  it.each<[string, CheckAttempt[], CheckStatus, number, string]>([
    ['passes at the first good attempt', [ok(1)], 'passed', 1, after(1)],
    ['keeps trying while failures stay inside the window', [bad(1), bad(5)], 'trying', 2, after(1)],
    ['passes when a later attempt inside the window succeeds', [bad(1), bad(2), ok(3)], 'passed', 3, after(3)],
    ['passes on a good attempt even after the window', [bad(1), ok(16)], 'passed', 2, after(16)],
    ['fails when an attempt fails once the window is over', [bad(1), bad(14), bad(15)], 'failed', 3, after(15)],
    ['fails at a first attempt made after the window', [bad(20)], 'failed', 1, after(20)],
    ['stays passed whatever comes later', [ok(1), bad(20)], 'passed', 1, after(1)],
    ['stays failed whatever comes later', [bad(16), ok(17)], 'failed', 1, after(16)],
  ])('%s', (_what, attempts, status, count, since) => {
    const state = play(attempts);
    expect(state).toMatchObject({ status, attempts: count, since, startedAt: STARTED });
    expect(state.last).toEqual(attempts[count - 1]);
  });

  it('keeps the evidence of the last attempt', () => {
    expect(play([bad(1)]).last?.evidence).toEqual({ latencyMs: 3, error: 'connection refused' });
  });
});

describe('summarizeChecks', () => {
  const state = (status: CheckStatus): CheckState => ({ ...initialCheckState(web, STARTED), status });

  it.each<[string, CheckStatus[], object]>([
    ['no checks', [], { passed: 0, failed: 0, trying: 0, pending: 0, overall: 'none', settled: true }],
    ['all pending', ['pending', 'pending'], { pending: 2, overall: 'trying', settled: false }],
    ['all passed', ['passed', 'passed'], { passed: 2, overall: 'passed', settled: true }],
    ['some still trying', ['passed', 'trying', 'pending'], { passed: 1, trying: 1, pending: 1, overall: 'trying' }],
    [
      'one failed, others still trying',
      ['failed', 'trying'],
      { failed: 1, trying: 1, overall: 'failed', settled: false },
    ],
    [
      'one failed, others passed',
      ['passed', 'failed', 'passed'],
      { passed: 2, failed: 1, overall: 'failed', settled: true },
    ],
  ])('%s', (_what, statuses, summary) => {
    expect(summarizeChecks(statuses.map(state))).toMatchObject(summary);
  });
});
