import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { channelAllowed } from '../../../domain/approval';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { isFailbackError } from '../../../errors';
import type { ReplicatedPlan, ReplicatedVm } from '../../../domain/vm';
import type { BotDeps } from '../../deps';
import { helpText, loadingModal, requestErrorModal, requestModal, runCard, runHistory } from '../../views';
import { encodeRequestMetadata } from '../request-metadata';

/** `/failback [help|status FB-n]`: help and status answer in the ack; the request opens a modal at once. */
export function registerFailbackCommand(app: App, deps: BotDeps): void {
  app.command('/failback', async ({ command, ack, client }) => {
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
    if (verb !== '') {
      return ack({ response_type: 'ephemeral', text: `Unknown subcommand “${escapeMrkdwn(sub)}”.\n${helpText()}` });
    }
    await ack();
    // A vault list read moments ago (a burst of /failback): the whole modal at once, one Slack call.
    const fresh = await freshLists(deps).catch(() => undefined);
    if (fresh) {
      const view = requestModal({ ...fresh, now: new Date(deps.now()), privateMetadata: encodeRequestMetadata({ channelId: command.channel_id }) });
      await client.views.open({ trigger_id: command.trigger_id, view });
      return;
    }
    // trigger_id lives 3 s and is single-use: open a loading view first, fill it once ASR answered.
    const opened = await client.views.open({ trigger_id: command.trigger_id, view: loadingModal() });
    const viewId = opened.view?.id;
    if (!viewId) return;
    await fillRequestModal(deps, client, viewId, command.channel_id);
  });
}

export const DEGRADED =
  ':warning: failback-bot is degraded: its store (Redis) does not answer, so it cannot record a run. ' +
  'Nothing was started. Runs already under way continue once the store is back; try again in a minute ' +
  '(the bot’s /readyz says when it is ready).';

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
      const [vms, plans] = await Promise.all([deps.gateway.listVms(), deps.gateway.listPlans()]);
      await Promise.all([deps.facts.putPlans(plans), deps.facts.putVms(vms)]);
      return { vms, plans };
    })().finally(() => reading.delete(deps));
    reading.set(deps, pending);
  }
  return pending;
}

async function fillRequestModal(deps: BotDeps, client: WebClient, viewId: string, channelId: string): Promise<void> {
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

async function statusAnswer(deps: BotDeps, runId: string | undefined) {
  if (!runId || !/^FB-\d+$/i.test(runId)) {
    return { response_type: 'ephemeral' as const, text: 'Usage: `/failback status FB-7`' };
  }
  try {
    const run = await deps.store.get(runId.toUpperCase());
    if (!run) return { response_type: 'ephemeral' as const, text: `There is no run ${escapeMrkdwn(runId)}.` };
    const card = runCard(run, new Date(deps.now()));
    return { response_type: 'ephemeral' as const, text: card.text, blocks: card.blocks };
  } catch (e) {
    return { response_type: 'ephemeral' as const, text: isFailbackError(e) ? e.userMessage : 'Could not read the run.' };
  }
}

async function historyAnswer(deps: BotDeps, arg: string | undefined) {
  const n = Math.min(50, Math.max(1, Number(arg ?? '10') || 10));
  try {
    const history = runHistory(await deps.store.recent(n));
    return { response_type: 'ephemeral' as const, text: history.text, blocks: history.blocks };
  } catch (e) {
    return { response_type: 'ephemeral' as const, text: isFailbackError(e) ? e.userMessage : 'Could not read the runs.' };
  }
}
