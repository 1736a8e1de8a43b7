import { interactionForm, sendSignedToBot, type BotReply, type SendOptions } from './bot-request-sender';
import { messageJson } from './chat-methods';
import { SlackApiRefusal, SlackUserActionError } from './errors';
import type { JsonObject, StoredView } from './types';
import { buildViewStateValues, resolveOption, type OptionPick, type ViewValuesInput } from './view-state';
import { checkViewOrRefuse, viewJson } from './views-methods';
import type { WorkspaceState } from './workspace-state';

/** Where an interactive element lives: a channel message (or ephemeral) or an open modal. */
export type ElementLocation =
  | { channelId: string; messageTs: string; viewId?: undefined }
  | { viewId: string; channelId?: undefined; messageTs?: undefined };

/** Arguments of {@link SlackSide.sendCommand}. */
export interface SendCommandArgs {
  /** Default `/failback`. */
  command?: string;
  text?: string;
  userId: string;
  channelId: string;
  teamId?: string;
  options?: SendOptions;
}

/** Arguments of {@link SlackSide.openHome}. */
export interface OpenHomeArgs {
  userId: string;
  options?: SendOptions;
}

/** Arguments of {@link SlackSide.clickButton}. */
export type ClickButtonArgs = ElementLocation & {
  userId: string;
  actionId: string;
  blockId?: string;
  /** Override the button's value (Slack sends the button's own). */
  value?: string;
  /**
   * The message as this person's client still shows it (an earlier version, not yet refreshed):
   * clicking a button the bot has since retired.
   */
  shownBlocks?: JsonObject[];
  options?: SendOptions;
};

/** Arguments of {@link SlackSide.chooseOption}: a select, overflow or radio element outside an input block. */
/** `pick` is one option, or several for a multi-select (e.g. one with `dispatch_action` in an input block). */
export type ChooseOptionArgs = ElementLocation & {
  userId: string;
  actionId: string;
  blockId?: string;
  pick: OptionPick | OptionPick[];
  options?: SendOptions;
};

/** Arguments of {@link SlackSide.submitView}. */
export interface SubmitViewArgs extends ViewValuesInput {
  userId: string;
  viewId: string;
  options?: SendOptions;
}

/** What happened to a submitted modal. */
export interface SubmitViewReply extends BotReply {
  responseAction?: 'errors' | 'update' | 'push' | 'clear' | 'close';
  errors?: Record<string, string>;
  /** The `state.values` that were sent. */
  sentValues: JsonObject;
}

/** Arguments of {@link SlackSide.suggestOptions}. */
export type SuggestOptionsArgs = (
  ElementLocation | { viewId?: undefined; channelId?: undefined; messageTs?: undefined }
) & {
  userId: string;
  actionId: string;
  blockId: string;
  value: string;
  options?: SendOptions;
};

interface FoundElement {
  block: JsonObject;
  element: JsonObject;
}

/** Finds an interactive element by action_id (and block_id) in a list of blocks. */
export function findElement(blocks: JsonObject[], actionId: string, blockId?: string): FoundElement | undefined {
  for (const block of blocks) {
    if (blockId !== undefined && block.block_id !== blockId) continue;
    const candidates: unknown[] = [];
    if (block.accessory) candidates.push(block.accessory);
    if (block.element) candidates.push(block.element);
    if (Array.isArray(block.elements)) candidates.push(...block.elements);
    for (const el of candidates) {
      if (typeof el === 'object' && el !== null && (el as JsonObject).action_id === actionId)
        return { block, element: el as JsonObject };
    }
  }
  return undefined;
}

/** A view the bot answered a submission with; Slack shows an error instead of a broken view. */
function checkedView(view: unknown, action: string): JsonObject {
  try {
    checkViewOrRefuse(view as JsonObject);
  } catch (err) {
    const detail =
      err instanceof SlackApiRefusal ? `${err.error} ${JSON.stringify(err.extra.errors ?? [])}` : String(err);
    throw new SlackUserActionError(`the bot answered response_action "${action}" with a view Slack refuses: ${detail}`);
  }
  return view as JsonObject;
}

function plainText(obj: unknown): string | undefined {
  return typeof obj === 'object' && obj !== null && typeof (obj as JsonObject).text === 'string'
    ? ((obj as JsonObject).text as string)
    : undefined;
}

/**
 * The Slack side of the conversation: what Slack sends to the bot when a person types a command,
 * clicks, submits or closes a modal, or types into an external select. Every request is signed.
 */
export class SlackSide {
  constructor(
    private readonly ws: WorkspaceState,
    private readonly config: { signingSecret: string; botUrl: () => string; baseUrl: string },
  ) {}

