import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { isFailbackError } from '../../../errors';
import type { BotDeps } from '../../deps';
import { readinessMessage } from '../../views/readiness';
import { postReadiness } from '../../../slack/readiness-messages';
import { readinessNow } from '../readiness-now';

/**
 * `/failback readiness`: posts the vault's readiness in the channel (everyone in the incident wants
 * the same answer), worst first; when there are more rows than a message shows, the full table goes
 * in its thread as a CSV file. Where the bot cannot post, the asker gets it as an ephemeral answer.
 * Called after the ack: the lists may take longer than Slack's 3 s on a large vault.
 */
export async function answerReadiness(
  deps: BotDeps,
  client: WebClient,
  respond: RespondFn,
  command: { readonly channel_id: string; readonly user_id: string },
): Promise<void> {
  let report;
  try {
    report = await readinessNow(deps);
  } catch (e) {
    deps.log.warn({ err: e }, 'could not read readiness');
    const why = isFailbackError(e) ? e.userMessage : 'Unexpected error while reading the vault.';
    await respond({ response_type: 'ephemeral', text: `:warning: Could not read the vault’s readiness. ${why}` });
    return;
  }
  try {
    await postReadiness(
      { client, log: deps.log },
      {
        channel: command.channel_id,
        report,
        fileComment: `Readiness of every VM and plan, asked by <@${command.user_id}>.`,
      },
    );
  } catch (e) {
    deps.log.warn({ err: e }, 'could not post readiness in the channel; answering the asker only');
    const message = readinessMessage(report);
    await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
  }
}
