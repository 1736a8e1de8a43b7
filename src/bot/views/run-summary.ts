import type { KnownBlock } from '@slack/types';
import type { AuditEntry } from '../../domain/run-machine';
import type { Run } from '../../domain/run';
import { actorText } from './people';
import { ACTION } from '../ids';
import { LIMITS, plain, safeLine, section } from './text';
import { utcTime } from './time';
import { vmSections } from './vm-list';

// VM lines take at most this many sections: the summary stays short; the run report lists every VM.
const VM_BLOCKS = 10;

function duration(fromIso: string, toIso: string | undefined): string {
  if (!toIso) return '—';
  const min = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000));
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

const latest = (ts: (string | undefined)[]) =>
  ts
    .filter((t): t is string => !!t)
    .sort()
    .at(-1);

/**
 * The closing summary posted to the run's thread: timeline with durations, who did what, and the
 * ASR job ids per VM.
 */
export function runSummary(run: Run, trail: readonly AuditEntry[]): { text: string; blocks: KnownBlock[] } {
  const failedOverAt = latest(run.vms.map((v) => v.failover.endedAt));
  const committedAt = latest(run.vms.map((v) => v.commit?.endedAt));
  const protectedAt = latest(run.vms.map((v) => v.reprotect?.endedAt));
  const timeline = [
    `• ${utcTime(run.createdAt)} requested by <@${run.requesterId}>`,
    `• ${failedOverAt ? utcTime(failedOverAt) : '—'} failed over to AVS (${duration(run.createdAt, failedOverAt)} after the request)`,
    run.commit
      ? `• ${committedAt ? utcTime(committedAt) : '—'} committed, approved by ${actorText(run.commit.approvedBy)} (${duration(run.commit.approvedAt, committedAt)})`
      : '',
    run.reprotect
      ? `• ${protectedAt ? utcTime(protectedAt) : '—'} protected to Azure again, reprotect started by ${actorText(run.reprotect.requestedBy)} (${duration(run.reprotect.requestedAt, protectedAt)})`
      : '',
    `• total: ${duration(run.createdAt, protectedAt ?? committedAt ?? failedOverAt)}`,
  ].filter(Boolean);
  const vmLines = run.vms.map((v) => {
    const jobs = [
      ['failover', v.failover.jobName],
      ['commit', v.commit?.jobName],
      ['reprotect', v.reprotect?.jobName],
    ]
      .filter(([, j]) => j)
      .map(([k, j]) => `${k} \`${safeLine(j ?? '', 80)}\``);
    const retries =
      v.reprotect?.attempt && v.reprotect.attempt > 1 ? ` · ${v.reprotect.attempt} reprotect attempts` : '';
    return `• *${safeLine(v.name, 80)}* — ${jobs.join(', ') || 'no ASR job'}${retries}`;
  });
  const retriesLogged = trail.filter((e) => e.what.endsWith('will be retried')).length;
  const text = `Failback ${run.id} finished: every VM is protected to Azure again.`;
  const blocks: KnownBlock[] = [
    section(`:checkered_flag: *${text}*`),
    section(`*Timeline*\n${timeline.join('\n')}`),
    ...vmSections(run.id, ['*ASR jobs*', ...vmLines], VM_BLOCKS),
    section(
      `_${retriesLogged} retr${retriesLogged === 1 ? 'y' : 'ies'} while agents re-registered; the audit trail has every step._`,
    ),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION.uploadReport,
          value: run.id,
          text: plain('Upload run report', LIMITS.buttonText),
        },
      ],
    },
  ];
  return { text, blocks };
}
