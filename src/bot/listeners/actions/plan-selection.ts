import type { Listeners } from '../../../slack/listener-router';
import type { BlockAction } from '@slack/bolt';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { optionKey, requestModal } from '../../views';
import { selectedKeyFromAction } from '../request-form';
import { withPoints } from './points-of';

/** Choosing a recovery plan lists its VMs and reads their recovery points (the RPO), like choosing VMs. */
export function registerPlanSelection(app: Listeners, deps: BotDeps): void {
  app.action<BlockAction>(ACTION.plan, async ({ ack, body, action, client }) => {
    await ack();
    const view = body.view;
    if (!view) return;
    const [vms, plans] = await Promise.all([deps.facts.vms().then((v) => v ?? []), deps.facts.plans()]);
    const key = selectedKeyFromAction(action);
    const plan = key ? plans.find((p) => optionKey(p.id) === key) : undefined;
    let selectedPlan;
    if (plan) {
      const ids = new Set(plan.vmIds.map((id) => id.toLowerCase()));
      selectedPlan = {
        plan,
        members: await withPoints(
          deps,
          vms.filter((v) => ids.has(v.id.toLowerCase())),
        ),
      };
    }
    try {
      await client.views.update({
        view_id: view.id,
        hash: view.hash,
        view: requestModal({
          vms,
          plans,
          selectedPlan,
          maxVmsPerRun: deps.policy.maxVmsPerRun,
          now: new Date(deps.now()),
          privateMetadata: view.private_metadata,
        }),
      });
    } catch (e) {
      deps.log.info({ err: e }, 'request modal not updated (closed or changed meanwhile)');
    }
  });
}
