import { summarizeChecks, type CheckState } from '../../domain/app-checks';
import { safeLine } from './text';

const MARK: Readonly<Record<CheckState['status'], string>> = {
  passed: ':white_check_mark:',
  failed: ':x:',
  trying: ':hourglass_flowing_sand:',
  pending: ':hourglass_flowing_sand:',
};

/** "checks 2 of 3 passed, 1 failed" — for the run card's VM line; empty without checks. */
export function checksShort(checks: readonly CheckState[] | undefined): string {
  if (!checks || checks.length === 0) return '';
  const s = summarizeChecks(checks);
  const parts = [`${s.passed} of ${checks.length} passed`];
  if (s.failed > 0) parts.push(`${s.failed} failed`);
  if (s.trying + s.pending > 0) parts.push(`${s.trying + s.pending} still trying`);
  return ` · checks ${parts.join(', ')}`;
}

/** What a check's last attempt showed: status, resolved addresses, latency, error. */
export function evidenceText(c: CheckState): string {
  const e = c.last?.evidence;
  if (!e) return 'not tried yet';
  const parts: string[] = [];
  if (e.status !== undefined) parts.push(`HTTP ${e.status}`);
  if (e.address && e.address.length > 0) parts.push(safeLine(e.address.slice(0, 4).join(', '), 120));
  if (e.latencyMs !== undefined) parts.push(`${e.latencyMs} ms`);
  if (e.error) parts.push(safeLine(e.error, 200));
  const tries = c.attempts > 1 ? ` (${c.attempts} attempts)` : '';
  return `${parts.join(' · ') || 'no answer'}${tries}`;
}

/** One line per check, for the verification prompt (evidence included). */
export function checkLines(checks: readonly CheckState[] | undefined): string[] {
  return (checks ?? []).map(
    (c) =>
      `      ${MARK[c.status]} ${safeLine(c.name, 80)} — ${c.status === 'pending' ? 'still trying' : c.status === 'trying' ? 'still trying' : c.status}: ` +
      `\`${safeLine(c.targetText, 200).replace(/`/g, "'")}\` · ${evidenceText(c)}`,
  );
}
