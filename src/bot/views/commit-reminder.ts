import type { KnownBlock } from '@slack/types';
import { commitScope, type Run } from '../../domain/run';
import { plural, section } from './text';
import type { Approvers } from './verification-prompt';

/** Who a reminder mentions: the approver user groups where configured, else the approvers themselves. */
export function reminderMentions(approvers: Approvers): string {
  const mentions =
    approvers.groups.length > 0
      ? approvers.groups.map((g) => `<!subteam^${g}>`)
      : approvers.users.map((u) => `<@${u}>`);
  return mentions.join(' ');
}

function waited(ms: number): string {
  const min = Math.max(1, Math.round(ms / 60_000));
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h${min % 60 ? ` ${min % 60} min` : ''}`;
}

/**
 * The n-th reminder, in the run's thread, that the run waits for Commit. It asks; it never commits:
 * the Commit button stays on the verification prompt.
 */
export function commitReminder(
  run: Run,
  input: { n: number; approvers: Approvers; waitingSince: string; now: Date; nextInMs: number },
) {
  const mentions = reminderMentions(input.approvers) || 'approvers (none are configured: set FAILBACK_APPROVERS)';
  const vms = plural(commitScope(run).length, 'VM');
  const since = waited(input.now.getTime() - Date.parse(input.waitingSince));
  const text =
    `:bell: ${mentions} — *${run.id}* has been waiting for *Commit* for ${since} (${vms} running on AVS). ` +
    'Please verify the VMs with the checklist above and commit, or say here why not. ' +
    'The bot never commits by itself; until someone commits, the Azure VMs are kept.';
  const blocks: KnownBlock[] = [
    section(text),
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Reminder ${input.n} · next in ${waited(input.nextInMs)} if still waiting` }],
    },
  ];
  return { text, blocks };
}
