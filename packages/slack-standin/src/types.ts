/**
 * Shapes the Slack stand-in stores and returns. Block Kit JSON is kept as plain JSON objects
 * (`JsonObject`): the stand-in checks limits, it does not model every element type.
 */

/** A parsed JSON object (Block Kit block, element, view, payload). */
export type JsonObject = { [key: string]: unknown };

/** A person in the stand-in workspace (for users.info, payloads and transcript names). */
export interface StandInUser {
  id: string;
  /** Handle, e.g. `alice`. */
  name: string;
  /** Display name, e.g. `Alice Example`. Default: `name`. */
  realName?: string;
  tz?: string;
  isBot?: boolean;
}

/** A channel in the stand-in workspace (for conversations.info and transcript names). */
export interface StandInChannel {
  id: string;
  name: string;
  isPrivate?: boolean;
  /** Whether the bot is a member (default true): Slack refuses its posts with `not_in_channel` otherwise. */
  botMember?: boolean;
  /** An archived channel refuses posts with `is_archived`. */
  archived?: boolean;
}

/** One message as it is now (updates applied). */
export interface StoredMessage {
  channel: string;
  ts: string;
  /** Set on thread replies: the parent's ts. */
  threadTs?: string;
  /** Author: the bot user id, or a user id for response_url `in_channel` posts made for a user. */
  user: string;
  botId?: string;
  text: string;
  blocks: JsonObject[];
  attachments?: JsonObject[];
  metadata?: JsonObject;
  files?: StoredFile[];
  reactions: { name: string; users: string[] }[];
  /** Wall-clock ms of the post. */
  postedAt: number;
  /** Global order across messages, ephemerals and activity (times can tie). */
  seq: number;
  /** How the message got here. */
  via: 'chat.postMessage' | 'response_url' | 'command_response' | 'files.completeUploadExternal';
  /** Every earlier version, oldest first (the current one is the message itself). */
  history: { text: string; blocks: JsonObject[]; at: number }[];
  /** Wall-clock ms of the latest update, if any. */
  editedAt?: number;
  deleted?: boolean;
  /** Number of thread replies (replies are stored as messages with `threadTs`). */
  replyCount: number;
}

/** An ephemeral message: visible to one user, never updated by chat.update. */
export interface StoredEphemeral {
  channel: string;
  /** Who sees it. */
  user: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks: JsonObject[];
  postedAt: number;
  seq: number;
  via: 'chat.postEphemeral' | 'response_url' | 'command_response';
  /** response_url `replace_original` on an ephemeral replaces it in place (kept in history). */
  history: { text: string; blocks: JsonObject[]; at: number }[];
  editedAt?: number;
  deleted?: boolean;
}

/** A modal as it is now. */
export interface StoredView {
  id: string;
  hash: string;
  externalId?: string;
  /** The user who sees it. */
  userId: string;
  rootViewId: string;
  previousViewId?: string;
  /** The full view JSON as last set (type, title, blocks, callback_id, private_metadata, …). */
  view: JsonObject;
  openedAt: number;
  updatedAt: number;
  state: 'open' | 'closed';
  /** Earlier versions, oldest first. */
  history: { view: JsonObject; at: number }[];
  /** Last `response_action: errors` the bot answered a submission with. */
  lastErrors?: Record<string, string>;
}

/** A file shared through files.uploadV2. */
export interface StoredFile {
  id: string;
  filename: string;
  title?: string;
  length: number;
  bytes?: Buffer;
  channel?: string;
  threadTs?: string;
  initialComment?: string;
}

/** One Web API call as the stand-in saw it. */
export interface RecordedCall {
  method: string;
  args: JsonObject;
  /** Token the call carried (Authorization header or `token` field). */
  token?: string;
  time: number;
  httpStatus: number;
  response: JsonObject;
}

/** One post the bot made to a `response_url`. */
export interface ResponseUrlPost {
  responseUrl: string;
  body: JsonObject;
  time: number;
  httpStatus: number;
  /** What it did: a new ephemeral or channel message, a replacement, a deletion, or a refusal. */
  effect: 'ephemeral' | 'in_channel' | 'replace_original' | 'delete_original' | 'refused';
}
