import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { isFailbackError } from '../../../errors';
import type { BotDeps } from '../../deps';

type Answer = { readonly response_type: 'ephemeral'; readonly text: string };
const ephemeral = (text: string): Answer => ({ response_type: 'ephemeral', text });

/**
 * Queues an upload of a run's report to the thread of its card, and says so. Read-only, so anyone
 * in an allowed channel may ask (the caller checks the channel). `requestKey` identifies this
 * request (its trigger id): the same request queued twice uploads once.
 */
export async function queueReport(
  deps: Pick<BotDeps, 'store' | 'queues' | 'log'>,
  runIdText: string | undefined,
  requestKey: string,
  fromChannel: string,
): Promise<Answer> {
  if (!runIdText || !/^FB-\d+$/i.test(runIdText)) return ephemeral('Usage: `/failback report FB-7`');
  const runId = runIdText.toUpperCase();
  try {
    const run = await deps.store.get(runId);
    if (!run) return ephemeral(`There is no run ${escapeMrkdwn(runIdText)}.`);
    if (!run.card)
      return ephemeral(
        `Run ${run.id} has no card in its channel yet, so there is no thread for its report. Try again in a moment.`,
      );
    await deps.queues.enqueueReport(run.id, requestKey);
    deps.log.info({ runId: run.id }, 'run report requested');
    const where = run.channelId === fromChannel ? 'its thread' : `its thread in <#${run.channelId}>`;
    return ephemeral(`Uploading the report of ${run.id} to ${where}…`);
  } catch (e) {
    deps.log.warn({ err: e, runId }, 'could not queue a run report');
    return ephemeral(isFailbackError(e) ? e.userMessage : 'Could not queue the report; try again.');
  }
}

/** `/failback report FB-7`. */
export function reportAnswer(
  deps: BotDeps,
  arg: string | undefined,
  command: { readonly trigger_id: string; readonly channel_id: string },
): Promise<Answer> {
  return queueReport(deps, arg, `cmd-${command.trigger_id}`, command.channel_id);
}
