import { randomBytes } from 'node:crypto';
import type { ActivityInput, StandInActivity } from './activity';
import { SlackApiRefusal } from './errors';
import type {
  JsonObject,
  RecordedCall,
  ResponseUrlPost,
  StandInChannel,
  StandInUser,
  StoredEphemeral,
  StoredFile,
  StoredMessage,
  StoredView,
} from './types';

/** A trigger_id Slack handed to the app with an interaction: valid 3 s, usable once. */
export interface IssuedTrigger {
  id: string;
  userId: string;
  issuedAt: number;
  used: boolean;
  /** Set when the interaction happened inside a modal (views.push then stacks on it). */
  viewId?: string;
}

/** A response_url handed to the app: 5 uses within 30 minutes, as Slack documents. */
export interface IssuedResponseUrl {
  id: string;
  url: string;
  userId: string;
  channelId?: string;
  /** The message the interaction came from (`replace_original` / `delete_original` act on it). */
  messageTs?: string;
  messageIsEphemeral?: boolean;
  issuedAt: number;
  uses: number;
}

/** Identity of the stand-in workspace and app. */
export interface WorkspaceIdentity {
  teamId: string;
  teamDomain: string;
  appId: string;
  botUserId: string;
  botId: string;
  botName: string;
}

const TRIGGER_TTL_MS = 3_000;

/** Who sees a modal opened with an external trigger_id when the setting names nobody. */
export const EXTERNAL_TRIGGER_USER = 'U0EXTERNAL';

/**
 * Opt-in acceptance of trigger_ids the stand-in did not issue, made up by a load generator that sends
 * its own signed commands: `ext.<issuedAtEpochMs>.<random>`. `true`, or the user who sees the modals.
 */
export type ExternalTriggers = boolean | { userId: string };

