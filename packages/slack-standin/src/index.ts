import type { Server } from 'node:http';
import type { StandInActivity } from './activity';
import type { BotReply } from './bot-request-sender';
import { StandInFaults } from './faults';
import { startStandInHttpServer } from './http-server';
import {
  SlackSide,
  type ChooseOptionArgs,
  type ClickButtonArgs,
  type OpenHomeArgs,
  type SendCommandArgs,
  type SubmitViewArgs,
  type SubmitViewReply,
  type SuggestOptionsArgs,
} from './slack-side';
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
import { pollUntil, type PollOptions } from './poll-until';
import { WorkspaceState, type ExternalTriggers, type WorkspaceIdentity } from './workspace-state';
import { transcriptFromState } from './transcript/from-stand-in';
import type { Transcript } from './transcript/events';

export type { StandInActivity } from './activity';
export { BLOCK_KIT_LIMITS, checkHomeView, checkMessageBlocks, checkModalView } from './block-kit-limits';
export { sendSignedToBot, SLACK_RESPONSE_TIMEOUT_MS, type BotReply, type SendOptions } from './bot-request-sender';
export { SlackApiRefusal, SlackUserActionError } from './errors';
export { signSlackRequest, slackSignatureHeaders, verifySlackSignature } from './signing';
export {
  findElement,
  type ChooseOptionArgs,
  type ClickButtonArgs,
  type ElementLocation,
  type OpenHomeArgs,
  type SendCommandArgs,
  type SubmitViewArgs,
  type SubmitViewReply,
  type SuggestOptionsArgs,
} from './slack-side';
export * from './types';
export {
  buildViewStateValues,
  viewValue,
  type OptionPick,
  type SimpleViewValue,
  type ViewStateValue,
  type ViewValuesInput,
} from './view-state';
export { pollUntil, type PollOptions } from './poll-until';
export {
  EXTERNAL_TRIGGER_USER,
  WorkspaceState,
  type ExternalTriggers,
  type IssuedResponseUrl,
  type IssuedTrigger,
  type WorkspaceIdentity,
} from './workspace-state';
// The transcript renderer: the stand-in's channel as a person reads it (terminal text or an HTML page).
export * from './transcript';

/** Options for {@link startSlackStandIn}. */
export interface SlackStandInOptions {
  /** The only token the Web API accepts (others get `invalid_auth`). */
  botToken: string;
  /** Signs every request the stand-in sends to the bot. */
  signingSecret: string;
  /** Where Slack's requests go, e.g. `http://127.0.0.1:3000/slack/events` (settable later). */
  botUrl?: string;
  /** Port for the stand-in (default: any free port). */
  port?: number;
  /** People: an array, or id → handle (`{ U123: 'alice' }`). */
  users?: StandInUser[] | Record<string, string | Omit<StandInUser, 'id'>>;
  /** Channels for names and conversations.info (any channel id is accepted for posting). */
  channels?: StandInChannel[] | Record<string, string>;
  /** User-group id → member ids, for usergroups.users.list. */
  userGroups?: Record<string, string[]>;
  /** Workspace/app/bot identity (defaults: T0STANDIN, A0FAILBACK, U0BOT, B0BOT, "failback-bot"). */
  identity?: Partial<WorkspaceIdentity>;
  /**
   * Also accept trigger_ids made up outside the stand-in — by a load generator that signs and sends
   * its own commands — of the form `ext.<issuedAtEpochMs>.<random>`: valid 3 s from the time they
   * encode, single use, like the stand-in's own. `true` (the modals they open belong to
   * `EXTERNAL_TRIGGER_USER`) or `{ userId }`. Default off, as in Slack; settable later.
   */
  externalTriggers?: ExternalTriggers;
}

