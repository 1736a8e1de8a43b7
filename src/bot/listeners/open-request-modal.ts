import type { WebClient } from '@slack/web-api';
import { isFailbackError } from '../../errors';
import type { BotDeps } from '../deps';
import { cachedChannelAccess } from '../../slack/channel-access';
import { CALLBACK } from '../ids';
import { loadingModal, requestErrorModal } from '../views';
import { problemModal } from '../views/notice-modals';
import { emptyRequestModal } from './request-lists';

/**
 * Opens the request modal for a trigger (the /failback command, a button). The trigger lives 3 s and
 * is single-use, so a loading view is opened first — before any Slack or Redis call — and then
 * filled: with `refusal`'s answer (who may request: it may read a user group from Slack) or with the
 * vault's lists. `channelId` is where the run's card will go; without one (App Home) the modal asks.
 */
export async function openRequestModal(
  deps: BotDeps,
  client: WebClient,
  triggerId: string,
  options: { readonly channelId?: string | undefined; readonly refusal: () => Promise<string | undefined> },
): Promise<void> {
  const opened = await client.views.open({ trigger_id: triggerId, view: loadingModal() });
  const viewId = opened.view?.id;
  if (!viewId) return;
  // Whether the bot can show a run there, checked while the person fills the form (Submit reuses it).
  const channelId = options.channelId;
  if (channelId)
    void cachedChannelAccess(deps, client, channelId).catch((err: unknown) =>
      deps.log.warn({ err }, 'could not check the channel'),
    );
  let refused: string | undefined;
  try {
    refused = await options.refusal();
  } catch (e) {
    deps.log.warn({ err: e }, 'could not tell whether the user may request a failback');
    refused = isFailbackError(e) ? e.userMessage : 'Could not check who may request a failback; try again in a minute.';
  }
  if (refused) {
    await client.views.update({
      view_id: viewId,
      view: problemModal(CALLBACK.request, 'Request a failback', refused, 'Nothing was started.'),
    });
    return;
  }
  await fillRequestModal(deps, client, viewId, options.channelId);
}

async function fillRequestModal(
  deps: BotDeps,
  client: WebClient,
  viewId: string,
  channelId: string | undefined,
): Promise<void> {
  try {
    await client.views.update({ view_id: viewId, view: await emptyRequestModal(deps, channelId) });
  } catch (e) {
    deps.log.warn({ err: e }, 'could not build the request modal');
    const message = isFailbackError(e) ? e.userMessage : 'Unexpected error while reading the vault.';
    await client.views.update({ view_id: viewId, view: requestErrorModal(message) });
  }
}
