import type { Listeners } from '../../../slack/listener-router';
import { truncate } from '../../../domain/mrkdwn';
import type { BotDeps } from '../../deps';
import { ACTION, STATIC_SELECT_MAX } from '../../ids';
import { optionKey } from '../../views';
import { groupedOptions } from '../../views/request-modal';

/** Type-ahead for the recovery-plan select when the vaults have more plans than a static select may list. */
export function registerPlanOptions(app: Listeners, deps: BotDeps): void {
  app.options(ACTION.plan, async ({ ack, payload }) => {
    const query = (payload.value ?? '').toLowerCase();
    const plans = (await deps.facts.plans()).filter((p) => p.failsBack && p.name.toLowerCase().includes(query));
    await ack(
      groupedOptions(plans.slice(0, STATIC_SELECT_MAX), (p) => ({
        text: { type: 'plain_text' as const, text: truncate(`${p.name} (${p.vmIds.length} VMs)`, 75) },
        value: optionKey(p.id),
      })),
    );
  });
}
