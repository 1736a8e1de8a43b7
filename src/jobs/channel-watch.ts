import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { phaseOf, type Run } from '../domain/run';
import { channelAccess } from '../slack/channel-access';
import type { RunStore } from '../store/run-store';
import { changeRun } from './change-run';
import type { EffectRunner } from './effects';

export interface ChannelWatchDeps {
  readonly client: WebClient;
  readonly store: RunStore;
  readonly effects: EffectRunner;
  /** The approvers to tell directly: user ids, and the members of the approver user groups. */
  readonly approverUsers: () => Promise<readonly string[]>;
  /** Schedules the n-th look at whether the run's channel takes the bot's messages again. */
  readonly scheduleRecheck: (runId: string, n: number, delayMs: number) => Promise<void>;
  readonly recheckMs: number;
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * Slack refuses a run's messages in its channel (the bot was removed, the channel archived): the
 * run is marked so (nothing new starts in ASR: no step, no autopilot, until it can be seen), the
 * requester and the approvers are told directly, once, in their DM with the app, and the channel is
 * looked at again regularly until the bot can post there; then the run carries on by itself.
 */
export async function channelLost(deps: ChannelWatchDeps, runId: string, slackError: string): Promise<void> {
  const at = new Date(deps.now()).toISOString();
  const result = await changeRun(deps, runId, { type: 'channel-lost', at, error: slackError });
  if (!result.applied) return;
  const run = result.run;
  const people = [...new Set([run.requesterId, ...(await deps.approverUsers())])];
  const text = lostText(run, slackError);
  for (const user of people) {
    await deps.client.chat
      .postMessage({ channel: user, text })
      .catch((err: unknown) =>
        deps.log.warn({ err, runId, user }, 'could not tell a person that the run’s channel is lost'),
      );
  }
  await deps.scheduleRecheck(runId, 1, deps.recheckMs);
  deps.log.warn(
    { runId, channel: run.channelId, slackError, told: people.length },
    'run’s channel lost; the run waits',
  );
}

/** The n-th look at a lost channel: carries the run on when the bot can post again, else looks again later. */
export async function recheckChannel(deps: ChannelWatchDeps, runId: string, n: number): Promise<void> {
  const run = await deps.store.get(runId);
  if (!run?.channelLost || run.closedAt) return;
  const access = await channelAccess(deps.client, run.channelId).catch((err: unknown) => {
    deps.log.info({ err, runId }, 'could not check the run’s channel; looking again later');
    return { ok: false as const, reason: 'not checked' };
  });
  if (access.ok) {
    await changeRun(deps, runId, { type: 'channel-restored', at: new Date(deps.now()).toISOString() });
    deps.log.info({ runId, channel: run.channelId }, 'run’s channel available again; the run carries on');
    return;
  }
  await deps.scheduleRecheck(runId, n + 1, deps.recheckMs);
}

function lostText(run: Run, slackError: string): string {
  const what =
    phaseOf(run) === 'failing-over' && !run.card
      ? 'Its failover has not been started in Azure.'
      : `It was at: ${phaseOf(run).replace(/-/g, ' ')}. Nothing new is started in Azure meanwhile.`;
  return (
    `:warning: Failback *${run.id}* cannot be shown in <#${run.channelId}>: Slack answers \`${slackError}\`. ${what} ` +
    'Invite failback-bot there (`/invite @failback-bot`) or unarchive the channel: the run then carries on by itself. `/failback status ' +
    `${run.id}\` shows it meanwhile.`
  );
}
