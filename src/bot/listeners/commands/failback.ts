import type { Listeners } from '../../../slack/listener-router';
import { channelAllowed } from '../../../domain/approval';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { isFailbackError } from '../../../errors';
import type { BotDeps } from '../../deps';
import { helpText, runCard, runHistory } from '../../views';
import { openRequestModal } from '../open-request-modal';
import { runTimeline } from '../../views/run-timeline';
import { LIMITS } from '../../views/text';
import { reportAnswer } from './report-command';
import { answerReadiness } from './readiness-command';
import { requestVerdict } from '../commit-guard';

/** `/failback [help|status FB-n]`: help and status answer in the ack; the request opens a modal at once. */
export function registerFailbackCommand(app: Listeners, deps: BotDeps): void {
  app.command('/failback', async ({ command, ack, client, respond }) => {
    const [sub = '', arg] = command.text.trim().split(/\s+/);
    const verb = sub.toLowerCase();
    if (verb === 'help') return ack({ response_type: 'ephemeral', text: helpText() });
    if (!channelAllowed(deps.policy.allowedChannels, command.channel_id)) {
      return ack({
        response_type: 'ephemeral',
        text: 'failback-bot is not enabled in this channel. Ask your platform team for the incident channel it serves.',
      });
    }
    if (!deps.storeReady()) return ack({ response_type: 'ephemeral', text: DEGRADED });
    if (verb === 'status') return ack(await statusAnswer(deps, arg));
    if (verb === 'history') return ack(await historyAnswer(deps, arg));
    if (verb === 'report') return ack(await reportAnswer(deps, arg, command));
    if (verb === 'readiness') {
      await ack();
      return answerReadiness(deps, client, respond, command);
    }
    if (verb !== '') {
      return ack({ response_type: 'ephemeral', text: `Unknown subcommand “${escapeMrkdwn(sub)}”.\n${helpText()}` });
    }
    await ack();
    // The modal opens first (the trigger lives 3 s); who may request (FAILBACK_REQUESTERS may read a
    // user group from Slack) is told in it.
    await openRequestModal(deps, client, command.trigger_id, {
      channelId: command.channel_id,
      refusal: async () => {
        const verdict = await requestVerdict(deps, command.user_id);
        return verdict.allowed ? undefined : verdict.reason;
      },
    });
  });
}

const TIMELINE_BLOCKS = 6;

export const DEGRADED =
  ':warning: failback-bot is degraded: its store (Redis) does not answer, so it cannot record a run. ' +
  'Nothing was started. Runs already under way continue once the store is back; try again in a minute ' +
  '(the bot’s /readyz says when it is ready).';

async function statusAnswer(deps: BotDeps, runId: string | undefined) {
  if (!runId || !/^FB-\d+$/i.test(runId)) {
    return { response_type: 'ephemeral' as const, text: 'Usage: `/failback status FB-7`' };
  }
  try {
    const run = await deps.store.get(runId.toUpperCase());
    if (!run) return { response_type: 'ephemeral' as const, text: `There is no run ${escapeMrkdwn(runId)}.` };
    const card = runCard(run, new Date(deps.now()), {
      jobLink: deps.jobLink,
      maxBlocks: LIMITS.messageBlocks - TIMELINE_BLOCKS - 1,
    });
    // The card, then its timeline from the audit trail, within one message's 50 blocks.
    const timeline = runTimeline(await deps.store.trail(run.id), TIMELINE_BLOCKS);
    const blocks = [
      ...card.blocks.slice(0, LIMITS.messageBlocks - timeline.length - 1),
      { type: 'divider' as const },
      ...timeline,
    ];
    return { response_type: 'ephemeral' as const, text: card.text, blocks };
  } catch (e) {
    return {
      response_type: 'ephemeral' as const,
      text: isFailbackError(e) ? e.userMessage : 'Could not read the run.',
    };
  }
}

async function historyAnswer(deps: BotDeps, arg: string | undefined) {
  const n = Math.min(50, Math.max(1, Number(arg ?? '10') || 10));
  try {
    const history = runHistory(await deps.store.recent(n));
    return { response_type: 'ephemeral' as const, text: history.text, blocks: history.blocks };
  } catch (e) {
    return {
      response_type: 'ephemeral' as const,
      text: isFailbackError(e) ? e.userMessage : 'Could not read the runs.',
    };
  }
}
