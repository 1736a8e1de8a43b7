import type { KnownBlock, MrkdwnElement } from '@slack/types';
import {
  cancellable,
  type OpKind,
  type OpState,
  type Run,
  type RunPhase,
  type RunVm,
  opOf,
  phaseOf,
  rechecking,
} from '../../domain/run';
import { checksShort } from './check-results';
import { vaultLabel } from '../../domain/vault';
import { actorText } from './people';
import { describePoint } from '../../domain/vm';
import { LIMITS, listWithin, plain, plural, safe, safeLine } from './text';
import { ACTION } from '../ids';
import type { JobLink } from './portal-link';
import { utcTime } from './time';
import { vmSections } from './vm-list';

/** What each phase is called on the card. */
export const PHASE_TEXT: Readonly<Record<RunPhase, string>> = {
  cancelled: 'Cancelled — nothing was done in ASR',
  'failing-over': 'Failing back…',
  'awaiting-commit': 'Waiting for an approver to commit',
  committing: 'Committing…',
  'awaiting-reprotect': 'Committed — ready for reprotect',
  reprotecting: 'Reprotecting to Azure…',
  'reprotect-failed': 'Reprotect failed',
  done: 'Done — protected to Azure again',
  failed: 'Failed',
};

export interface RunCardOptions {
  /** Links each VM's ASR jobs to the Azure portal; without it the card names the steps only. */
  readonly jobLink?: JobLink | undefined;
  /** At most this many blocks (a message's 50 by default; less when the card shares a message). */
  readonly maxBlocks?: number | undefined;
}

/**
 * The run card: the one message per run that is edited in place as the run moves on. Everything a
 * user typed or ASR returned is escaped; more VMs than fit in 50 blocks are grouped several per
 * section, and past that summarised as “…and N more VMs: see the run report”.
 */
export function runCard(run: Run, now: Date, options: RunCardOptions = {}): { text: string; blocks: KnownBlock[] } {
  const phase = PHASE_TEXT[phaseOf(run)];
  const field = (label: string, value: string): MrkdwnElement => ({
    type: 'mrkdwn',
    text: `*${label}*\n${value || '—'}`,
  });
  const names = run.vms.map((v) => safeLine(v.name, 80));
  const lines = run.vms.map((vm) => vmLine(run, vm, options.jobLink));
  const updated = [`Last updated ${utcTime(now)}`];
  if (run.commit)
    updated.push(`commit approved by ${actorText(run.commit.approvedBy)} at ${utcTime(run.commit.approvedAt)}`);
  if (run.reprotect)
    updated.push(
      `reprotect started by ${actorText(run.reprotect.requestedBy)} at ${utcTime(run.reprotect.requestedAt)}`,
    );
  if (run.cancelled)
    updated.push(
      `cancelled by <@${run.cancelled.by}> at ${utcTime(run.cancelled.at)}; its VMs are free for another run`,
    );
  const phaseNow = phaseOf(run);
  if (phaseNow === 'failing-over' && !cancellable(run)) updated.push(NOT_CANCELLABLE);
  const head: KnownBlock[] = [
    { type: 'header', text: plain(`Failback ${run.id} — ${phase}`, LIMITS.headerText) },
    {
      type: 'section',
      fields: [
        field('Requested by', `<@${run.requesterId}>`),
        field(
          'Target',
          run.plan
            ? `Recovery plan *${safeLine(run.plan.name, 100)}*: ${listWithin(names, 1400)}`
            : listWithin(names, 1500),
        ),
        field('Recovery point', safeLine(describePoint(run.recoveryPoint), 200)),
        field('Incident', safeLine(run.incident, 200)),
        ...(run.vault ? [field('Vault', safeLine(vaultLabel(run.vault), 200))] : []),
        field('Reason', safe(run.reason, 1500)),
      ],
    },
    { type: 'divider' },
  ];
  const tail: KnownBlock[] = [
    ...reprotectActions(run, phaseNow),
    ...cancelActions(run),
    ...recheckActions(run),
    { type: 'context', elements: [{ type: 'mrkdwn', text: updated.join(' · ') }] },
  ];
  const room = Math.min(options.maxBlocks ?? LIMITS.messageBlocks, LIMITS.messageBlocks) - head.length - tail.length;
  const blocks = [...head, ...vmSections(run.id, lines, room), ...tail];
  const text = `Failback ${run.id} (${safeLine(run.incident, 100) || 'no incident'}): ${phase} — ${plural(run.vms.length, 'VM')}`;
  return { text, blocks };
}

/** Shown once the failover is issued: what can still be done, since ASR cannot take it back. */
export const NOT_CANCELLABLE =
  'ASR is running the failover, so the run can no longer be cancelled; nothing is deleted before someone commits, ' +
  'and in ASR the VMs can be failed over to Azure again once this failover has ended';

/** Cancel while nothing has been issued to ASR (the requester or an approver; checked on click). */
function cancelActions(run: Run): KnownBlock[] {
  if (!cancellable(run)) return [];
  return [
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION.cancelRun,
          text: plain('Cancel run', LIMITS.buttonText),
          value: run.id,
          style: 'danger',
          confirm: {
            title: plain('Cancel this failback?', 100),
            text: {
              type: 'mrkdwn',
              text: `Nothing has been issued to ASR yet. ${run.id} ends and its VMs are free for another run.`,
            },
            confirm: plain('Cancel run', 30),
            deny: plain('Keep it', 30),
          },
        },
      ],
    },
  ];
}

/** While an operation waits on ASR (a re-read with back-off), approvers may ask for the read now. */
function recheckActions(run: Run): KnownBlock[] {
  if (rechecking(run).length === 0) return [];
  return [
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION.recheck,
          text: plain('Look at ASR again now', LIMITS.buttonText),
          value: run.id,
        },
      ],
    },
  ];
}

