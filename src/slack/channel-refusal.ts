import type { MessageLedger } from '../store/message-ledger';
import type { Logger } from 'pino';
import { SlackChannelUnavailableError } from '../errors';
import type { RunStore } from '../store/run-store';

/** Errors Slack gives for a channel that will not take the bot's messages until a person acts. */
const CHANNEL_ERRORS = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

/**
 * A run message (card, prompt, report, reminder) that Slack will not take in the run's channel is
 * not retried over and over: the trail says why (once an hour at most); the next change of the run
 * tries again, so inviting the bot is enough. Other errors are returned as they are.
 */
export async function channelUnavailable(
  deps: { readonly ledger: MessageLedger; readonly store: RunStore; readonly now: () => number; readonly log: Logger },
  runId: string,
  e: unknown,
): Promise<unknown> {
  const slackError = (e as { data?: { error?: unknown } }).data?.error;
  if (
    (e as { code?: string }).code !== 'slack_webapi_platform_error' ||
    typeof slackError !== 'string' ||
    !CHANNEL_ERRORS.has(slackError)
  )
    return e;
  const run = await deps.store.require(runId);
  if (await deps.ledger.firstChannelRefusal(runId, slackError)) {
    await deps.store.audit(runId, {
      at: new Date(deps.now()).toISOString(),
      what: 'run messages could not be posted',
      detail: `Slack: ${slackError} in ${run.channelId}`,
    });
  }
  deps.log.error({ runId, channel: run.channelId, slackError }, 'Slack refuses the run’s messages in its channel');
  return new SlackChannelUnavailableError(run.channelId, slackError);
}
