import { checkEvidenceText } from '../../domain/app-checks';
import { vaultLabel } from '../../domain/vault';
import { AUTOPILOT, OUTSIDE, phaseOf, type OpKind, type OpState, type Run, type RunVm } from '../../domain/run';
import type { AuditEntry } from '../../domain/run-machine';
import { describePoint, RECOVERY_POINT_LABELS } from '../../domain/vm';
import { PHASE_TEXT } from './run-card';

/**
 * The run report a post-incident review asks for: a model built from the run, its audit trail and
 * the time, rendered as Markdown here and as a printable HTML page in run-report-html.ts. The model
 * holds raw text; each renderer escapes it for its own format.
 */
export interface RunReport {
  readonly runId: string;
  readonly title: string;
  readonly generatedAt: string;
  readonly outcome: string;
  /** Label → value lines of the header (incident, reason, requester, target, recovery point…). */
  readonly facts: readonly { readonly label: string; readonly value: string }[];
  readonly durations: readonly ReportDuration[];
  readonly approvals: readonly ReportApproval[];
  readonly vms: readonly ReportVm[];
  readonly timeline: readonly ReportTimelineRow[];
}

export interface ReportDuration {
  readonly label: string;
  /** When the milestone was reached (ISO), if it was. */
  readonly at?: string | undefined;
  /** “1 h 4 min”, or “not reached”. */
  readonly text: string;
}

export interface ReportApproval {
  readonly what: string;
  readonly who: string;
  readonly at: string;
  readonly detail?: string | undefined;
}

export interface ReportOp {
  readonly op: OpKind;
  readonly status: string;
  readonly jobName?: string | undefined;
  readonly startedAt?: string | undefined;
  readonly endedAt?: string | undefined;
  readonly error?: string | undefined;
  readonly attempts?: number | undefined;
  readonly viaPlan: boolean;
}

export interface ReportVm {
  readonly name: string;
  /** The recovery point the run's choice meant at request time, or “not recorded”. */
  readonly point: string;
  /** Its age when the failback was requested (the RPO), or “not recorded”. */
  readonly rpo: string;
  readonly ops: readonly ReportOp[];
  readonly shutdown?: string | undefined;
  readonly leftOut?: { readonly by: string; readonly at: string; readonly reason: string } | undefined;
  /** Application checks after its failover, one line each with the evidence. */
  readonly checks: readonly ReportCheck[];
}

export interface ReportCheck {
  readonly name: string;
  readonly status: string;
  readonly target: string;
  readonly evidence: string;
}

export interface ReportTimelineRow {
  readonly at: string;
  readonly what: string;
  readonly who: string;
  readonly vm: string;
  readonly jobName: string;
  readonly detail: string;
}

const NOT_RECORDED = 'not recorded';
const NOT_REACHED = 'not reached';

/** Who did something, for a file: no Slack mention syntax (nobody is notified by a report). */
export function actorPlain(actor: string | undefined): string {
  if (!actor) return '';
  if (actor === AUTOPILOT) return 'the autopilot (FAILBACK_AUTO_REPROTECT)';
  if (actor === OUTSIDE) return 'someone outside the bot (seen in ASR)';
  return `@${actor}`;
}

/** User mentions the bot wrote into recorded text (`already approved by <@U1>`) as `@U1`. */
export function withoutMentions(text: string): string {
  return text.replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g, '@$1');
}

