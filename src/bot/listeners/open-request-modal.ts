import type { WebClient } from '@slack/web-api';
import { isFailbackError } from '../../errors';
import type { ReplicatedPlan, ReplicatedVm } from '../../domain/vm';
import type { BotDeps } from '../deps';
import { loadingModal, requestErrorModal, requestModal } from '../views';
import { encodeRequestMetadata } from '../views/request-metadata';

/**
 * Opens the request modal for a trigger (the /failback command, a button): at once with the vault
 * lists when they were read moments ago, otherwise a loading view first, filled once ASR answered.
 * `channelId` is where the run's card will go; without one (App Home) the modal asks for it.
 */
export async function openRequestModal(deps: BotDeps, client: WebClient, triggerId: string, channelId?: string): Promise<void> {
  // A vault list read moments ago (a burst of /failback): the whole modal at once, one Slack call.
  const fresh = await freshLists(deps).catch(() => undefined);
  if (fresh) {
    const view = requestModal({ ...fresh, now: new Date(deps.now()), privateMetadata: encodeRequestMetadata({ channelId }) });
    await client.views.open({ trigger_id: triggerId, view });
    return;
  }
  // trigger_id lives 3 s and is single-use: open a loading view first, fill it once ASR answered.
  const opened = await client.views.open({ trigger_id: triggerId, view: loadingModal() });
  const viewId = opened.view?.id;
  if (!viewId) return;
  await fillRequestModal(deps, client, viewId, channelId);
}

/**
 * A VM list read this recently is reused: a burst of /failback reads the vault once. Short, so a
 * VM that just changed (a run that ended) is shown as it is now.
 */
const LIST_REUSE_MS = 5_000;
const reading = new WeakMap<BotDeps, Promise<{ vms: ReplicatedVm[]; plans: ReplicatedPlan[] }>>();

async function freshLists(deps: BotDeps): Promise<{ vms: ReplicatedVm[]; plans: ReplicatedPlan[] } | undefined> {
  const cached = await deps.facts.freshVms(LIST_REUSE_MS);
  return cached ? { vms: cached, plans: await deps.facts.plans() } : undefined;
}

/** The vault's VMs and plans: fresh from the cache, else from ASR (one read at a time per process). */
async function vaultLists(deps: BotDeps): Promise<{ vms: ReplicatedVm[]; plans: ReplicatedPlan[] }> {
  const cached = await freshLists(deps);
  if (cached) return cached;
  let pending = reading.get(deps);
  if (!pending) {
    pending = (async () => {
      const [vms, plans] = await Promise.all([deps.gateway.listVms({ abortSignal: deps.shutdown }), deps.gateway.listPlans({ abortSignal: deps.shutdown })]);
      await Promise.all([deps.facts.putPlans(plans), deps.facts.putVms(vms)]);
      return { vms, plans };
    })().finally(() => reading.delete(deps));
    reading.set(deps, pending);
  }
  return pending;
}

async function fillRequestModal(deps: BotDeps, client: WebClient, viewId: string, channelId: string | undefined): Promise<void> {
  try {
    const { vms, plans } = await vaultLists(deps);
    const view = requestModal({ vms, plans, now: new Date(deps.now()), privateMetadata: encodeRequestMetadata({ channelId }) });
    await client.views.update({ view_id: viewId, view });
  } catch (e) {
    deps.log.warn({ err: e }, 'could not build the request modal');
    const message = isFailbackError(e) ? e.userMessage : 'Unexpected error while reading the vault.';
    await client.views.update({ view_id: viewId, view: requestErrorModal(message) });
  }
}