  private user(userId: string): JsonObject {
    return {
      id: userId,
      username: this.ws.userName(userId),
      name: this.ws.userName(userId),
      team_id: this.ws.identity.teamId,
    };
  }

  private team(): JsonObject {
    return { id: this.ws.identity.teamId, domain: this.ws.identity.teamDomain };
  }

  private send(form: string, options?: SendOptions): Promise<BotReply> {
    const url = this.config.botUrl();
    if (!url)
      throw new SlackUserActionError('the stand-in has no botUrl: pass it to startSlackStandIn or set standIn.botUrl');
    return sendSignedToBot(url, this.config.signingSecret, form, options);
  }

  /** A person types a slash command. Issues a fresh trigger_id (3 s, single use) and a response_url. */
  async sendCommand(args: SendCommandArgs): Promise<BotReply & { triggerId: string; responseUrl: string }> {
    const { ws } = this;
    const command = args.command ?? '/failback';
    const text = args.text ?? '';
    const trigger = ws.issueTrigger(args.userId);
    const responseUrl = ws.issueResponseUrl(this.config.baseUrl, { userId: args.userId, channelId: args.channelId });
    // A forged or replayed request is not something a person did: keep it out of the transcript.
    const tampered =
      args.options?.forgeSignature ||
      args.options?.staleBySeconds !== undefined ||
      args.options?.timestampSec !== undefined;
    if (!tampered) ws.record({ type: 'command', userId: args.userId, channelId: args.channelId, command, text });
    const form = new URLSearchParams({
      token: 'stand-in-verification-token',
      team_id: args.teamId ?? ws.identity.teamId,
      team_domain: ws.identity.teamDomain,
      channel_id: args.channelId,
      channel_name: ws.channelName(args.channelId),
      user_id: args.userId,
      user_name: ws.userName(args.userId),
      command,
      text,
      api_app_id: ws.identity.appId,
      is_enterprise_install: 'false',
      response_url: responseUrl.url,
      trigger_id: trigger.id,
    }).toString();
    const reply = await this.send(form, args.options);
    this.applyMessageAnswer(reply, args.channelId, args.userId);
    return { ...reply, triggerId: trigger.id, responseUrl: responseUrl.url };
  }

