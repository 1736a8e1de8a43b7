import type { Listeners } from '../../../slack/listener-router';
import type { BlockAction } from '@slack/bolt';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { requestModal } from '../../views';
import { loadPointOptions } from '../options/point-options';
import { selectedKeysFromAction, selectedVms } from '../request-form';
import { withPoints } from './points-of';

/**
 * When the responder changes the VM selection, read each chosen VM's recovery points (the slow
 * ARM part, done while the modal is open), cache them for the submission and show the RPO.
 */
export function registerVmSelection(app: Listeners, deps: BotDeps): void {
  app.action<BlockAction>(ACTION.vms, async ({ ack, body, action, client }) => {
    await ack();
    const view = body.view;
    if (!view) return;
    const seq = await deps.facts.nextSelectionSeq(view.id);
    const [vms, plans] = await Promise.all([deps.facts.vms().then((v) => v ?? []), deps.facts.plans()]);
    const chosen = selectedVms(vms, selectedKeysFromAction(action));
    await deps.facts.putSelection(
      view.id,
      chosen.map((v) => v.id),
    );
    const only = chosen.length === 1 ? chosen[0] : undefined;
    if (only?.pointChoices.includes('specific')) {
      // Prefetch the points a specific-point search will offer (its answers have 3 s).
      void loadPointOptions(deps, only.id).catch((e: unknown) =>
        deps.log.warn({ err: e }, 'could not prefetch recovery points'),
      );
    }
    const selected = await withPoints(deps, chosen);
    const modal = requestModal({
      vms,
      plans,
      selected,
      maxVmsPerRun: deps.policy.maxVmsPerRun,
      now: new Date(deps.now()),
      privateMetadata: view.private_metadata,
    });
    try {
      await client.views.update({ view_id: view.id, hash: view.hash, view: modal });
    } catch (e) {
      // hash_conflict: the view changed since this event's copy — an older selection's update came
      // first. If this event is still the newest selection, it wins: update again without the hash.
      const conflict = (e as { data?: { error?: string } }).data?.error === 'hash_conflict';
      if (conflict && seq === (await deps.facts.latestSelectionSeq(view.id))) {
        await deps.facts.putSelection(
          view.id,
          chosen.map((v) => v.id),
        );
        await client.views
          .update({ view_id: view.id, view: modal })
          .catch((err: unknown) => deps.log.info({ err }, 'request modal not updated (closed meanwhile)'));
        return;
      }
      deps.log.info({ err: e }, 'request modal not updated (closed, or a newer selection came)');
    }
  });
}