/** “45 s”, “12 min”, “2 h 5 min”, “3 d 4 h”; negative spans (clock skew) read as 0 s. */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** “2026-11-29 10:04:12 UTC”, or the text as given when it is not a time. */
export function utcStamp(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

const latest = (ts: readonly (string | undefined)[]) =>
  ts
    .filter((t): t is string => !!t)
    .sort()
    .at(-1);
const since = (from: string, to: string | undefined): ReportDuration['text'] =>
  to ? span(Date.parse(to) - Date.parse(from)) : NOT_REACHED;

const STATUS_TEXT: Record<OpState['status'], string> = {
  pending: 'pending',
  issuing: 'being started',
  running: 'running',
  waiting: 'waiting to retry',
  succeeded: 'succeeded',
  failed: 'failed',
};

function reportOp(op: OpKind, s: OpState | undefined): ReportOp | undefined {
  if (!s) return undefined;
  return {
    op,
    status: STATUS_TEXT[s.status],
    jobName: s.jobName,
    startedAt: s.issuedAt,
    endedAt: s.endedAt,
    error: s.error,
    attempts: s.attempt,
    viaPlan: s.viaPlan === true,
  };
}

function reportVm(run: Run, vm: RunVm): ReportVm {
  const chosen = vm.points?.chosen;
  const point = chosen
    ? `${chosen.kind === 'specific' ? 'Specific point' : RECOVERY_POINT_LABELS[chosen.kind]}: ${utcStamp(chosen.time)}`
    : NOT_RECORDED;
  const rpo = chosen ? `${span(Date.parse(run.createdAt) - Date.parse(chosen.time))} old at the request` : NOT_RECORDED;
  const ops = [
    reportOp('failover', vm.failover),
    reportOp('commit', vm.commit),
    reportOp('reprotect', vm.reprotect),
  ].filter((o): o is ReportOp => o !== undefined);
  return {
    name: vm.name,
    point,
    rpo,
    ops,
    shutdown: vm.shutdown,
    leftOut: vm.leftOut ? { by: actorPlain(vm.leftOut.by), at: vm.leftOut.at, reason: vm.leftOut.reason } : undefined,
    checks: (vm.checks ?? []).map((c) => ({
      name: c.name,
      status: c.status === 'pending' || c.status === 'trying' ? 'not settled' : c.status,
      target: `${c.kind} ${c.targetText}`,
      evidence: checkEvidenceText(c),
    })),
  };
}

/** Trail entries that record a person's (or the autopilot's) decision. */
const DECISIONS = new Set([
  'commit approved',
  'reprotect requested',
  'reprotect retry requested',
  'failover retry requested',
  'VM left out of the run',
  'application check failed',
  'commit done outside the bot (seen in ASR)',
]);

function approvals(run: Run, trail: readonly AuditEntry[]): ReportApproval[] {
  const rows: ReportApproval[] = trail
    .filter((e) => DECISIONS.has(e.what))
    .map((e) => ({
      what: e.vm ? `${e.what}: ${e.vm}` : e.what,
      who: actorPlain(e.actor),
      at: e.at,
      detail: e.detail && withoutMentions(e.detail),
    }));
  // A trail that lost its lines (or a run from before it had them) still names who decided.
  if (run.commit && !trail.some((e) => e.what === 'commit approved') && run.commit.approvedBy !== OUTSIDE) {
    rows.push({ what: 'commit approved', who: actorPlain(run.commit.approvedBy), at: run.commit.approvedAt });
  }
  if (run.reprotect && !trail.some((e) => e.what.startsWith('reprotect') && e.what.endsWith('requested'))) {
    rows.push({
      what: 'reprotect requested',
      who: actorPlain(run.reprotect.requestedBy),
      at: run.reprotect.requestedAt,
    });
  }
  return rows.sort((a, b) => a.at.localeCompare(b.at));
}

/** The report of a run as it stands at `now` (a closed run's is final; an open one's is a snapshot). */
export function runReport(run: Run, trail: readonly AuditEntry[], now: Date): RunReport {
  const ok = (op: 'failover' | 'commit' | 'reprotect') =>
    latest(
      run.vms
        .map((v) => (op === 'failover' ? v.failover : op === 'commit' ? v.commit : v.reprotect))
        .map((s) => (s?.status === 'succeeded' ? s.endedAt : undefined)),
    );
  const failedOverAt = ok('failover');
  const committedAt = ok('commit');
  const phase = phaseOf(run);
  // Protected again means every VM of the reprotect made it: the run is done.
  const protectedAt = phase === 'done' ? ok('reprotect') : undefined;
  const target = run.plan
    ? `recovery plan ${run.plan.name} (${run.vms.map((v) => v.name).join(', ')})`
    : run.vms.map((v) => v.name).join(', ');
  const facts = [
    { label: 'Run', value: run.id },
    { label: 'Incident', value: run.incident || '—' },
    { label: 'Reason', value: run.reason || '—' },
    { label: 'Requested by', value: actorPlain(run.requesterId) },
    { label: 'Requested at', value: utcStamp(run.createdAt) },
    { label: 'Target', value: target },
    ...(run.vault ? [{ label: 'Vault', value: `${vaultLabel(run.vault)} — ${run.vault.id}` }] : []),
    { label: 'Recovery point', value: describePoint(run.recoveryPoint) },
    { label: 'Slack channel', value: run.channelId },
    { label: 'Outcome', value: PHASE_TEXT[phase] },
    { label: 'Closed at', value: run.closedAt ? utcStamp(run.closedAt) : 'still open' },
  ];
  return {
    runId: run.id,
    title: `Failback run report ${run.id}`,
    generatedAt: now.toISOString(),
    outcome: PHASE_TEXT[phase],
    facts,
    durations: [
      {
        label: 'Request → VMs running on AVS (failover ended)',
        at: failedOverAt,
        text: since(run.createdAt, failedOverAt),
      },
      { label: 'Request → committed (Azure VMs deleted)', at: committedAt, text: since(run.createdAt, committedAt) },
      { label: 'Request → protected to Azure again', at: protectedAt, text: since(run.createdAt, protectedAt) },
    ],
    approvals: approvals(run, trail),
    vms: run.vms.map((v) => reportVm(run, v)),
    timeline: trail.map((e) => ({
      at: e.at,
      what: e.what,
      who: actorPlain(e.actor),
      vm: e.vm ?? '',
      jobName: e.jobName ?? '',
      detail: withoutMentions(e.detail ?? ''),
    })),
  };
}

/**
 * Escapes text for the inside of one line of Markdown (a table cell, after a list marker): newlines
 * become spaces and what Markdown or HTML would interpret mid-line is backslash-escaped, so what a
 * user typed (`<!channel>`, `<script>`, `|`, `*`, `[x](y)`) is shown as typed. Characters that only
 * matter at the start of a line (`#`, `-`, `1.`) are left alone: no escaped text starts a line.
 */
export function mdText(raw: string): string {
  return raw
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*[\]<>|~]|&(?=#?\w+;)|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, (c) => `\\${c}`);
}

/** An ASR job id as code when it is a plain token, escaped text otherwise. */
function mdJob(jobName: string | undefined): string {
  if (!jobName) return '—';
  return /^[\w.-]+$/.test(jobName) ? `\`${jobName}\`` : mdText(jobName);
}

const mdCell = (raw: string | undefined) => (raw ? mdText(raw) : '—');

function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function opCell(o: ReportOp | undefined): string {
  if (!o) return '—';
  const parts = [o.status, mdJob(o.jobName)];
  if (o.viaPlan) parts.push('via the plan');
  if (o.op === 'reprotect' && (o.attempts ?? 1) > 1) parts.push(`${o.attempts} attempts`);
  if (o.endedAt) parts.push(`ended ${mdText(utcStamp(o.endedAt))}`);
  return parts.join(' · ');
}

/** The report as Markdown (GitHub-flavoured tables). */
export function runReportMarkdown(r: RunReport): string {
  const out: string[] = [
    `# ${mdText(r.title)}`,
    '',
    `_Generated ${mdText(utcStamp(r.generatedAt))} by failback-bot._`,
    '',
  ];
  out.push(...r.facts.map((f) => `- **${mdText(f.label)}:** ${mdText(f.value)}`), '');

  out.push('## Durations', '');
  out.push(
    ...mdTable(
      ['Milestone', 'Reached at', 'After the request'],
      r.durations.map((d) => [mdText(d.label), d.at ? mdText(utcStamp(d.at)) : '—', mdText(d.text)]),
    ),
    '',
  );

  out.push('## Approvals and decisions', '');
  if (r.approvals.length === 0) out.push('None recorded.', '');
  else
    out.push(
      ...mdTable(
        ['Time (UTC)', 'Decision', 'By', 'Detail'],
        r.approvals.map((a) => [mdText(utcStamp(a.at)), mdText(a.what), mdCell(a.who), mdCell(a.detail)]),
      ),
      '',
    );

  out.push('## VMs', '');
  const op = (v: ReportVm, k: OpKind) => opCell(v.ops.find((o) => o.op === k));
  out.push(
    ...mdTable(
      ['VM', 'Recovery point (at the request)', 'RPO', 'Failover', 'Commit', 'Reprotect'],
      r.vms.map((v) => [
        mdText(v.name),
        mdText(v.point),
        mdText(v.rpo),
        op(v, 'failover'),
        op(v, 'commit'),
        op(v, 'reprotect'),
      ]),
    ),
    '',
  );
  const errors = r.vms.flatMap((v) =>
    v.ops
      .filter((o) => o.error)
      .map(
        (o) =>
          `- **${mdText(v.name)}**, ${o.op}${o.status === 'succeeded' ? ' (passed: succeeded on a later attempt)' : ''}: ${mdText(o.error ?? '')}`,
      ),
  );
  if (errors.length > 0) out.push('### ASR errors', '', ...errors, '');
  const leftOut = r.vms.filter((v) => v.leftOut);
  if (leftOut.length > 0) {
    out.push('### Left out of the run', '');
    out.push(
      ...leftOut.map(
        (v) =>
          `- **${mdText(v.name)}** by ${mdText(v.leftOut?.by ?? '')} at ${mdText(utcStamp(v.leftOut?.at ?? ''))}: ${mdText(v.leftOut?.reason ?? '')}`,
      ),
      '',
    );
  }
  const checked = r.vms.filter((v) => v.checks.length > 0);
  if (checked.length > 0) {
    out.push('### Application checks', '');
    out.push(
      ...mdTable(
        ['VM', 'Check', 'Result', 'Target', 'Evidence'],
        checked.flatMap((v) =>
          v.checks.map((c) => [mdText(v.name), mdText(c.name), mdText(c.status), mdText(c.target), mdText(c.evidence)]),
        ),
      ),
      '',
    );
  }
  const shutdowns = r.vms.filter((v) => v.shutdown);
  if (shutdowns.length > 0)
    out.push(
      `Shutdown of the Azure VMs during the failover: ${shutdowns.map((v) => `${mdText(v.name)} ${mdText(v.shutdown ?? '')}`).join(', ')}.`,
      '',
    );

  out.push('## Timeline', '');
  if (r.timeline.length === 0) out.push('The audit trail is empty.', '');
  else {
    out.push(
      ...mdTable(
        ['Time (UTC)', 'What', 'Who', 'VM', 'ASR job', 'Detail'],
        r.timeline.map((t) => [
          mdText(utcStamp(t.at)),
          mdText(t.what),
          mdCell(t.who),
          mdCell(t.vm),
          mdJob(t.jobName),
          mdCell(t.detail),
        ]),
      ),
      '',
    );
  }
  return out.join('\n');
}
