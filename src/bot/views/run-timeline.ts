import type { KnownBlock } from '@slack/types';
import { actorText } from './people';
import type { AuditEntry } from '../../domain/run-machine';
import { LIMITS, packLines, safeLine, section } from './text';

/** One line per trail entry: time, what happened, who, on which VM, the ASR job, the detail. */
export function timelineLine(e: AuditEntry): string {
  const at = Number.isNaN(Date.parse(e.at)) ? '--:--' : new Date(e.at).toISOString().slice(11, 19);
  const parts = [`\`${at}\` ${safeLine(e.what, 120)}`];
  if (e.vm) parts.push(`*${safeLine(e.vm, 80)}*`);
  if (e.actor) parts.push(`by ${actorText(e.actor)}`);
  if (e.jobName) parts.push(`job \`${safeLine(e.jobName, 80).replace(/`/g, "'")}\``);
  if (e.detail) parts.push(`_${safeLine(e.detail, 300)}_`);
  return parts.join(' · ');
}

/**
 * The run's audit trail as a timeline (UTC, oldest first), for `/failback status`: at most
 * `maxBlocks` sections; a longer trail ends with how many entries were left out (the run report has
 * them all).
 */
export function runTimeline(trail: readonly AuditEntry[], maxBlocks: number): KnownBlock[] {
  if (trail.length === 0) return [section('*Timeline*\nNo events recorded.')];
  const day = trail[0]?.at.slice(0, 10) ?? '';
  const head = `*Timeline* (UTC${day ? `, ${day}` : ''}; the run report has every detail: \`/failback report\`)`;
  const chunks = packLines(
    [head, ...trail.map(timelineLine)],
    LIMITS.sectionText,
    Math.max(1, maxBlocks),
    'more events',
  );
  return chunks.map((t) => section(t));
}
