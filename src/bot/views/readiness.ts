import type { KnownBlock } from '@slack/types';
import { minutesText, type ReadinessReport, type ReadinessRow, type ReadinessVerdict } from '../../domain/readiness';
import { context, LIMITS, plain, safeLine, section } from './text';
import { utcTime } from './time';
import { vaultLabel } from '../../domain/vault';

const MARK: Readonly<Record<ReadinessVerdict, string>> = {
  ready: ':large_green_circle:',
  'at-risk': ':large_yellow_circle:',
  blocked: ':red_circle:',
};
const WORD: Readonly<Record<ReadinessVerdict, string>> = { ready: 'ready', 'at-risk': 'at risk', blocked: 'blocked' };

/** Rows shown in a readiness message; the full table goes in a file. */
export const READINESS_ROWS_SHOWN = 20;

function countsLine(report: ReadinessReport): string {
  const part = (kind: 'vm' | 'plan', label: string) => {
    const c = report.counts[kind];
    const total = c.ready + c['at-risk'] + c.blocked;
    if (total === 0) return undefined;
    return `*${label}:* ${c.ready} ready · ${c['at-risk']} at risk · ${c.blocked} blocked`;
  };
  return [part('vm', 'VMs'), part('plan', 'Recovery plans')].filter(Boolean).join('   ') || 'No replicated VMs.';
}

export function rpoText(row: ReadinessRow): string {
  if (!row.pointsKnown) return 'RPO not read yet';
  const crash =
    row.crashAgeMs !== undefined ? `crash-consistent ${minutesText(row.crashAgeMs)}` : 'no crash-consistent point';
  const app = row.appAgeMs !== undefined ? ` · app-consistent ${minutesText(row.appAgeMs)}` : '';
  return `${crash}${app}`;
}

function healthText(row: ReadinessRow): string {
  const parts: string[] = [];
  if (row.replicationHealth) parts.push(`replication ${safeLine(row.replicationHealth, 20)}`);
  if (row.agentHeartbeatAgeMs !== undefined) parts.push(`agent heard ${minutesText(row.agentHeartbeatAgeMs)} ago`);
  if (row.server) {
    const heard =
      row.server.heartbeatAgeMs !== undefined ? `, heard ${minutesText(row.server.heartbeatAgeMs)} ago` : '';
    parts.push(
      `via ${safeLine(row.server.name, 60)}${row.server.health ? ` (${safeLine(row.server.health, 20)}${heard})` : ''}`,
    );
  }
  return parts.join(' · ');
}

/** One row as mrkdwn: mark, name (and vault, when there are several), RPO, health, what blocks it. */
export function readinessLine(row: ReadinessRow, withVault = false): string {
  const vault = withVault && row.vault ? ` in ${safeLine(vaultLabel(row.vault), 80)}` : '';
  const name = `${row.kind === 'plan' ? 'plan ' : ''}*${safeLine(row.name, 80)}*${vault}`;
  const members = row.members ? ` (${row.members.ready} of ${row.members.total} VMs can go)` : '';
  const lines = [`${MARK[row.verdict]} ${name} — ${WORD[row.verdict]}${members} · ${rpoText(row)}`];
  const health = row.kind === 'vm' ? healthText(row) : '';
  if (health) lines.push(`      ${health}`);
  for (const r of row.reasons.slice(0, 3)) lines.push(`      ↳ ${safeLine(r, 300)}`);
  if (row.reasons.length > 3) lines.push(`      ↳ …and ${row.reasons.length - 3} more`);
  return lines.join('\n');
}

/** What the report covers: the one vault's name, or how many vaults. */
export function estateTitle(report: ReadinessReport): string {
  const vaults = report.vaults.length + report.unreadable.length;
  const only = report.vaults[0]?.vault ?? report.unreadable[0]?.vault;
  return vaults === 1 && only ? vaultLabel(only) : `${vaults} vaults`;
}

/** One line per vault (with several), and one per vault that could not be read. */
function vaultLines(report: ReadinessReport): string | undefined {
  const lines: string[] = [];
  if (report.vaults.length + report.unreadable.length > 1)
    for (const { vault, counts } of report.vaults.slice(0, 20))
      lines.push(
        `*${safeLine(vaultLabel(vault), 100)}*: ${counts.vm.ready} ready · ${counts.vm['at-risk']} at risk · ${counts.vm.blocked} blocked`,
      );
  for (const u of report.unreadable.slice(0, 20))
    lines.push(`:no_entry_sign: *${safeLine(vaultLabel(u.vault), 100)}* cannot be read: ${safeLine(u.message, 300)}`);
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/** The readiness answer: counts, the worst rows, and where the rest is. */
export function readinessMessage(
  report: ReadinessReport,
  options: { readonly shown?: number; readonly fileNote?: string | undefined } = {},
): { text: string; blocks: KnownBlock[] } {
  const shown = Math.min(options.shown ?? READINESS_ROWS_SHOWN, LIMITS.messageBlocks - 6);
  const title = estateTitle(report);
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`Failback readiness — ${title}`, LIMITS.headerText) },
    section(countsLine(report)),
  ];
  const perVault = vaultLines(report);
  if (perVault) blocks.push(section(perVault));
  const several = report.vaults.length > 1;
  for (const row of report.rows.slice(0, shown)) blocks.push(section(readinessLine(row, several)));
  const notes: string[] = [`As of ${utcTime(report.at)}, worst first.`];
  if (report.rows.length > shown) notes.push(options.fileNote ?? `${report.rows.length - shown} more not shown.`);
  if (report.pointsUnknown > 0)
    notes.push(`Recovery points of ${report.pointsUnknown} VMs are not read yet; they fill in over the next minutes.`);
  blocks.push(context(notes.join(' ')));
  const c = report.counts.vm;
  return {
    text: `Failback readiness of ${title}: ${c.ready} VMs ready, ${c['at-risk']} at risk, ${c.blocked} blocked`,
    blocks,
  };
}

const csvCell = (v: string | number | undefined): string => {
  const s = v === undefined ? '' : String(v);
  // A leading = + - @ would be a formula in a spreadsheet (CSV injection): quoted with a tick.
  const safeText = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safeText) ? `"${safeText.replace(/"/g, '""')}"` : safeText;
};

const minutes = (ms: number | undefined) => (ms === undefined ? undefined : Math.floor(ms / 60_000));

/** The full table (every row), as CSV for a spreadsheet. */
export function readinessCsv(report: ReadinessReport): string {
  const header = [
    'kind',
    'name',
    'vault',
    'verdict',
    'crash-consistent point age (min)',
    'app-consistent point age (min)',
    'replication health',
    'agent heartbeat age (min)',
    'server',
    'server health',
    'reasons',
  ];
  const lines = report.rows.map((r) =>
    [
      r.kind,
      r.name,
      r.vault ? vaultLabel(r.vault) : undefined,
      WORD[r.verdict],
      r.pointsKnown ? minutes(r.crashAgeMs) : 'not read',
      minutes(r.appAgeMs),
      r.replicationHealth,
      minutes(r.agentHeartbeatAgeMs),
      r.server?.name,
      r.server?.health,
      r.reasons.join('; '),
    ]
      .map(csvCell)
      .join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}
