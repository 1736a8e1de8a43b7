import { checkMessageBlocks } from './block-kit-limits';
import type { JsonObject, ResponseUrlPost, StoredEphemeral, StoredMessage } from './types';
import type { IssuedResponseUrl, WorkspaceState } from './workspace-state';

/**
 * Applies what the bot posted to a response_url as Slack would: `delete_original`,
 * `replace_original` (on the message the interaction came from), else a new message — ephemeral to
 * the user unless `response_type: in_channel`. Returns the HTTP status and what happened.
 */
export function applyResponseUrlPost(
  ws: WorkspaceState,
  issued: IssuedResponseUrl,
  body: JsonObject,
): { status: number; text: string; effect: ResponseUrlPost['effect'] } {
  if (!ws.spendResponseUrl(issued)) return { status: 404, text: 'expired_url', effect: 'refused' };
  const blocks = Array.isArray(body.blocks) ? (body.blocks as JsonObject[]) : undefined;
  if (blocks) {
    const errors = checkMessageBlocks(blocks);
    if (errors.length > 0) return { status: 400, text: `invalid_blocks: ${errors.join('; ')}`, effect: 'refused' };
  }
  const text = typeof body.text === 'string' ? body.text : '';
  const truthy = (v: unknown): boolean => v === true || v === 'true';
  const channel = issued.channelId;

  if (truthy(body.delete_original) || truthy(body.replace_original)) {
    const target = findOriginal(ws, issued);
    if (!target) return { status: 404, text: 'message_not_found', effect: 'refused' };
    if (truthy(body.delete_original)) {
      target.deleted = true;
      return { status: 200, text: 'ok', effect: 'delete_original' };
    }
    target.history.push({ text: target.text, blocks: target.blocks, at: target.editedAt ?? target.postedAt });
    target.text = text;
    target.blocks = blocks ?? [];
    target.editedAt = ws.now();
    return { status: 200, text: 'ok', effect: 'replace_original' };
  }
  if (!channel) return { status: 404, text: 'channel_not_found', effect: 'refused' };
  const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
  if (body.response_type === 'in_channel') {
    ws.addMessage({
      channel,
      ...(threadTs ? { threadTs } : {}),
      user: ws.identity.botUserId,
      botId: ws.identity.botId,
      text,
      blocks: blocks ?? [],
      via: 'response_url',
    });
    return { status: 200, text: 'ok', effect: 'in_channel' };
  }
  ws.addEphemeral({
    channel,
    user: issued.userId,
    ...(threadTs ? { threadTs } : {}),
    text,
    blocks: blocks ?? [],
    via: 'response_url',
  });
  return { status: 200, text: 'ok', effect: 'ephemeral' };
}

function findOriginal(ws: WorkspaceState, issued: IssuedResponseUrl): StoredMessage | StoredEphemeral | undefined {
  if (!issued.channelId || !issued.messageTs) return undefined;
  if (issued.messageIsEphemeral) {
    return ws.ephemerals.find((e) => e.channel === issued.channelId && e.ts === issued.messageTs && !e.deleted);
  }
  return ws.findMessage(issued.channelId, issued.messageTs);
}