  /**
   * A person opens the app's Home tab: Slack sends an `app_home_opened` event through the Events API
   * (a signed JSON body), carrying the Home's current view when one was published before.
   */
  async openHome(args: OpenHomeArgs): Promise<BotReply> {
    const { ws } = this;
    const home = ws.homes.get(args.userId);
    const body = {
      token: 'stand-in-verification-token',
      team_id: ws.identity.teamId,
      api_app_id: ws.identity.appId,
      event: {
        type: 'app_home_opened',
        user: args.userId,
        channel: ws.appHomeChannel(args.userId),
        tab: 'home',
        event_ts: ws.nextTs(),
        ...(home ? { view: viewJson(ws, home) } : {}),
      },
      type: 'event_callback',
      event_id: ws.nextId('Ev'),
      event_time: Math.floor(ws.now() / 1000),
      authorizations: [
        {
          enterprise_id: null,
          team_id: ws.identity.teamId,
          user_id: ws.identity.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
    };
    return this.send(JSON.stringify(body), { contentType: 'application/json', ...args.options });
  }

  /** A slash command's HTTP answer with text/blocks is shown to the user, as Slack does. */
  private applyMessageAnswer(reply: BotReply, channelId: string, userId: string): void {
    if (!reply.withinSlackTimeout || reply.body === undefined) return;
    const body: JsonObject = typeof reply.body === 'string' ? { text: reply.body } : (reply.body as JsonObject);
    const text = typeof body.text === 'string' ? body.text : '';
    const blocks = Array.isArray(body.blocks) ? (body.blocks as JsonObject[]) : [];
    if (!text && blocks.length === 0) return;
    if (body.response_type === 'in_channel') {
      this.ws.addMessage({
        channel: channelId,
        user: this.ws.identity.botUserId,
        botId: this.ws.identity.botId,
        text,
        blocks,
        via: 'command_response',
      });
    } else {
      this.ws.addEphemeral({ channel: channelId, user: userId, text, blocks, via: 'command_response' });
    }
  }

  /** The container, blocks and payload parts for an element in a message, ephemeral or modal. */
  private locate(
    loc: ElementLocation,
    userId: string,
  ): { blocks: JsonObject[]; payload: JsonObject; view?: StoredView; responseUrl?: string } {
    const { ws } = this;
    if (loc.viewId !== undefined) {
      // A modal, or a Home tab (its buttons send the same block_actions, container type view).
      const view = ws.views.get(loc.viewId) ?? ws.homeById(loc.viewId);
      if (!view || view.state !== 'open') throw new SlackUserActionError(`modal ${loc.viewId} is not open`);
      if (view.userId !== userId)
        throw new SlackUserActionError(`modal ${loc.viewId} belongs to ${view.userId}, not ${userId}`);
      return {
        blocks: (view.view.blocks as JsonObject[] | undefined) ?? [],
        view,
        payload: { container: { type: 'view', view_id: view.id }, view: viewJson(ws, view) },
      };
    }
    const channel = { id: loc.channelId, name: ws.channelName(loc.channelId) };
    const message = ws.findMessage(loc.channelId, loc.messageTs);
    if (message) {
      const responseUrl = ws.issueResponseUrl(this.config.baseUrl, {
        userId,
        channelId: loc.channelId,
        messageTs: message.ts,
      });
      return {
        blocks: message.blocks,
        responseUrl: responseUrl.url,
        payload: {
          container: { type: 'message', message_ts: message.ts, channel_id: loc.channelId, is_ephemeral: false },
          channel,
          message: messageJson(message, ws.identity.botName),
          response_url: responseUrl.url,
        },
      };
    }
    const ephemeral = ws.ephemerals.find((e) => e.channel === loc.channelId && e.ts === loc.messageTs && !e.deleted);
    if (!ephemeral) throw new SlackUserActionError(`no message ${loc.messageTs} in ${loc.channelId}`);
    if (ephemeral.user !== userId)
      throw new SlackUserActionError(`ephemeral ${loc.messageTs} is visible to ${ephemeral.user} only`);
    const responseUrl = ws.issueResponseUrl(this.config.baseUrl, {
      userId,
      channelId: loc.channelId,
      messageTs: ephemeral.ts,
      messageIsEphemeral: true,
    });
    return {
      blocks: ephemeral.blocks,
      responseUrl: responseUrl.url,
      payload: {
        container: { type: 'message', message_ts: ephemeral.ts, channel_id: loc.channelId, is_ephemeral: true },
        channel,
        response_url: responseUrl.url,
      },
    };
  }

  private async sendBlockAction(
    loc: ElementLocation,
    located: ReturnType<SlackSide['locate']>,
    userId: string,
    action: JsonObject,
    label: string | undefined,
    options?: SendOptions,
  ): Promise<BotReply & { triggerId: string; responseUrl?: string }> {
    const { ws } = this;
    const trigger = ws.issueTrigger(userId, located.view?.id);
    ws.record({
      type: 'block_action',
      userId,
      ...(loc.channelId !== undefined
        ? { channelId: loc.channelId, messageTs: loc.messageTs }
        : { viewId: loc.viewId }),
      actionId: String(action.action_id),
      ...(typeof action.block_id === 'string' ? { blockId: action.block_id } : {}),
      ...(label !== undefined ? { label } : {}),
    });
    const payload = {
      type: 'block_actions',
      user: this.user(userId),
      api_app_id: ws.identity.appId,
      token: 'stand-in-verification-token',
      trigger_id: trigger.id,
      team: this.team(),
      enterprise: null,
      is_enterprise_install: false,
      state: { values: {} },
      ...located.payload,
      actions: [{ ...action, action_ts: ws.nextTs() }],
    };
    const reply = await this.send(interactionForm(payload), options);
    return { ...reply, triggerId: trigger.id, ...(located.responseUrl ? { responseUrl: located.responseUrl } : {}) };
  }

  /** A person clicks a button (in a message, an ephemeral, or a modal). */
  async clickButton(args: ClickButtonArgs): Promise<BotReply & { triggerId: string; responseUrl?: string }> {
    const located = this.locate(args, args.userId);
    const found = findElement(args.shownBlocks ?? located.blocks, args.actionId, args.blockId);
    if (!found || found.element.type !== 'button')
      throw new SlackUserActionError(`no button with action_id "${args.actionId}" there`);
    const action: JsonObject = {
      type: 'button',
      action_id: args.actionId,
      block_id: found.block.block_id ?? '',
      text: found.element.text,
      ...((args.value ?? found.element.value) !== undefined ? { value: args.value ?? found.element.value } : {}),
      ...(found.element.style ? { style: found.element.style } : {}),
    };
    return this.sendBlockAction(args, located, args.userId, action, plainText(found.element.text), args.options);
  }

  /** A person picks an option in a select/overflow/radio element outside an input block. */
  async chooseOption(args: ChooseOptionArgs): Promise<BotReply & { triggerId: string; responseUrl?: string }> {
    const located = this.locate(args, args.userId);
    const found = findElement(located.blocks, args.actionId, args.blockId);
    if (!found) throw new SlackUserActionError(`no element with action_id "${args.actionId}" there`);
    const base: JsonObject = {
      type: found.element.type,
      action_id: args.actionId,
      block_id: found.block.block_id ?? '',
    };
    if (Array.isArray(args.pick)) {
      const selected = args.pick.map((p) => resolveOption(found.element, p, args.actionId));
      const label = selected.map((o) => plainText(o.text)).join(', ');
      return this.sendBlockAction(
        args,
        located,
        args.userId,
        { ...base, selected_options: selected },
        label,
        args.options,
      );
    }
    const selected = resolveOption(found.element, args.pick, args.actionId);
    return this.sendBlockAction(
      args,
      located,
      args.userId,
      { ...base, selected_option: selected },
      plainText(selected.text),
      args.options,
    );
  }

  /**
   * A person presses Submit. The bot's answer is applied as Slack would: `errors` keep the modal
   * open, `update`/`push`/`clear` change the stack, an empty 200 closes the top view.
   */
  async submitView(args: SubmitViewArgs): Promise<SubmitViewReply> {
    const { ws } = this;
    const stored = ws.views.get(args.viewId);
    if (!stored || stored.state !== 'open') throw new SlackUserActionError(`modal ${args.viewId} is not open`);
    const values = buildViewStateValues(stored.view, args);
    ws.record({ type: 'view_submitted', userId: args.userId, viewId: stored.id, values });
    const payload = {
      type: 'view_submission',
      team: this.team(),
      user: this.user(args.userId),
      api_app_id: ws.identity.appId,
      token: 'stand-in-verification-token',
      trigger_id: ws.issueTrigger(args.userId, stored.id).id,
      view: viewJson(ws, stored, values),
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    const reply = await this.send(interactionForm(payload), args.options);
    return { ...reply, ...this.applySubmissionAnswer(stored, reply, args.userId), sentValues: values };
  }

  private applySubmissionAnswer(
    stored: StoredView,
    reply: BotReply,
    userId: string,
  ): Pick<SubmitViewReply, 'responseAction' | 'errors'> {
    const { ws } = this;
    if (!reply.withinSlackTimeout) return {};
    const body = typeof reply.body === 'object' && reply.body !== null ? (reply.body as JsonObject) : {};
    switch (body.response_action) {
      case 'errors': {
        const errors = (body.errors ?? {}) as Record<string, string>;
        stored.lastErrors = errors;
        ws.record({ type: 'view_errors', userId, viewId: stored.id, errors });
        return { responseAction: 'errors', errors };
      }
      case 'update':
        ws.replaceView(stored, checkedView(body.view, 'update'));
        return { responseAction: 'update' };
      case 'push':
        ws.openView(userId, checkedView(body.view, 'push'), stored);
        return { responseAction: 'push' };
      case 'clear':
        ws.closeStack(stored);
        return { responseAction: 'clear' };
      default:
        ws.closeView(stored, 'submission');
        return { responseAction: 'close' };
    }
  }

  /** A person closes a modal (X / Cancel). Slack tells the bot only when `notify_on_close` is set. */
  async closeView(args: { userId: string; viewId: string; options?: SendOptions }): Promise<BotReply | undefined> {
    const { ws } = this;
    const stored = ws.views.get(args.viewId);
    if (!stored || stored.state !== 'open') throw new SlackUserActionError(`modal ${args.viewId} is not open`);
    ws.closeView(stored, 'user');
    if (stored.view.notify_on_close !== true) return undefined;
    const payload = {
      type: 'view_closed',
      team: this.team(),
      user: this.user(args.userId),
      api_app_id: ws.identity.appId,
      token: 'stand-in-verification-token',
      view: viewJson(ws, stored),
      is_cleared: false,
      is_enterprise_install: false,
      enterprise: null,
    };
    return this.send(interactionForm(payload), args.options);
  }

  /** A person types into an external select: Slack asks the bot for options. */
  async suggestOptions(
    args: SuggestOptionsArgs,
  ): Promise<BotReply & { options: JsonObject[]; optionGroups: JsonObject[] }> {
    const { ws } = this;
    let where: JsonObject = {};
    if (args.viewId !== undefined || args.channelId !== undefined) {
      const located = this.locate(args as ElementLocation, args.userId);
      where = { ...located.payload };
      delete where.response_url;
    }
    const payload = {
      type: 'block_suggestion',
      user: this.user(args.userId),
      api_app_id: ws.identity.appId,
      token: 'stand-in-verification-token',
      team: this.team(),
      action_id: args.actionId,
      block_id: args.blockId,
      value: args.value,
      ...where,
    };
    const reply = await this.send(interactionForm(payload), args.options);
    const body = typeof reply.body === 'object' && reply.body !== null ? (reply.body as JsonObject) : {};
    return {
      ...reply,
      options: Array.isArray(body.options) ? (body.options as JsonObject[]) : [],
      optionGroups: Array.isArray(body.option_groups) ? (body.option_groups as JsonObject[]) : [],
    };
  }
}
