import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { isFailbackError } from '../../errors';
import type { BotDeps } from '../deps';
import { cachedChannelAccess } from '../../slack/channel-access';
import { CALLBACK } from '../ids';
import { loadingModal, requestErrorModal } from '../views';
import { problemModal } from '../views/notice-modals';
import { heldRequestModalJson, requestModalJson } from './request-lists';
import { openViewFast, updateViewFast } from '../../slack/fast-views';
import { within } from './deadline';

/**
 * How long the fast path waits for "may this person request?" before it opens the loading view
 * instead: long enough for an answer from memory or one Redis read, short against the trigger's 3 s.
 */
export const QUICK_VERDICT_MS = 50;

/**
 * Opens the request modal for a trigger (the /failback command, a button). The trigger lives 3 s and
 * is single-use. When this process holds the vault's lists and who may request is known at once, the
 * whole form (or the refusal) opens with that one call. Otherwise a loading view is opened first —
 * before any slow Slack or Redis call — and then filled: with `refusal`'s answer (who may request: it
 * may read a user group from Slack) or with the vault's lists. The form is never shown to someone
 * before they are known to be allowed. `channelId` is where the run's card will go; without one (App
 * Home) the modal asks.
 */
export async function openRequestModal(
  deps: BotDeps,
  client: WebClient,
  triggerId: string,
  options: { readonly channelId?: string | undefined; readonly refusal: () => Promise<string | undefined> },
): Promise<void> {
  const ready = heldRequestModalJson(deps, options.channelId);
  if (ready === undefined) return openThenFill(deps, client, triggerId, options);
  const refusal = settledRefusal(deps, options.refusal);
  const quick = await within(QUICK_VERDICT_MS, refusal);
  if (!quick.done) return openThenFill(deps, client, triggerId, { ...options, refusal: () => quick.later });
  if (quick.value) {
    await client.views.open({ trigger_id: triggerId, view: refusedModal(quick.value) });
    return;
  }
  await openViewFast(client, triggerId, ready);
  checkChannel(deps, client, options.channelId);
}

/** The loading view first, then the refusal or the form in it. */
async function openThenFill(
  deps: BotDeps,
  client: WebClient,
  triggerId: string,
  options: { readonly channelId?: string | undefined; readonly refusal: () => Promise<string | undefined> },
): Promise<void> {
  const viewId = await openViewFast(client, triggerId, LOADING_MODAL_JSON);
  if (!viewId) return;
  checkChannel(deps, client, options.channelId);
  const refused = await settledRefusal(deps, options.refusal);
  if (refused) {
    await client.views.update({ view_id: viewId, view: refusedModal(refused) });
    return;
  }
  await fillRequestModal(deps, client, viewId, options.channelId);
}

/** Whether the bot can show a run there, checked while the person fills the form (Submit reuses it). */
function checkChannel(deps: BotDeps, client: WebClient, channelId: string | undefined): void {
  if (channelId)
    void cachedChannelAccess(deps, client, channelId).catch((err: unknown) =>
      deps.log.warn({ err }, 'could not check the channel'),
    );
}

/** The refusal's answer; a failure to tell is itself a refusal, in words for the person. */
async function settledRefusal(deps: BotDeps, refusal: () => Promise<string | undefined>): Promise<string | undefined> {
  try {
    return await refusal();
  } catch (e) {
    deps.log.warn({ err: e }, 'could not tell whether the user may request a failback');
    return isFailbackError(e) ? e.userMessage : 'Could not check who may request a failback; try again in a minute.';
  }
}

// The first answer to a burst of /failback after the lists have aged: sent as text like the form.
const LOADING_MODAL_JSON = JSON.stringify(loadingModal());

const refusedModal = (reason: string): View =>
  problemModal(CALLBACK.request, 'Request a failback', reason, 'Nothing was started.');

async function fillRequestModal(
  deps: BotDeps,
  client: WebClient,
  viewId: string,
  channelId: string | undefined,
): Promise<void> {
  try {
    await updateViewFast(client, viewId, await requestModalJson(deps, channelId));
  } catch (e) {
    deps.log.warn({ err: e }, 'could not build the request modal');
    const message = isFailbackError(e) ? e.userMessage : 'Unexpected error while reading the vault.';
    await client.views.update({ view_id: viewId, view: requestErrorModal(message) });
  }
}
