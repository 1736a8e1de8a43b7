import { ACTION } from '../../src/bot/ids';
import { helpText, runReport, runReportHtml, runReportMarkdown, runSummary } from '../../src/bot/views';
import { mdText, span } from '../../src/bot/views/run-report';
import { AUTOPILOT, OUTSIDE, pointsAtRequest, type Run } from '../../src/domain/run';
import { decide, type AuditEntry, type RunEvent } from '../../src/domain/run-machine';
import { aRun, T0, vmInRun } from './fixtures';

const at = (min: number) => new Date(Date.parse(T0) + min * 60_000).toISOString();
const NOW = new Date(at(120));
const INJECTED = '<!channel> <b>now</b> *all* [click](https://evil.example) a|b <script>alert(1)</script>';

/** Drives a run through the state machine, collecting its audit trail as the store would. */
function play(start: Run, trail: AuditEntry[], events: readonly RunEvent[]): Run {
  let run = start;
  for (const e of events) {
    const d = decide(run, e);
    if (!d.accepted) throw new Error(`${e.type} refused: ${d.reason}`);
    run = { ...d.run, version: run.version + 1 };
    trail.push(...d.audit);
  }
  return run;
}

/** Two VMs: db-01's failover fails (ASR's message has markup) and it is left out; app-01 goes all the way. */
function finishedRun(): { run: Run; trail: AuditEntry[] } {
  const start = aRun({
    incident: 'INC-9 <@U0EVIL>',
    reason: INJECTED,
    vms: [
      vmInRun('app-01', {
        points: pointsAtRequest({ latestCrashConsistent: at(-15), latestAppConsistent: at(-70) }, { kind: 'latest' }),
      }),
      vmInRun('db-01', { points: pointsAtRequest({ latestCrashConsistent: at(-3) }, { kind: 'latest' }) }),
    ],
  });
  const trail: AuditEntry[] = [{ at: T0, what: 'failback requested', actor: 'UREQ', detail: 'app-01, db-01' }];
  const run = play(start, trail, [
    { type: 'op-issuing', vmId: '/items/app-01', op: 'failover', at: at(1) },
    { type: 'op-started', vmId: '/items/app-01', op: 'failover', jobName: 'job-fo-app', at: at(1) },
    { type: 'op-issuing', vmId: '/items/db-01', op: 'failover', at: at(1) },
    { type: 'op-started', vmId: '/items/db-01', op: 'failover', jobName: 'job-fo-db', at: at(1) },
    { type: 'op-succeeded', vmId: '/items/app-01', op: 'failover', at: at(12), shutdown: 'succeeded' },
    { type: 'op-failed', vmId: '/items/db-01', op: 'failover', at: at(13), error: 'Disk <b>gone</b> | retry later' },
    { type: 'vm-left-out', vmId: '/items/db-01', by: 'UREQ', at: at(20), reason: 'broken `disk` | <!here>' },
    { type: 'commit-approved', by: 'UAPP', at: at(25) },
    { type: 'op-issuing', vmId: '/items/app-01', op: 'commit', at: at(25) },
    { type: 'op-started', vmId: '/items/app-01', op: 'commit', jobName: 'job-commit-app', at: at(25) },
    { type: 'op-succeeded', vmId: '/items/app-01', op: 'commit', at: at(30) },
    { type: 'reprotect-requested', by: 'UAPP', at: at(31), windowMs: 20 * 60_000, choices: {} },
    { type: 'op-issuing', vmId: '/items/app-01', op: 'reprotect', at: at(31) },
    { type: 'op-started', vmId: '/items/app-01', op: 'reprotect', jobName: 'job-rp-app', at: at(31) },
    { type: 'op-succeeded', vmId: '/items/app-01', op: 'reprotect', at: at(95) },
  ]);
  return { run, trail };
}

/** Every GFM table: its rows have as many (unescaped) cell separators as its header. */
function tablesAreWellFormed(markdown: string): boolean {
  const pipes = (line: string) => line.match(/(?<!\\)\|/g)?.length ?? 0;
  const tables: string[][] = [];
  let current: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('|')) (current ??= tables[tables.push([]) - 1]!).push(line);
    else current = undefined;
  }
  return (
    tables.length > 0 &&
    tables.every(
      (t) => t.length >= 2 && /^\|(---\|)+$/.test(t[1] ?? '') && t.every((l) => pipes(l) === pipes(t[0] ?? '')),
    )
  );
}

