import { checkMessageBlocks, BLOCK_KIT_LIMITS } from './block-kit-limits';
import { SlackApiRefusal } from './errors';
import type { MethodContext, MethodHandler } from './method-context';
import type { JsonObject, StoredMessage } from './types';
import { optionalJson, optionalObjectArray, optionalString, refuseBlocks, requireString } from './web-api-args';

function readContent(args: JsonObject): { text?: string; blocks?: JsonObject[]; attachments?: JsonObject[] } {
  const blocks = optionalObjectArray(args, 'blocks', 'invalid_blocks_format');
  const attachments = optionalObjectArray(args, 'attachments', 'invalid_attachments');
  const text = typeof args.text === 'string' ? args.text : undefined;
  if (blocks) {
    const errors = checkMessageBlocks(blocks);
    if (errors.length > 0) refuseBlocks(errors);
  }
  if (text !== undefined && text.length > BLOCK_KIT_LIMITS.messageText) throw new SlackApiRefusal('msg_too_long');
  return {
    ...(text !== undefined ? { text } : {}),
    ...(blocks ? { blocks } : {}),
    ...(attachments ? { attachments } : {}),
  };
}

/** The message object Slack returns in chat.* responses and in interaction payloads. */
export function messageJson(m: StoredMessage, botName: string): JsonObject {
  return {
    type: 'message',
    ...(m.botId ? { subtype: 'bot_message', bot_id: m.botId, username: botName } : {}),
    user: m.user,
    text: m.text,
    blocks: m.blocks,
    ...(m.attachments ? { attachments: m.attachments } : {}),
    ts: m.ts,
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(m.replyCount > 0 ? { thread_ts: m.ts, reply_count: m.replyCount } : {}),
    ...(m.editedAt ? { edited: { user: m.user, ts: m.ts } } : {}),
    ...(m.metadata ? { metadata: m.metadata } : {}),
  };
}

const postMessage: MethodHandler = ({ ws, args }) => {
  const channel = requireString(args, 'channel');
  ws.checkBotCanPost(channel);
  const content = readContent(args);
  if (!content.text && !content.blocks?.length && !content.attachments?.length) throw new SlackApiRefusal('no_text');
  const threadTs = optionalString(args, 'thread_ts');
  const metadata = optionalJson(args, 'metadata', 'invalid_metadata_format');
  const message = ws.addMessage({
    channel,
    ...(threadTs ? { threadTs } : {}),
    user: ws.identity.botUserId,
    botId: ws.identity.botId,
    text: content.text ?? '',
    blocks: content.blocks ?? [],
    ...(content.attachments ? { attachments: content.attachments } : {}),
    ...(metadata && typeof metadata === 'object' ? { metadata: metadata as JsonObject } : {}),
    via: 'chat.postMessage',
  });
  return { channel, ts: message.ts, message: messageJson(message, ws.identity.botName) };
};

const update: MethodHandler = ({ ws, args }) => {
  const channel = requireString(args, 'channel');
  ws.checkBotCanPost(channel);
  const ts = requireString(args, 'ts');
  const message = ws.findMessage(channel, ts);
  if (!message) throw new SlackApiRefusal('message_not_found');
  if (message.user !== ws.identity.botUserId) throw new SlackApiRefusal('cant_update_message');
  const content = readContent(args);
  if (content.text === undefined && content.blocks === undefined && content.attachments === undefined)
    throw new SlackApiRefusal('no_text');
  // Slack keeps the previous blocks when `blocks` is left out; `[]` removes them.
  ws.updateMessage(message, content);
  return { channel, ts, text: message.text, message: messageJson(message, ws.identity.botName) };
};

const deleteMessage: MethodHandler = ({ ws, args }) => {
  const channel = requireString(args, 'channel');
  const ts = requireString(args, 'ts');
  const message = ws.findMessage(channel, ts);
  if (!message) throw new SlackApiRefusal('message_not_found');
  message.deleted = true;
  return { channel, ts };
};

const postEphemeral: MethodHandler = ({ ws, args }) => {
  const channel = requireString(args, 'channel');
  const user = requireString(args, 'user');
  const content = readContent(args);
  if (!content.text && !content.blocks?.length && !content.attachments?.length) throw new SlackApiRefusal('no_text');
  if (ws.users.size > 0 && !ws.users.has(user)) throw new SlackApiRefusal('user_not_in_channel');
  const threadTs = optionalString(args, 'thread_ts');
  const ephemeral = ws.addEphemeral({
    channel,
    user,
    ...(threadTs ? { threadTs } : {}),
    text: content.text ?? '',
    blocks: content.blocks ?? [],
    via: 'chat.postEphemeral',
  });
  return { message_ts: ephemeral.ts };
};

const getPermalink: MethodHandler = ({ ws, args, baseUrl }) => {
  const channel = requireString(args, 'channel');
  const ts = requireString(args, 'message_ts');
  if (!ws.findMessage(channel, ts)) throw new SlackApiRefusal('message_not_found');
  return { channel, permalink: `${baseUrl}archives/${channel}/p${ts.replace('.', '')}` };
};

const addReaction: MethodHandler = ({ ws, args }: MethodContext) => {
  const channel = requireString(args, 'channel');
  const ts = requireString(args, 'timestamp');
  const name = requireString(args, 'name');
  const message = ws.findMessage(channel, ts);
  if (!message) throw new SlackApiRefusal('message_not_found');
  let reaction = message.reactions.find((r) => r.name === name);
  if (!reaction) {
    reaction = { name, users: [] };
    message.reactions.push(reaction);
  }
  if (reaction.users.includes(ws.identity.botUserId)) throw new SlackApiRefusal('already_reacted');
  reaction.users.push(ws.identity.botUserId);
  ws.record({ type: 'reaction_added', userId: ws.identity.botUserId, channelId: channel, messageTs: ts, name });
  return {};
};

/** chat.*, reactions.add */
export const chatMethods: Record<string, MethodHandler> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.delete': deleteMessage,
  'chat.postEphemeral': postEphemeral,
  'chat.getPermalink': getPermalink,
  'reactions.add': addReaction,
};
