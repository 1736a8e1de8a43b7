import type { Listeners } from '../../../slack/listener-router';
import type { BlockAction, ButtonAction } from '@slack/bolt';
import { channelAllowed } from '../../../domain/approval';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { queueReport } from '../commands/report-command';
import { tellClicker } from '../commit-guard';

/** "Upload run report" on the closing summary: anyone in an allowed channel (the report is read-only). */
export function registerReportButton(app: Listeners, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.uploadReport, async ({ ack, body, action, client, respond }) => {
    await ack();
    const channel = body.channel?.id ?? '';
    const tell = tellClicker(deps, { body, client, respond });
    try {
      if (!channelAllowed(deps.policy.allowedChannels, channel)) {
        return void (await tell('failback-bot is not enabled in this channel, so it uploads no reports here.'));
      }
      const answer = await queueReport(deps, action.value, `btn-${body.trigger_id}`, channel);
      await tell(answer.text);
    } catch (e) {
      deps.log.error({ err: e }, 'report button failed');
    }
  });
}
