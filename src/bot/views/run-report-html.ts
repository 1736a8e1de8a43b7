import { escapeHtml } from '../../domain/html';
import type { OpKind } from '../../domain/run';
import { utcStamp, type ReportOp, type ReportVm, type RunReport } from './run-report';

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1d1c1d; margin: 2rem auto; max-width: 70rem; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.8rem 0 .5rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
.generated { color: #616061; margin: 0 0 1rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { border: 1px solid #d0d0d0; padding: .3rem .45rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f4f4f4; }
code { font: 12px/1.3 ui-monospace, Menlo, Consolas, monospace; }
.failed { color: #b00020; font-weight: 600; }
.succeeded { color: #1a7f37; }
.muted { color: #616061; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  tr, li { break-inside: avoid; }
  thead { display: table-header-group; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
@page { size: A4 landscape; margin: 12mm; }
`;

const e = escapeHtml;
const cell = (raw: string | undefined) => (raw ? e(raw) : '<span class="muted">—</span>');
const job = (name: string | undefined) => (name ? `<code>${e(name)}</code>` : '<span class="muted">—</span>');

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th>${e(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function opCell(o: ReportOp | undefined): string {
  if (!o) return '<span class="muted">—</span>';
  const cls = o.status === 'failed' ? 'failed' : o.status === 'succeeded' ? 'succeeded' : '';
  const parts = [`<span class="${cls}">${e(o.status)}</span>`, job(o.jobName)];
  if (o.viaPlan) parts.push('via the plan');
  if (o.op === 'reprotect' && (o.attempts ?? 1) > 1) parts.push(`${o.attempts} attempts`);
  if (o.endedAt) parts.push(`ended ${e(utcStamp(o.endedAt))}`);
  if (o.error)
    parts.push(
      o.status === 'succeeded'
        ? `<span>earlier attempt: ${e(o.error)}</span>`
        : `<span class="failed">${e(o.error)}</span>`,
    );
  return parts.join('<br>');
}

const opOf = (v: ReportVm, k: OpKind) => opCell(v.ops.find((o) => o.op === k));

/** The report as one self-contained HTML page (inline CSS, prints on A4 landscape); all text escaped. */
export function runReportHtml(r: RunReport): string {
  const facts = r.facts.map((f) => `<dt>${e(f.label)}</dt><dd>${e(f.value)}</dd>`).join('\n');
  const durations = table(
    ['Milestone', 'Reached at', 'After the request'],
    r.durations.map((d) => [e(d.label), d.at ? e(utcStamp(d.at)) : cell(undefined), e(d.text)]),
  );
  const approvals =
    r.approvals.length === 0
      ? '<p class="muted">None recorded.</p>'
      : table(
          ['Time (UTC)', 'Decision', 'By', 'Detail'],
          r.approvals.map((a) => [e(utcStamp(a.at)), e(a.what), cell(a.who), cell(a.detail)]),
        );
  const vms = table(
    ['VM', 'Recovery point (at the request)', 'RPO', 'Failover', 'Commit', 'Reprotect'],
    r.vms.map((v) => [
      `<strong>${e(v.name)}</strong>`,
      e(v.point),
      e(v.rpo),
      opOf(v, 'failover'),
      opOf(v, 'commit'),
      opOf(v, 'reprotect'),
    ]),
  );
  const leftOut = r.vms.filter((v) => v.leftOut);
  const leftOutHtml =
    leftOut.length === 0
      ? ''
      : `<h3>Left out of the run</h3>\n<ul>\n${leftOut
          .map(
            (v) =>
              `<li><strong>${e(v.name)}</strong> by ${e(v.leftOut?.by ?? '')} at ${e(utcStamp(v.leftOut?.at ?? ''))}: ${e(v.leftOut?.reason ?? '')}</li>`,
          )
          .join('\n')}\n</ul>`;
  const checked = r.vms.filter((v) => v.checks.length > 0);
  const checksHtml =
    checked.length === 0
      ? ''
      : `<h3>Application checks</h3>\n${table(
          ['VM', 'Check', 'Result', 'Target', 'Evidence'],
          checked.flatMap((v) =>
            v.checks.map((c) => [
              e(v.name),
              e(c.name),
              `<span class="${c.status === 'failed' ? 'failed' : c.status === 'passed' ? 'succeeded' : ''}">${e(c.status)}</span>`,
              e(c.target),
              e(c.evidence),
            ]),
          ),
        )}`;
  const shutdowns = r.vms.filter((v) => v.shutdown);
  const shutdownHtml =
    shutdowns.length === 0
      ? ''
      : `<p>Shutdown of the Azure VMs during the failover: ${shutdowns.map((v) => `${e(v.name)} ${e(v.shutdown ?? '')}`).join(', ')}.</p>`;
  const timeline =
    r.timeline.length === 0
      ? '<p class="muted">The audit trail is empty.</p>'
      : table(
          ['Time (UTC)', 'What', 'Who', 'VM', 'ASR job', 'Detail'],
          r.timeline.map((t) => [
            e(utcStamp(t.at)),
            e(t.what),
            cell(t.who),
            cell(t.vm),
            job(t.jobName),
            cell(t.detail),
          ]),
        );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(r.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${e(r.title)}</h1>
<p class="generated">Generated ${e(utcStamp(r.generatedAt))} by failback-bot · ${e(r.outcome)}</p>
<dl class="facts">
${facts}
</dl>
<h2>Durations</h2>
${durations}
<h2>Approvals and decisions</h2>
${approvals}
<h2>VMs</h2>
${vms}
${leftOutHtml}
${checksHtml}
${shutdownHtml}
<h2>Timeline</h2>
${timeline}
</body>
</html>
`;
}
