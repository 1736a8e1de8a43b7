import type { Listeners } from '../../../slack/listener-router';
import type { BlockAction } from '@slack/bolt';
import type { HomeView } from '@slack/types';
import { mayCommit } from '../../../domain/approval';
import { phaseOf, type Run } from '../../../domain/run';
import { isFailbackError } from '../../../errors';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { appHome, appHomeUnavailable } from '../../views';
import { openRequestModal } from '../open-request-modal';
import { cachedReadiness } from '../readiness-now';
import { vaultLabel } from '../../../domain/vault';
import { isApprover, requestVerdict } from '../commit-guard';

/** Active runs read for one Home (all of them in practice; a bound against a runaway store). */
const ACTIVE_READ_MAX = 200;
/** Active runs listed one by one; the rest are counted. */
const ACTIVE_SHOWN = 30;
const RECENT_SHOWN = 5;

/**
 * App Home: publishes the viewer's Home when they open the tab (from Redis only — never ARM — so it
 * is quick), and its "Request a failback" button opens the request modal.
 */
export function registerAppHome(app: Listeners, deps: BotDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await client.views.publish({ user_id: event.user, view: await homeOf(deps, event.user) });
  });

  app.action<BlockAction>(ACTION.homeRequest, async ({ ack, body, client }) => {
    await ack();
    // A refusal is shown where the click came from: in the modal, opened first (the trigger lives 3 s).
    await openRequestModal(deps, client, body.trigger_id, {
      channelId: homeChannel(deps.policy.allowedChannels),
      refusal: () => homeRequestRefusal(deps, body.user.id),
    });
  });
}

/**
 * Who may request from Home: approvers and configured requesters (FAILBACK_REQUESTERS). Without
 * that list, requesting is for the people in the incident channel — which only Slack knows, where
 * /failback is typed — so Home points there instead of opening the modal.
 */
async function homeRequestRefusal(deps: BotDeps, userId: string, approver?: boolean): Promise<string | undefined> {
  if (approver ?? (await isApprover(deps, userId))) return undefined;
  if (!deps.policy.requesters) return 'Request a failback with /failback in the incident channel.';
  const verdict = await requestVerdict(deps, userId);
  return verdict.allowed ? undefined : verdict.reason;
}

/**
 * The channel a request made from Home goes to: the only allowed one; otherwise the modal asks.
 */
export function homeChannel(allowed: readonly string[] | undefined): string | undefined {
  return allowed?.length === 1 ? allowed[0] : undefined;
}

/** The Home `userId` sees now. */
export async function homeOf(deps: BotDeps, userId: string): Promise<HomeView> {
  const now = new Date(deps.now());
  try {
    const [ids, recent] = await Promise.all([deps.store.activeRunIds(), deps.store.recent(RECENT_SHOWN)]);
    const newest = ids.sort((a, b) => runNumber(b) - runNumber(a)).slice(0, ACTIVE_READ_MAX);
    const active = (await Promise.all(newest.map((id) => deps.store.get(id)))).filter((r): r is Run => r !== undefined);
    const approver = await isApprover(deps, userId);
    const all = (await homeRequestRefusal(deps, userId, approver)) === undefined;
    if (!all) {
      // Not an approver or configured requester: their own runs only (incident channels may be private).
      const own = active.filter((r) => r.requesterId === userId);
      return appHome({
        scope: 'own',
        active: own.slice(0, ACTIVE_SHOWN),
        recent: recent.filter((r) => r.requesterId === userId),
        now,
      });
    }
    const readiness = await cachedReadiness(deps).catch((err: unknown) => {
      deps.log.warn({ err }, 'could not read the cached readiness for App Home');
      return undefined;
    });
    return appHome({
      scope: 'all',
      readiness: { vaults: deps.estate.vaults().map(vaultLabel).join(', '), report: readiness ?? null },
      awaitingYou: approver ? awaitingApprovalBy(deps, userId, active) : undefined,
      active: active.slice(0, ACTIVE_SHOWN),
      moreActive: Math.max(0, active.length - ACTIVE_SHOWN) + (ids.length - newest.length),
      recent,
      now,
    });
  } catch (e) {
    deps.log.warn({ err: e, userId }, 'could not build the App Home');
    return appHomeUnavailable(isFailbackError(e) ? e.userMessage : 'Unexpected error while reading the runs.', now);
  }
}

/** Runs waiting for a commit that the approver `userId` may make (four-eyes). */
function awaitingApprovalBy(deps: BotDeps, userId: string, active: readonly Run[]): Run[] {
  return active.filter(
    (run) => phaseOf(run) === 'awaiting-commit' && mayCommit(deps.policy, userId, run.requesterId, true).allowed,
  );
}

function runNumber(runId: string): number {
  return Number(/^FB-(\d+)$/.exec(runId)?.[1] ?? 0);
}
