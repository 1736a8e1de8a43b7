import type { Listeners } from '../../../slack/listener-router';
import type { RecoveryPointInfo } from '../../../domain/vm';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { optionKey } from '../../views';
import { listenerReadSlots } from '../request-lists';

const POINTS_OFFERED = 100;

function pointText(p: RecoveryPointInfo): string {
  const when = p.time.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
  return `${when} · ${p.appConsistent ? 'app-consistent' : 'crash-consistent'}`;
}

/**
 * Recovery points for the "specific point" select: the newest points of the one VM chosen in this
 * modal, filtered by what is typed. The full ids are kept in Redis by option key for the submission.
 */
/** Reads the VM's newest points into the facts cache (by option key); shared by prefetch and options. */
export async function loadPointOptions(deps: BotDeps, vmId: string): Promise<Record<string, RecoveryPointInfo>> {
  const points = await listenerReadSlots(deps).run(() =>
    deps.estate.of(vmId).listPoints(vmId, POINTS_OFFERED, { abortSignal: deps.shutdown }),
  );
  await deps.facts.putPointOptions(vmId, points);
  return byOptionKey(points);
}

/** The VM's cached points by option key (Slack option values are short). */
export async function cachedPointOptions(deps: BotDeps, vmId: string): Promise<Record<string, RecoveryPointInfo>> {
  return byOptionKey(await deps.facts.pointOptions(vmId));
}

function byOptionKey(points: readonly RecoveryPointInfo[]): Record<string, RecoveryPointInfo> {
  return Object.fromEntries(points.map((p) => [optionKey(p.id), p]));
}

// Slack drops an options answer after 3 s; ARM may take longer for a VM with many points.
const ANSWER_BUDGET_MS = 2000;

export function registerPointOptions(app: Listeners, deps: BotDeps): void {
  app.options(ACTION.specificPoint, async ({ ack, payload, body }) => {
    const viewId = (body as { view?: { id?: string } }).view?.id ?? '';
    const [vmId, ...others] = await deps.facts.selection(viewId);
    if (!vmId || others.length > 0) return ack({ options: [] });
    let byKey = await cachedPointOptions(deps, vmId);
    if (Object.keys(byKey).length === 0) {
      // Not prefetched yet: wait a little; if ARM is slower, answer empty now (the list keeps
      // loading into the cache and the next keystroke finds it).
      const loading = loadPointOptions(deps, vmId).catch((e: unknown) => {
        deps.log.warn({ err: e }, 'could not list recovery points');
        return {};
      });
      const timeout = new Promise<Record<string, RecoveryPointInfo>>((r) =>
        setTimeout(() => r({}), ANSWER_BUDGET_MS).unref(),
      );
      byKey = await Promise.race([loading, timeout]);
    }
    const query = (payload.value ?? '').trim().toLowerCase();
    const options = Object.entries(byKey)
      .filter(([, p]) => pointText(p).toLowerCase().includes(query))
      .map(([key, p]) => ({ text: { type: 'plain_text' as const, text: pointText(p) }, value: key }));
    return ack({ options });
  });
}
