import type { KnownBlock } from '@slack/types';
import { type Run, type RunVm, commitScope, failedFailovers, phaseOf } from '../../domain/run';
import { checkLines } from './check-results';
import { actorText } from './people';
import { ACTION } from '../ids';
import { LIMITS, context, listWithin, plain, plural, safeLine, section } from './text';
import { utcTime } from './time';
import { vmSections } from './vm-list';

export interface Approvers {
  /** Slack user ids (U…, W…). */
  readonly users: readonly string[];
  /** Slack user-group ids (S…). */
  readonly groups: readonly string[];
}

/**
 * The prompt posted once the failover has ended (step 6 of Microsoft's failback tutorial): each VM's outcome and ASR's
 * shutdown of its Azure VM, the Windows/VMware-Tools note, what to check, who may commit, and the
 * Commit button — only while the run awaits a commit and something failed over. Once the commit is
 * approved the button is replaced by who approved it (Slack buttons cannot be disabled).
 */
export function verificationPrompt(run: Run, approvers: Approvers, now: Date): { text: string; blocks: KnownBlock[] } {
  const phase = phaseOf(run);
  const scope = commitScope(run);
  const ended = lastEnded(run.vms) ?? now;
  const lines = run.vms.map(outcomeLine);
  if (phase === 'failing-over') {
    // A retry of the failed VMs runs: no Commit until it has ended.
    const retrying = run.vms
      .filter((v) => v.failover.status !== 'succeeded' && v.failover.status !== 'failed')
      .map((v) => safeLine(v.name, 80));
    return {
      text: `Failback ${run.id}: retrying the failover of ${listWithin(retrying, 1500)}.`,
      blocks: [
        section(`*Failback ${run.id}: retrying the failover of ${listWithin(retrying, 1500)}…*`),
        ...vmSections(run.id, lines, LIMITS.messageBlocks - 2),
        context('Commit is offered again once the retry has ended.'),
      ],
    };
  }
  const intro = section(
    `*Failback ${run.id}: the failover from Azure ended at ${utcTime(ended)}.* ${scope.length} of ${plural(run.vms.length, 'VM')} failed over.`,
  );
  // What follows the VM lines is built first: the VM lines get whatever room of the 50 blocks is left.
  const after = afterOutcomes(run, approvers, scope);
  const blocks: KnownBlock[] = [intro, ...vmSections(run.id, lines, LIMITS.messageBlocks - 1 - after.length), ...after];
  if (scope.length === 0) return { text: `Failback ${run.id}: no VM failed over — nothing to commit.`, blocks };
  const text = run.commit
    ? `Failback ${run.id}: commit approved by ${actorText(run.commit.approvedBy)}.`
    : `Failback ${run.id}: ${scope.length} of ${plural(run.vms.length, 'VM')} failed over — verify, then an approver commits.`;
  return { text, blocks };
}

/** Everything below the VM lines: the Windows note, then the checklist, approvers and buttons (or why there is nothing to commit). */
function afterOutcomes(run: Run, approvers: Approvers, scope: readonly RunVm[]): KnownBlock[] {
  const phase = phaseOf(run);
  const blocks: KnownBlock[] = [];
  const windows = scope.filter((v) => /windows/i.test(v.osType ?? ''));
  if (windows.length > 0) {
    blocks.push(
      context(
        `:information_source: *Windows VMs* (${listWithin(
          windows.map((v) => safeLine(v.name, 80)),
          1500,
        )}): ` +
          'Site Recovery disabled VMware Tools during the failover; they are re-enabled on failback — check they run.',
      ),
    );
  }
  if (scope.length === 0) {
    blocks.push(
      section(
        ':no_entry: No VM failed over, so there is nothing to commit. Fix the cause ASR reports above, then request a new failback.',
      ),
    );
    return blocks;
  }
  blocks.push(section(checklist(windows.length > 0)), section(approverLine(approvers)));
  if (run.commit) {
    blocks.push(
      context(`:lock: Commit approved by ${actorText(run.commit.approvedBy)} at ${utcTime(run.commit.approvedAt)}`),
    );
  } else if (phase === 'awaiting-commit') {
    const failed = failedFailovers(run);
    if (failed.length > 0) {
      blocks.push(
        context(
          `:warning: ${plural(failed.length, 'VM')} did not fail over. *Retry failover* tries ${failed.length === 1 ? 'it' : 'them'} again in this run; ` +
            '*Leave out…* goes on without one, with a reason. Committing now leaves them out too.',
        ),
      );
    }
    blocks.push({
      type: 'actions',
      elements: [
        ...(failed.length > 0
          ? [
              {
                type: 'button' as const,
                action_id: ACTION.retryFailover,
                value: run.id,
                text: plain(`Retry failover (${failed.length})`, LIMITS.buttonText),
              },
              {
                type: 'button' as const,
                action_id: ACTION.leaveOut,
                value: run.id,
                text: plain('Leave out…', LIMITS.buttonText),
              },
            ]
          : []),
        {
          type: 'button',
          action_id: ACTION.commit,
          value: run.id,
          style: 'danger',
          // "Commit 3 of 4 VMs" when some failed: the count says exactly what the commit covers.
          text: plain(
            scope.length === run.vms.length
              ? `Commit ${plural(scope.length, 'VM')}`
              : `Commit ${scope.length} of ${plural(run.vms.length, 'VM')}`,
            LIMITS.buttonText,
          ),
        },
      ],
    });
  }
  return blocks;
}

function lastEnded(vms: readonly RunVm[]): Date | undefined {
  const times = vms.map((v) => Date.parse(v.failover.endedAt ?? '')).filter((t) => !Number.isNaN(t));
  return times.length > 0 ? new Date(Math.max(...times)) : undefined;
}

function outcomeLine(vm: RunVm): string {
  const name = `*${safeLine(vm.name, 80)}*`;
  const shutdown = shutdownText(vm);
  if (vm.failover.status === 'succeeded')
    return [`:white_check_mark: ${name} — failed over · ${shutdown}`, ...checkLines(vm.checks)].join('\n');
  if (vm.failover.status === 'failed') {
    const left = vm.leftOut ? ` · left out by <@${vm.leftOut.by}>: ${safeLine(vm.leftOut.reason, 300)}` : '';
    return `:x: ${name} — failed: ${safeLine(vm.failover.error ?? 'no message from ASR', 400)} · ${shutdown}${left}`;
  }
  return `:hourglass: ${name} — still running`;
}

function shutdownText(vm: RunVm): string {
  switch (vm.shutdown) {
    case 'succeeded':
      return 'Azure VM shut down';
    case 'failed':
      return ':warning: ASR could not shut the Azure VM down — check it in the portal before committing';
    default:
      return 'shutdown not reported';
  }
}

function checklist(hasWindows: boolean): string {
  return [
    '*Before committing, check:*',
    '• the applications work on the AVS VMs',
    '• the Azure VMs are shut down (nothing writes to them any more)',
    ...(hasWindows ? ['• VMware Tools run on the Windows VMs'] : []),
    '• *Commit deletes the failed-over Azure VMs* — it cannot be undone',
  ].join('\n');
}

function approverLine(approvers: Approvers): string {
  const mentions = [...approvers.users.map((u) => `<@${u}>`), ...approvers.groups.map((g) => `<!subteam^${g}>`)];
  return mentions.length === 0
    ? 'No approvers are configured: ask your platform team to set `FAILBACK_APPROVERS`.'
    : `*Approvers:* ${listWithin(mentions, 2500)} — one of you commits once the checks pass.`;
}
