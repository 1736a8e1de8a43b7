import { messageJson } from './chat-methods';
import { SlackApiRefusal } from './errors';
import type { MethodHandler } from './method-context';
import { optionalString, requireString } from './web-api-args';

const withMetadata = (include: unknown) => include === true || include === 'true' || include === '1';

/** conversations.history: top-level messages newest first, `oldest`/`limit` honoured, metadata on request. */
const history: MethodHandler = ({ ws, args }) => {
  const channel = requireString(args, 'channel');
  const oldest = Number(optionalString(args, 'oldest') ?? '0');
  const limit = Math.min(1000, Number(args.limit ?? 100) || 100);
  const meta = withMetadata(args.include_all_metadata);
  const messages = ws
    .channelMessages(channel)
    .filter((m) => !m.deleted && !m.threadTs && Number(m.ts) >= oldest)
    .sort((a, b) => Number(b.ts) - Number(a.ts))
    .slice(0, limit)
    .map((m) => {
      const json = messageJson(m, ws.identity.botName);
      if (!meta) delete json.metadata;
      return json;
    });
  return { messages, has_more: false };
};

/** conversations.replies: the parent and its replies, oldest first. */
const replies: MethodHandler = ({ ws, args }) => {
  const channel = requireString(args, 'channel');
  const ts = requireString(args, 'ts');
  const parent = ws.findMessage(channel, ts);
  if (!parent) throw new SlackApiRefusal('thread_not_found');
  const meta = withMetadata(args.include_all_metadata);
  const thread = [parent, ...ws.channelMessages(channel).filter((m) => m.threadTs === ts && !m.deleted)].map((m) => {
    const json = messageJson(m, ws.identity.botName);
    if (!meta) delete json.metadata;
    return json;
  });
  return { messages: thread, has_more: false };
};

export const historyMethods: Record<string, MethodHandler> = {
  'conversations.history': history,
  'conversations.replies': replies,
};
