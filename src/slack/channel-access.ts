import type { WebClient } from '@slack/web-api';

/** Whether the bot can show a run in a conversation; if not, why, in words for the requester. */
export type ChannelAccess = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Can the run's card, prompt and reminders be posted in `channelId`? A run nobody can see must not
 * start: a direct message or group DM (approvers are not in it), a channel Slack does not show the
 * bot, an archived one, or one the bot is not a member of (it then needs /invite; chat:write.public
 * is deliberately not used, so private and public channels behave the same).
 */
export async function channelAccess(client: WebClient, channelId: string): Promise<ChannelAccess> {
  if (/^D/.test(channelId))
    return {
      ok: false,
      reason: 'Runs are shared with the approvers: request the failback from a channel, not a direct message.',
    };
  try {
    const res = await client.conversations.info({ channel: channelId });
    const c = res.channel ?? {};
    if (c.is_im || c.is_mpim)
      return {
        ok: false,
        reason: 'Runs are shared with the approvers: request the failback from a channel, not a direct message.',
      };
    if (c.is_archived)
      return {
        ok: false,
        reason: `<#${channelId}> is archived: failback-bot cannot post the run card there. Use the incident channel.`,
      };
    if (c.is_member === false)
      return {
        ok: false,
        reason: `failback-bot is not a member of <#${channelId}>, so nobody would see the run: invite it there (\`/invite @failback-bot\`) and submit again.`,
      };
    return { ok: true };
  } catch (e) {
    const error = (e as { data?: { error?: string } }).data?.error;
    if (error === 'channel_not_found')
      return {
        ok: false,
        reason:
          'failback-bot cannot see this conversation, so nobody would see the run: invite it to the channel (`/invite @failback-bot`), or use the incident channel.',
      };
    throw e;
  }
}

/** How long a channel check is reused: a yes for two minutes, a no for twenty seconds (an invite is quick). */
const OK_TTL_S = 120;
const NO_TTL_S = 20;

/** The channel check through the facts cache (Redis): read while a modal is open, reused on Submit. */
export async function cachedChannelAccess(
  deps: {
    readonly facts: {
      channelAccess(id: string): Promise<{ ok: boolean; reason?: string } | undefined>;
      putChannelAccess(id: string, a: { ok: boolean; reason?: string }, ttl: number): Promise<void>;
    };
  },
  client: WebClient,
  channelId: string,
): Promise<ChannelAccess> {
  const cached = await deps.facts.channelAccess(channelId);
  if (cached)
    return cached.ok
      ? { ok: true }
      : { ok: false, reason: cached.reason ?? 'failback-bot cannot post in that channel.' };
  const access = await channelAccess(client, channelId);
  await deps.facts.putChannelAccess(channelId, access, access.ok ? OK_TTL_S : NO_TTL_S);
  return access;
}