/** Reprotect (or Retry reprotect) once the commit is done; nothing otherwise. */
function reprotectActions(run: Run, phase: RunPhase): KnownBlock[] {
  if (phase !== 'awaiting-reprotect' && phase !== 'reprotect-failed') return [];
  const retry = phase === 'reprotect-failed';
  return [
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION.reprotect,
          text: plain(retry ? 'Retry reprotect' : 'Reprotect to Azure', LIMITS.buttonText),
          value: run.id,
          style: 'primary',
        },
      ],
    },
  ];
}

const EMOJI: Readonly<Record<OpState['status'], string>> = {
  pending: ':hourglass:',
  waiting: ':hourglass_flowing_sand:',
  issuing: ':hourglass_flowing_sand:',
  running: ':arrows_counterclockwise:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
};

const STEPS: readonly OpKind[] = ['failover', 'commit', 'reprotect'];

/**
 * The steps ASR has run a job for, by name — each linked to its job in the Azure portal when
 * `jobLink` gives a link. The job ids themselves are in the run report and the audit trail: people
 * read names, not GUIDs.
 */
function stepLinks(vm: RunVm, jobLink: JobLink | undefined): string[] {
  return STEPS.flatMap((step) => {
    const job = opOf(vm, step)?.jobName;
    if (!job) return [];
    const url = jobLink?.(job, vm.id);
    // The link text is the step's name, never ASR's text; the URL is percent-encoded by jobLink.
    return [url ? `<${url}|${step}>` : step];
  });
}

/** One line per VM: status emoji, name, what ASR is doing with it, and the steps ASR ran (linked to their jobs). */
export function vmLine(run: Run, vm: RunVm, jobLink?: JobLink): string {
  const inCommit = vm.failover.status === 'succeeded' && run.commit !== undefined;
  const inReprotect = inCommit && vm.commit?.status === 'succeeded' && vm.reprotect !== undefined;
  const op: OpState = inReprotect
    ? (vm.reprotect ?? { status: 'pending' })
    : inCommit
      ? (vm.commit ?? { status: 'pending' })
      : vm.failover;
  const jobs = stepLinks(vm, jobLink);
  const status = run.cancelled
    ? 'not started (run cancelled)'
    : inReprotect
      ? reprotectStatus(op)
      : inCommit
        ? commitStatus(op)
        : failoverStatus(op);
  const emoji = vm.leftOut || run.cancelled ? ':heavy_minus_sign:' : EMOJI[op.status];
  const outside = op.outside && op.status === 'succeeded' ? ' (done outside the bot, seen in ASR)' : '';
  const checks = inCommit ? '' : checksShort(vm.checks);
  return `${emoji} *${safeLine(vm.name, 80)}* — ${status}${outside}${checks}${leftOutText(vm)}${jobs.map((j) => ` · ${j}`).join('')}`;
}

/** A wait the bot put in because ASR could not take the operation now (see domain/rechecks). */
function recheckText(what: string, op: OpState): string {
  const since = op.waitingSince ? ` since ${utcTime(op.waitingSince)}` : '';
  const next = op.nextAttemptAt ? ` — looking again at ${utcTime(op.nextAttemptAt)}` : '';
  return `${what} waits${since}: ${safeLine(op.waitingFor ?? 'ASR', 300)}${next}`;
}

function failoverStatus(op: OpState): string {
  switch (op.status) {
    case 'waiting':
      return op.checks ? recheckText('failover', op) : 'waiting to start';
    case 'pending':
      return 'waiting to start';
    case 'issuing':
      return 'starting the failover';
    case 'running': {
      const p = op.progress;
      return p ? `failover running — ${safeLine(p.task, 150)} (${p.done}/${p.total})` : 'failover running';
    }
    case 'succeeded':
      return 'failed over';
    case 'failed':
      return `failover failed: ${safeLine(op.error ?? 'no message from ASR', 400)}`;
  }
}

function leftOutText(vm: RunVm): string {
  return vm.leftOut ? ` · left out by <@${vm.leftOut.by}>: ${safeLine(vm.leftOut.reason, 200)}` : '';
}

function commitStatus(op: OpState): string {
  switch (op.status) {
    case 'waiting':
      return op.checks ? recheckText('commit', op) : 'committing';
    case 'pending':
    case 'issuing':
    case 'running':
      return 'committing';
    case 'succeeded':
      return 'committed';
    case 'failed':
      return `commit failed: ${safeLine(op.error ?? 'no message from ASR', 400)}`;
  }
}

function reprotectStatus(op: OpState): string {
  switch (op.status) {
    case 'pending':
    case 'issuing':
      return `starting the reprotect${op.attempt && op.attempt > 1 ? ` (attempt ${op.attempt})` : ''}`;
    case 'waiting':
      if (op.checks) return recheckText('reprotect', op);
      return (
        `waiting for ${safeLine(op.waitingFor ?? 'ASR', 120)}${op.waitingSince ? ` (since ${utcTime(op.waitingSince)})` : ''}` +
        ` — attempt ${op.attempt ?? 2} at ${op.nextAttemptAt ? utcTime(op.nextAttemptAt) : 'soon'}`
      );
    case 'running': {
      const p = op.progress;
      return p ? `reprotecting — ${safeLine(p.task, 150)} (${p.done}/${p.total})` : 'reprotecting';
    }
    case 'succeeded':
      return 'protected to Azure again';
    case 'failed':
      return `reprotect failed: ${safeLine(op.error ?? 'no message from ASR', 400)}`;
  }
}