const EXTERNAL_TRIGGER = /^ext\.(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/;
const RESPONSE_URL_TTL_MS = 30 * 60_000;
const RESPONSE_URL_MAX_USES = 5;
const MAX_VIEW_STACK = 3;

/**
 * Everything the stand-in workspace holds: channels' messages, ephemerals, modals, triggers,
 * response_urls, files and the call log. Time comes from `now()` (which tests can move forward).
 */
export class WorkspaceState {
  readonly messagesByChannel = new Map<string, StoredMessage[]>();
  readonly ephemerals: StoredEphemeral[] = [];
  readonly views = new Map<string, StoredView>();
  /** Each user's Home tab as last published (views.publish), by user id. */
  readonly homes = new Map<string, StoredView>();
  readonly triggers = new Map<string, IssuedTrigger>();
  readonly responseUrls = new Map<string, IssuedResponseUrl>();
  readonly files = new Map<string, StoredFile>();
  readonly calls: RecordedCall[] = [];
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  readonly activity: StandInActivity[] = [];
  readonly users = new Map<string, StandInUser>();
  readonly channels = new Map<string, StandInChannel>();
  private lastTsMicros = 0;
  private sequence = 0;
  clockOffsetMs = 0;
  /** Whether (and for whom) external trigger_ids are accepted; off by default, as in Slack. */
  externalTriggers: ExternalTriggers = false;

  constructor(
    readonly identity: WorkspaceIdentity,
    users: readonly StandInUser[],
    channels: readonly StandInChannel[],
    readonly userGroups: Record<string, string[]>,
  ) {
    for (const u of users) this.users.set(u.id, u);
    for (const c of channels) this.channels.set(c.id, c);
  }

  /**
   * Refuses a bot post or edit where Slack would: an archived channel, one the bot is not in, one the
   * workspace does not have (when channels are known). A user id (the app's DM with that person) is fine.
   */
  checkBotCanPost(channel: string): void {
    if (/^[UW]/.test(channel)) return;
    const known = this.channels.get(channel);
    if (!known) {
      if (this.channels.size > 0 && !/^D/.test(channel)) throw new SlackApiRefusal('channel_not_found');
      return;
    }
    if (known.archived) throw new SlackApiRefusal('is_archived');
    if (known.botMember === false) throw new SlackApiRefusal('not_in_channel');
  }

  /** The next number in the global order of messages, ephemerals and activity. */
  nextSeq(): number {
    this.sequence += 1;
    return this.sequence;
  }

  /** Records what a person did or what happened to a modal, stamped with time and order. */
  record(entry: ActivityInput): void {
    this.activity.push({ ...entry, at: this.now(), seq: this.nextSeq() });
  }

  /** The stand-in's clock: wall clock plus whatever `advanceClock` added. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** A Slack message timestamp (`1700000000.000123`), strictly increasing. */
  nextTs(): string {
    const micros = Math.max(this.now() * 1000, this.lastTsMicros + 1);
    this.lastTsMicros = micros;
    const sec = Math.floor(micros / 1_000_000);
    return `${sec}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  /** A Slack-looking id with the given prefix (`V`, `F`, …). */
  nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}${this.sequence.toString(36).toUpperCase().padStart(4, '0')}${randomBytes(3).toString('hex').toUpperCase()}`;
  }

  channelMessages(channel: string): StoredMessage[] {
    let list = this.messagesByChannel.get(channel);
    if (!list) {
      list = [];
      this.messagesByChannel.set(channel, list);
    }
    return list;
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messagesByChannel.get(channel)?.find((m) => m.ts === ts && !m.deleted);
  }

  addMessage(
    fields: Omit<StoredMessage, 'ts' | 'postedAt' | 'seq' | 'history' | 'reactions' | 'replyCount'>,
  ): StoredMessage {
    if (fields.threadTs !== undefined) {
      const parent = this.findMessage(fields.channel, fields.threadTs);
      if (!parent) throw new SlackApiRefusal('thread_not_found');
      parent.replyCount += 1;
    }
    const message: StoredMessage = {
      ...fields,
      ts: this.nextTs(),
      postedAt: this.now(),
      seq: this.nextSeq(),
      history: [],
      reactions: [],
      replyCount: 0,
    };
    this.channelMessages(fields.channel).push(message);
    return message;
  }

  updateMessage(message: StoredMessage, change: { text?: string; blocks?: JsonObject[] }): void {
    message.history.push({ text: message.text, blocks: message.blocks, at: message.editedAt ?? message.postedAt });
    if (change.text !== undefined) message.text = change.text;
    if (change.blocks !== undefined) message.blocks = change.blocks;
    message.editedAt = this.now();
  }

  addEphemeral(fields: Omit<StoredEphemeral, 'ts' | 'postedAt' | 'seq' | 'history'>): StoredEphemeral {
    const ephemeral: StoredEphemeral = {
      ...fields,
      ts: this.nextTs(),
      postedAt: this.now(),
      seq: this.nextSeq(),
      history: [],
    };
    this.ephemerals.push(ephemeral);
    return ephemeral;
  }

  // ---- triggers -------------------------------------------------------------------------------

  issueTrigger(userId: string, viewId?: string): IssuedTrigger {
    const id = `${Math.floor(this.now() / 1000)}.${randomBytes(4).readUInt32BE(0)}.${randomBytes(16).toString('hex')}`;
    const trigger: IssuedTrigger = { id, userId, issuedAt: this.now(), used: false, ...(viewId ? { viewId } : {}) };
    this.triggers.set(id, trigger);
    return trigger;
  }

  /** Spends a trigger_id: unknown → invalid_trigger_id; used or older than 3 s → expired_trigger_id. */
  useTrigger(id: unknown): IssuedTrigger {
    if (typeof id !== 'string' || id === '')
      throw new SlackApiRefusal('invalid_arguments', { detail: 'trigger_id is required' });
    const trigger = this.triggers.get(id) ?? this.externalTrigger(id);
    if (!trigger) throw new SlackApiRefusal('invalid_trigger_id');
    if (trigger.used || this.now() - trigger.issuedAt > TRIGGER_TTL_MS) throw new SlackApiRefusal('expired_trigger_id');
    trigger.used = true;
    return trigger;
  }

  /**
   * An external trigger_id seen for the first time, under the same rules as the stand-in's own: it
   * lives 3 s from the time it encodes and is spent by its first use (it is remembered from then on).
   * One from more than a second in the future is not a trigger Slack could have issued.
   */
  private externalTrigger(id: string): IssuedTrigger | undefined {
    const setting = this.externalTriggers;
    const issuedAt = Number(EXTERNAL_TRIGGER.exec(id)?.[1] ?? Number.NaN);
    if (setting === false || !Number.isSafeInteger(issuedAt) || issuedAt > this.now() + 1_000) return undefined;
    const userId = setting === true ? EXTERNAL_TRIGGER_USER : setting.userId;
    const trigger: IssuedTrigger = { id, userId, issuedAt, used: false };
    this.triggers.set(id, trigger);
    return trigger;
  }

  // ---- response_url ---------------------------------------------------------------------------

  issueResponseUrl(
    baseUrl: string,
    fields: Omit<IssuedResponseUrl, 'id' | 'url' | 'issuedAt' | 'uses'>,
  ): IssuedResponseUrl {
    const id = `${this.identity.teamId}/${this.nextId('R')}/${randomBytes(12).toString('hex')}`;
    const issued: IssuedResponseUrl = { ...fields, id, url: `${baseUrl}response/${id}`, issuedAt: this.now(), uses: 0 };
    this.responseUrls.set(id, issued);
    return issued;
  }

  /** Whether a response_url may still be used (and counts the use). */
  spendResponseUrl(issued: IssuedResponseUrl): boolean {
    if (issued.uses >= RESPONSE_URL_MAX_USES || this.now() - issued.issuedAt > RESPONSE_URL_TTL_MS) return false;
    issued.uses += 1;
    return true;
  }

  // ---- views ----------------------------------------------------------------------------------

  openView(userId: string, view: JsonObject, stackOn?: StoredView): StoredView {
    if (stackOn && this.stackDepth(stackOn) >= MAX_VIEW_STACK) throw new SlackApiRefusal('push_limit_reached');
    const externalId = typeof view.external_id === 'string' ? view.external_id : undefined;
    if (externalId && [...this.views.values()].some((v) => v.externalId === externalId && v.state === 'open')) {
      throw new SlackApiRefusal('duplicate_external_id');
    }
    const id = this.nextId('V');
    const stored: StoredView = {
      id,
      hash: this.newHash(),
      ...(externalId ? { externalId } : {}),
      userId,
      rootViewId: stackOn?.rootViewId ?? id,
      ...(stackOn ? { previousViewId: stackOn.id } : {}),
      view,
      openedAt: this.now(),
      updatedAt: this.now(),
      state: 'open',
      history: [],
    };
    this.views.set(id, stored);
    this.record({ type: stackOn ? 'view_pushed' : 'view_opened', userId, viewId: id, view });
    return stored;
  }

  replaceView(stored: StoredView, view: JsonObject): void {
    stored.history.push({ view: stored.view, at: stored.updatedAt });
    stored.view = view;
    stored.hash = this.newHash();
    stored.updatedAt = this.now();
    const externalId = typeof view.external_id === 'string' ? view.external_id : undefined;
    if (externalId) stored.externalId = externalId;
    this.record({ type: 'view_updated', userId: stored.userId, viewId: stored.id, view });
  }

  closeView(stored: StoredView, by: 'user' | 'submission' | 'clear'): void {
    if (stored.state === 'closed') return;
    stored.state = 'closed';
    this.record({ type: 'view_closed', userId: stored.userId, viewId: stored.id, by });
  }

  /** Closes every open view in the stack that `stored` belongs to (response_action `clear`). */
  closeStack(stored: StoredView): void {
    for (const v of this.views.values()) {
      if (v.rootViewId === stored.rootViewId) this.closeView(v, 'clear');
    }
  }

  /** The open view on top of a user's stack, if any. */
  topOpenView(userId: string): StoredView | undefined {
    let top: StoredView | undefined;
    for (const v of this.views.values()) if (v.userId === userId && v.state === 'open') top = v;
    return top;
  }

  /** views.publish: the user's Home tab gets this view (its id stays, its hash changes). */
  publishHome(userId: string, view: JsonObject): StoredView {
    const current = this.homes.get(userId);
    if (current) {
      current.history.push({ view: current.view, at: current.updatedAt });
      current.view = view;
      current.hash = this.newHash();
      current.updatedAt = this.now();
      return current;
    }
    const id = this.nextId('V');
    const stored: StoredView = {
      id,
      hash: this.newHash(),
      userId,
      rootViewId: id,
      view,
      openedAt: this.now(),
      updatedAt: this.now(),
      state: 'open',
      history: [],
    };
    this.homes.set(userId, stored);
    return stored;
  }

  /** A Home tab by its view id. */
  homeById(viewId: string): StoredView | undefined {
    return [...this.homes.values()].find((h) => h.id === viewId);
  }

  /** The app's DM channel with a user (where Slack says their App Home is). */
  appHomeChannel(userId: string): string {
    return `D${userId.replace(/^[UW]/, '')}`;
  }

  private stackDepth(view: StoredView): number {
    let depth = 0;
    for (const v of this.views.values()) if (v.rootViewId === view.rootViewId && v.state === 'open') depth += 1;
    return depth;
  }

  private newHash(): string {
    return `${Math.floor(this.now() / 1000)}.${randomBytes(6).toString('hex')}`;
  }

  // ---- names ----------------------------------------------------------------------------------

  userName(id: string): string {
    return this.users.get(id)?.name ?? id.toLowerCase();
  }

  channelName(id: string): string {
    return this.channels.get(id)?.name ?? id.toLowerCase();
  }
}