/** A running local Slack: Web API at `apiUrl`, and the Slack side that talks to the bot. */
export interface SlackStandIn {
  /** `http://127.0.0.1:<port>/api/` — Bolt's `clientOptions.slackApiUrl`, env SLACK_API_URL. */
  readonly apiUrl: string;
  /** `http://127.0.0.1:<port>/` */
  readonly baseUrl: string;
  /** Where Slack's requests go (settable when the bot's port is known only later). */
  botUrl: string;
  /** Whether external trigger_ids are accepted (see {@link SlackStandInOptions.externalTriggers}); settable. */
  externalTriggers: ExternalTriggers;
  readonly identity: WorkspaceIdentity;
  readonly faults: StandInFaults;
  /** Every Web API call, in order. */
  readonly calls: readonly RecordedCall[];
  /** Modals by view id, current content. */
  readonly views: ReadonlyMap<string, StoredView>;
  /** Everything the bot posted to response_urls. */
  readonly responseUrlPosts: readonly ResponseUrlPost[];
  /** Commands, clicks, submissions and modal changes, in time order. */
  readonly activity: readonly StandInActivity[];
  /** Files shared through files.uploadV2 (with their bytes). */
  readonly files: ReadonlyMap<string, StoredFile>;
  /** Calls to one Web API method. */
  callsTo(method: string): RecordedCall[];
  /** Top-level messages of a channel as they are now (updates applied, deleted ones left out). */
  messages(channel: string): StoredMessage[];
  /** Replies in a thread, oldest first. */
  thread(channel: string, threadTs: string): StoredMessage[];
  /** Ephemerals, optionally for one channel and/or user. */
  ephemerals(filter?: { channel?: string; user?: string }): StoredEphemeral[];
  /** One message by ts (top-level or reply). */
  message(channel: string, ts: string): StoredMessage | undefined;
  /** A user's Home tab as the app last published it (views.publish); click its buttons by its id. */
  home(userId: string): StoredView | undefined;
  /** A person opens the app's Home tab: a signed `app_home_opened` event goes to the bot. */
  openHome(args: OpenHomeArgs): Promise<BotReply>;
  /** Open modals (optionally of one user), oldest first. */
  openViews(userId?: string): StoredView[];
  /** Polls the recorded state until `predicate` returns a truthy value (deadline, no fixed sleeps). */
  waitFor<T>(predicate: (standIn: SlackStandIn) => T, options?: PollOptions): Promise<NonNullable<T>>;
  /** Moves the stand-in's clock forward (expires trigger_ids and response_urls without waiting). */
  advanceClock(ms: number): void;
  /** Changes a channel as a person would: remove or invite the bot, archive or unarchive it. */
  setChannel(id: string, change: { botMember?: boolean; archived?: boolean }): void;
  /** The stand-in's clock (ms). */
  now(): number;
  /** A person types a slash command (fresh trigger_id valid 3 s, single use; a response_url). */
  sendCommand(args: SendCommandArgs): Promise<BotReply & { triggerId: string; responseUrl: string }>;
  /** A person clicks a button in a message, an ephemeral or a modal. */
  clickButton(args: ClickButtonArgs): Promise<BotReply & { triggerId: string; responseUrl?: string }>;
  /** A person picks an option in a select/overflow/radio outside input blocks. */
  chooseOption(args: ChooseOptionArgs): Promise<BotReply & { triggerId: string; responseUrl?: string }>;
  /** A person submits a modal; the bot's response_action is applied. */
  submitView(args: SubmitViewArgs): Promise<SubmitViewReply>;
  /** A person closes a modal (the bot hears of it only with notify_on_close). */
  closeView(args: { userId: string; viewId: string }): Promise<BotReply | undefined>;
  /** A person types into an external select; returns the options the bot answered. */
  suggestOptions(args: SuggestOptionsArgs): Promise<BotReply & { options: JsonObject[]; optionGroups: JsonObject[] }>;
  /** The conversation so far, for `renderTranscriptText` / `renderTranscriptHtml`. */
  transcript(): Transcript;
  /** The raw workspace state (for the transcript builder and unusual assertions). */
  readonly state: WorkspaceState;
  /** Stops the HTTP server. */
  stop(): Promise<void>;
}

const DEFAULT_IDENTITY: WorkspaceIdentity = {
  teamId: 'T0STANDIN',
  teamDomain: 'failback-standin',
  appId: 'A0FAILBACK',
  botUserId: 'U0BOT',
  botId: 'B0BOT',
  botName: 'failback-bot',
};

function normaliseUsers(users: SlackStandInOptions['users']): StandInUser[] {
  if (!users) return [];
  if (Array.isArray(users)) return users;
  return Object.entries(users).map(([id, u]) => (typeof u === 'string' ? { id, name: u } : { id, ...u }));
}