describe('the run report', () => {
  const { run, trail } = finishedRun();
  const report = runReport(run, trail, NOW);
  const md = runReportMarkdown(report);
  const html = runReportHtml(report);

  it('is built from a run the state machine closed', () => {
    expect(run.closedAt).toBe(at(95));
    expect(report.outcome).toMatch(/Done/);
  });

  it('names the VMs, the requester, the approver and every ASR job id, in Markdown and HTML', () => {
    for (const text of [md, html]) {
      for (const s of [
        'app-01',
        'db-01',
        '@UREQ',
        '@UAPP',
        'job-fo-app',
        'job-fo-db',
        'job-commit-app',
        'job-rp-app',
        'INC-9',
      ])
        expect(text).toContain(s);
    }
  });

  it('gives the recovery point used, its age at the request (RPO) and the durations to each milestone', () => {
    const app = report.vms.find((v) => v.name === 'app-01');
    expect(app?.point).toBe(`Latest (crash-consistent): ${at(-15).slice(0, 10)} 09:45:00 UTC`);
    expect(app?.rpo).toBe('15 min old at the request');
    expect(report.vms.find((v) => v.name === 'db-01')?.rpo).toBe('3 min old at the request');
    expect(report.durations.map((d) => d.text)).toEqual(['12 min', '30 min', '1 h 35 min']);
    expect(md).toContain('15 min old at the request');
    expect(html).toContain('1 h 35 min');
  });

  it('lists the approvals and decisions, the ASR error and the VM left out with its reason', () => {
    expect(report.approvals.map((a) => [a.what, a.who])).toEqual([
      ['VM left out of the run: db-01', '@UREQ'],
      ['commit approved', '@UAPP'],
      ['reprotect requested', '@UAPP'],
    ]);
    expect(md).toMatch(/### ASR errors\n\n- \*\*db-01\*\*, failover: Disk \\<b\\>gone\\<\/b\\> \\\| retry later/);
    expect(md).toMatch(/### Left out of the run\n\n- \*\*db-01\*\* by @UREQ/);
  });

  it('has the whole audit trail as its timeline', () => {
    expect(report.timeline).toHaveLength(trail.length);
    expect(report.timeline.at(-1)?.what).toBe('run closed');
    expect(md).toContain('| 2026-11-28 10:12:00 UTC | failover succeeded | — | app-01 | `job-fo-app` | — |');
  });

  it('shows user text as typed: no mention, link, markup or broken table in the Markdown', () => {
    expect(tablesAreWellFormed(md)).toBe(true);
    expect(md).not.toMatch(/(?<!\\)[<>]/);
    expect(md).not.toMatch(/(?<!\\)<[@!]/);
    expect(md).toContain(
      '\\<!channel\\> \\<b\\>now\\</b\\> \\*all\\* \\[click\\](https://evil.example) a\\|b \\<script\\>',
    );
    expect(md).toContain('INC-9 \\<@U0EVIL\\>');
    expect(md).toContain('broken \\`disk\\` \\| \\<!here\\>');
  });

  it('escapes user text in the HTML and is a self-contained page that prints', () => {
    expect(html).toContain('&lt;!channel&gt; &lt;b&gt;now&lt;/b&gt;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script|<b>|<!channel|<@/);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toMatch(/<style>[\s\S]*@media print[\s\S]*<\/style>/);
    expect(html).not.toMatch(/\b(src|href)=|<link\b/);
  });

  it('reads “not recorded” for a run from before the recovery points were kept', () => {
    const old = aRun({ vms: [vmInRun('web-01')] });
    const r = runReport(old, [], NOW);
    expect(r.vms[0]).toMatchObject({ point: 'not recorded', rpo: 'not recorded' });
    expect(runReportMarkdown(r)).toContain('| web-01 | not recorded | not recorded |');
    expect(runReportMarkdown(r)).toContain('not recorded');
    expect(runReportHtml(r)).toContain('not recorded');
    expect(r.durations.every((d) => d.text === 'not reached')).toBe(true);
  });

  it('names the autopilot and changes made outside the bot in words, never as Slack mentions', () => {
    const r = runReport(
      aRun({
        commit: { approvedBy: OUTSIDE, approvedAt: at(5) },
        reprotect: { requestedBy: AUTOPILOT, requestedAt: at(6), round: 1, windowEndsAt: at(30), choices: {} },
      }),
      [
        { at: at(5), what: 'commit done outside the bot (seen in ASR)', vm: 'app-01', actor: OUTSIDE },
        { at: at(6), what: 'reprotect requested', actor: AUTOPILOT, detail: 'already approved by <@UAPP>' },
      ],
      NOW,
    );
    const text = runReportMarkdown(r) + runReportHtml(r);
    expect(text).toContain('the autopilot (FAILBACK_AUTO_REPROTECT)');
    expect(text).toContain('someone outside the bot (seen in ASR)');
    expect(text).toContain('already approved by @UAPP');
    expect(text).not.toMatch(/<@|&lt;@/);
  });
});

describe('the run report of the largest run', () => {
  // Where the Slack messages of a big run have no room, they send people here: it must list every VM.
  const error = `The mobility agent is not reachable. ${'Check the process server. '.repeat(40)}`;
  const run = aRun({
    vms: Array.from({ length: 500 }, (_, i) =>
      vmInRun(`vm-${i}`, {
        failover:
          i < 230
            ? { status: 'failed', jobName: `job-fo-${i}`, error: `Error ${i}: ${error}` }
            : { status: 'succeeded', jobName: `job-fo-${i}`, endedAt: at(10) },
      }),
    ),
  });
  const report = runReport(run, [], NOW);

  it.each<[string, string, (i: number) => RegExp]>([
    ['Markdown', runReportMarkdown(report), (i) => new RegExp(`^\\| vm-${i} \\|.*job-fo-${i}\\b`, 'm')],
    ['HTML', runReportHtml(report), (i) => new RegExp(`<strong>vm-${i}</strong>.*job-fo-${i}\\b`)],
  ])('lists every VM with its ASR job id, and every ASR message in full, in %s', (_, text, row) => {
    for (let i = 0; i < 500; i++) expect(text).toMatch(row(i));
    for (let i = 0; i < 230; i++) expect(text).toContain(`Error ${i}: ${error.trim()}`);
  });
});

describe('what the report needs from the request', () => {
  const summary = { latestCrashConsistent: at(-5), latestAppConsistent: at(-60) };

  it('records the point the choice meant at request time', () => {
    expect(pointsAtRequest(summary, { kind: 'latest' })?.chosen).toEqual({ kind: 'latest', time: at(-5) });
    expect(pointsAtRequest(summary, { kind: 'latest-app-consistent' })?.chosen).toEqual({
      kind: 'latest-app-consistent',
      time: at(-60),
    });
    expect(pointsAtRequest(summary, { kind: 'specific', recoveryPointId: 'rp-1', time: at(-30) })?.chosen).toEqual({
      kind: 'specific',
      time: at(-30),
    });
    expect(
      pointsAtRequest({ latestCrashConsistent: at(-5) }, { kind: 'latest-app-consistent' })?.chosen,
    ).toBeUndefined();
    expect(pointsAtRequest(undefined, { kind: 'latest' })).toBeUndefined();
  });
});

describe('report helpers', () => {
  it.each([
    [0, '0 s'],
    [45_000, '45 s'],
    [12 * 60_000, '12 min'],
    [125 * 60_000, '2 h 5 min'],
    [(3 * 24 + 4) * 3600_000, '3 d 4 h'],
    [-5_000, '0 s'],
  ])('span(%p) is %p', (ms, text) => expect(span(ms)).toBe(text));

  it('leaves intraword underscores and hyphens readable', () => {
    expect(mdText('app_01 web-01 _x_')).toBe('app_01 web-01 \\_x\\_');
  });
});

describe('asking for the report in Slack', () => {
  it('the closing summary offers “Upload run report” for its run', () => {
    const { run, trail } = finishedRun();
    const actions = runSummary(run, trail).blocks.find((b) => b.type === 'actions');
    expect(actions).toMatchObject({
      elements: [{ action_id: ACTION.uploadReport, value: run.id, text: { text: 'Upload run report' } }],
    });
  });

  it('/failback help mentions report', () => {
    expect(helpText()).toContain('/failback report FB-7');
  });
});

describe('an error that passed', () => {
  it('is listed as an earlier attempt of an operation that then succeeded, not as a failure', () => {
    const { run: base } = finishedRun();
    // app-01's reprotect first waited for the VM's agent, then succeeded.
    const vms = base.vms.map((v) =>
      v.name === 'app-01' && v.reprotect
        ? { ...v, reprotect: { ...v.reprotect, attempt: 2, error: 'agent not registered yet' } }
        : v,
    );
    const report = runReport({ ...base, vms }, [], NOW);
    expect(runReportMarkdown(report)).toContain(
      '- **app-01**, reprotect (passed: succeeded on a later attempt): agent not registered yet',
    );
    expect(runReportMarkdown(report)).toMatch(/- \*\*db-01\*\*, failover: Disk/);
    expect(runReportHtml(report)).toContain('earlier attempt: agent not registered yet');
  });
});
