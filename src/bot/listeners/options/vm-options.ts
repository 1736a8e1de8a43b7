import type { Listeners } from '../../../slack/listener-router';
import { truncate } from '../../../domain/mrkdwn';
import type { BotDeps } from '../../deps';
import { ACTION, STATIC_SELECT_MAX } from '../../ids';
import { optionKey } from '../../views';
import { groupedOptions } from '../../views/request-modal';

/** Type-ahead for the VM select when the vaults have more ready VMs than a static select may list. */
export function registerVmOptions(app: Listeners, deps: BotDeps): void {
  app.options(ACTION.vms, async ({ ack, payload }) => {
    const query = (payload.value ?? '').toLowerCase();
    const vms = ((await deps.facts.vms()) ?? []).filter(
      (v) => v.failback.ready && v.name.toLowerCase().includes(query),
    );
    // Across every vault, grouped by vault when there are several.
    await ack(
      groupedOptions(vms.slice(0, STATIC_SELECT_MAX), (v) => ({
        text: { type: 'plain_text' as const, text: truncate(v.name, 75) },
        value: optionKey(v.id),
      })),
    );
  });
}
