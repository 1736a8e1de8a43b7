import type { App } from '@slack/bolt';
import type { RecoveryPointInfo } from '../../../domain/vm';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { optionKey } from '../../views';

const POINTS_OFFERED = 100;

function pointText(p: RecoveryPointInfo): string {
  const when = p.time.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
  return `${when} · ${p.appConsistent ? 'app-consistent' : 'crash-consistent'}`;
}

/**
 * Recovery points for the "specific point" select: the newest points of the one VM chosen in this
 * modal, filtered by what is typed. The full ids are kept in Redis by option key for the submission.
 */
export function registerPointOptions(app: App, deps: BotDeps): void {
  app.options(ACTION.specificPoint, async ({ ack, payload, body }) => {
    const viewId = (body as { view?: { id?: string } }).view?.id ?? '';
    const [vmId, ...others] = await deps.facts.selection(viewId);
    if (!vmId || others.length > 0) return ack({ options: [] });
    try {
      const points = await deps.gateway.listPoints(vmId, POINTS_OFFERED);
      const byKey: Record<string, RecoveryPointInfo> = {};
      for (const p of points) byKey[optionKey(p.id)] = p;
      await deps.facts.putPointOptions(vmId, byKey);
      const query = (payload.value ?? '').trim().toLowerCase();
      const options = points
        .filter((p) => pointText(p).toLowerCase().includes(query))
        .map((p) => ({ text: { type: 'plain_text' as const, text: pointText(p) }, value: optionKey(p.id) }));
      return ack({ options });
    } catch (e) {
      deps.log.warn({ err: e }, 'could not list recovery points');
      return ack({ options: [] });
    }
  });

}