function normaliseChannels(channels: SlackStandInOptions['channels']): StandInChannel[] {
  if (!channels) return [];
  if (Array.isArray(channels)) return channels;
  return Object.entries(channels).map(([id, name]) => ({ id, name }));
}

/** What the stand-in holds, read as a test reads it: messages, threads, ephemerals, modals, calls. */
function workspaceQueries(
  ws: WorkspaceState,
): Pick<SlackStandIn, 'callsTo' | 'messages' | 'thread' | 'ephemerals' | 'message' | 'home' | 'openViews'> {
  const alive = (m: StoredMessage): boolean => !m.deleted;
  return {
    callsTo: (method) => ws.calls.filter((c) => c.method === method),
    messages: (channel) =>
      (ws.messagesByChannel.get(channel) ?? []).filter((m) => alive(m) && m.threadTs === undefined),
    thread: (channel, threadTs) =>
      (ws.messagesByChannel.get(channel) ?? []).filter((m) => alive(m) && m.threadTs === threadTs),
    ephemerals: (filter = {}) =>
      ws.ephemerals.filter(
        (e) =>
          !e.deleted && (!filter.channel || e.channel === filter.channel) && (!filter.user || e.user === filter.user),
      ),
    message: (channel, ts) => ws.findMessage(channel, ts),
    home: (userId) => ws.homes.get(userId),
    openViews: (userId) => [...ws.views.values()].filter((v) => v.state === 'open' && (!userId || v.userId === userId)),
  };
}

/**
 * Starts a local Slack stand-in on 127.0.0.1: a Web API that answers (and refuses) like Slack,
 * records every call and keeps a channel/modal model, and a Slack side that sends signed
 * commands and interactions to the bot at `botUrl`.
 */
export async function startSlackStandIn(opts: SlackStandInOptions): Promise<SlackStandIn> {
  const identity: WorkspaceIdentity = { ...DEFAULT_IDENTITY, ...opts.identity };
  const users = normaliseUsers(opts.users);
  if (!users.some((u) => u.id === identity.botUserId))
    users.push({ id: identity.botUserId, name: identity.botName, isBot: true });
  const ws = new WorkspaceState(identity, users, normaliseChannels(opts.channels), opts.userGroups ?? {});
  ws.externalTriggers = opts.externalTriggers ?? false;
  const faults = new StandInFaults();
  const { server, baseUrl } = await startStandInHttpServer({ ws, faults, tokens: new Set([opts.botToken]) }, opts.port);
  let botUrl = opts.botUrl ?? '';
  const slack = new SlackSide(ws, { signingSecret: opts.signingSecret, botUrl: () => botUrl, baseUrl });

  const standIn: SlackStandIn = {
    apiUrl: `${baseUrl}api/`,
    baseUrl,
    get botUrl() {
      return botUrl;
    },
    set botUrl(url: string) {
      botUrl = url;
    },
    get externalTriggers() {
      return ws.externalTriggers;
    },
    set externalTriggers(setting: ExternalTriggers) {
      ws.externalTriggers = setting;
    },
    identity,
    faults,
    calls: ws.calls,
    views: ws.views,
    responseUrlPosts: ws.responseUrlPosts,
    activity: ws.activity,
    files: ws.files,
    state: ws,
    ...workspaceQueries(ws),
    openHome: (args) => slack.openHome(args),
    waitFor: (predicate, options) => pollUntil(() => predicate(standIn), options),
    setChannel: (id, change) => {
      const channel = ws.channels.get(id);
      if (!channel) throw new Error(`no channel ${id} in the stand-in`);
      Object.assign(channel, change);
    },
    advanceClock: (ms) => {
      ws.clockOffsetMs += ms;
    },
    now: () => ws.now(),
    sendCommand: (args) => slack.sendCommand(args),
    clickButton: (args) => slack.clickButton(args),
    chooseOption: (args) => slack.chooseOption(args),
    submitView: (args) => slack.submitView(args),
    closeView: (args) => slack.closeView(args),
    suggestOptions: (args) => slack.suggestOptions(args),
    transcript: () => transcriptFromState(ws),
    stop: () => closeServer(server),
  };
  return standIn;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((err) => (err ? reject(err) : resolve()));
  });
}
