import type { KnownBlock } from '@slack/types';
import { phaseOf, type Run } from '../../domain/run';
import { actorText } from './people';
import { PHASE_TEXT } from './run-card';
import { LIMITS, listWithin, packLines, safeLine, section } from './text';
import { utcTime } from './time';

function minutesBetween(from: string, to: string | undefined): string {
  if (!to) return 'running';
  const min = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** `/failback history [n]`: one line per run, newest first — id, target, outcome, who, how long. */
export function runHistory(runs: readonly Run[]): { text: string; blocks: KnownBlock[] } {
  if (runs.length === 0) return { text: 'No failback runs yet.', blocks: [section('No failback runs yet.')] };
  const lines = runs.map((run) => {
    const target = listWithin(
      run.vms.map((v) => safeLine(v.name, 60)),
      300,
    );
    const who = [`requested by <@${run.requesterId}>`];
    if (run.commit) who.push(`committed by ${actorText(run.commit.approvedBy)}`);
    if (run.reprotect) who.push(`reprotect by ${actorText(run.reprotect.requestedBy)}`);
    return `• *${run.id}* ${utcTime(run.createdAt)} · ${target} · _${PHASE_TEXT[phaseOf(run)]}_ · ${who.join(', ')} · ${minutesBetween(run.createdAt, run.closedAt)}`;
  });
  const text = `Recent failback runs (${runs.length})`;
  return {
    text,
    blocks: [section(`*${text}*`), ...packLines(lines, LIMITS.sectionText, 40, 'more runs').map((t) => section(t))],
  };
}
