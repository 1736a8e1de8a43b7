import { SlackApiRefusal } from './errors';
import type { MethodHandler } from './method-context';
import type { StoredFile } from './types';
import { optionalJson, optionalString, requireString } from './web-api-args';

const getUploadUrl: MethodHandler = ({ ws, args, baseUrl }) => {
  const filename = requireString(args, 'filename');
  const length = Number(requireString(args, 'length'));
  if (!Number.isFinite(length) || length < 0)
    throw new SlackApiRefusal('invalid_arguments', { detail: 'length must be a number' });
  const id = ws.nextId('F');
  ws.files.set(id, { id, filename, length });
  return { upload_url: `${baseUrl}upload/${id}`, file_id: id };
};

const completeUpload: MethodHandler = ({ ws, args }) => {
  const files = optionalJson(args, 'files', 'invalid_arguments');
  if (!Array.isArray(files) || files.length === 0)
    throw new SlackApiRefusal('invalid_arguments', { detail: 'files is required' });
  const channel = optionalString(args, 'channel_id');
  const threadTs = optionalString(args, 'thread_ts');
  const initialComment = optionalString(args, 'initial_comment');
  const completed: StoredFile[] = files.map((entry: unknown) => {
    const id = typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined;
    const file = typeof id === 'string' ? ws.files.get(id) : undefined;
    if (!file) throw new SlackApiRefusal('file_not_found');
    if (file.bytes === undefined)
      throw new SlackApiRefusal('file_upload_not_found', { detail: `no bytes were uploaded for ${file.id}` });
    const title = (entry as { title?: unknown }).title;
    if (typeof title === 'string') file.title = title;
    if (channel) file.channel = channel;
    if (threadTs) file.threadTs = threadTs;
    if (initialComment) file.initialComment = initialComment;
    return file;
  });
  if (channel) {
    ws.addMessage({
      channel,
      ...(threadTs ? { threadTs } : {}),
      user: ws.identity.botUserId,
      botId: ws.identity.botId,
      text: initialComment ?? '',
      blocks: [],
      files: completed,
      via: 'files.completeUploadExternal',
    });
  }
  return {
    files: completed.map((f) => ({ id: f.id, name: f.filename, title: f.title ?? f.filename, size: f.length })),
  };
};

/** files.getUploadURLExternal, files.completeUploadExternal (bytes go to the stand-in's /upload/<id>). */
export const filesMethods: Record<string, MethodHandler> = {
  'files.getUploadURLExternal': getUploadUrl,
  'files.completeUploadExternal': completeUpload,
};
