import { SlackUserActionError } from './errors';
import type { JsonObject } from './types';

/**
 * Building `view.state.values` for a view_submission, shaped exactly as Slack sends it:
 * `{ [block_id]: { [action_id]: { type, value | selected_option | selected_options | … } } }`.
 */

/** One element's state as Slack sends it (raw form). Must carry `type`. */
export type ViewStateValue = JsonObject & { type: string };

/** An option picked by value, optionally with its visible text (needed for external selects). */
export type OptionPick = string | { value: string; text?: string };

/**
 * What a test may give for one element: a raw {@link ViewStateValue} (built with `viewValue.*`),
 * or a simple value the stand-in expands using the view's own element definition:
 * a string (text inputs, number/date/time pickers, user/channel pickers, single selects by option
 * value), an array (multi selects, checkboxes, multi user pickers), or null (leave empty).
 */
export type SimpleViewValue = string | number | null | OptionPick[] | { value: string; text?: string };

/** Builders for raw element states (when you want to send exactly this). */
export const viewValue = {
  plainText: (value: string | null): ViewStateValue => ({ type: 'plain_text_input', value }),
  number: (value: string | null): ViewStateValue => ({ type: 'number_input', value }),
  staticSelect: (value: string | null, text?: string): ViewStateValue => ({
    type: 'static_select',
    selected_option: value === null ? null : option(value, text),
  }),
  externalSelect: (value: string | null, text?: string): ViewStateValue => ({
    type: 'external_select',
    selected_option: value === null ? null : option(value, text),
  }),
  multiStaticSelect: (picks: OptionPick[]): ViewStateValue => ({
    type: 'multi_static_select',
    selected_options: picks.map(pickToOption),
  }),
  multiExternalSelect: (picks: OptionPick[]): ViewStateValue => ({
    type: 'multi_external_select',
    selected_options: picks.map(pickToOption),
  }),
  checkboxes: (picks: OptionPick[]): ViewStateValue => ({
    type: 'checkboxes',
    selected_options: picks.map(pickToOption),
  }),
  radioButtons: (value: string | null, text?: string): ViewStateValue => ({
    type: 'radio_buttons',
    selected_option: value === null ? null : option(value, text),
  }),
  user: (id: string | null): ViewStateValue => ({ type: 'users_select', selected_user: id }),
  users: (ids: string[]): ViewStateValue => ({ type: 'multi_users_select', selected_users: ids }),
  conversation: (id: string | null): ViewStateValue => ({ type: 'conversations_select', selected_conversation: id }),
  channel: (id: string | null): ViewStateValue => ({ type: 'channels_select', selected_channel: id }),
  date: (isoDate: string | null): ViewStateValue => ({ type: 'datepicker', selected_date: isoDate }),
  time: (hhmm: string | null): ViewStateValue => ({ type: 'timepicker', selected_time: hhmm }),
};

function option(value: string, text?: string): JsonObject {
  return { text: { type: 'plain_text', text: text ?? value, emoji: true }, value };
}

function pickToOption(pick: OptionPick): JsonObject {
  return typeof pick === 'string' ? option(pick) : option(pick.value, pick.text);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every option of a static element (options or option_groups). */
export function optionsOf(element: JsonObject): JsonObject[] {
  const direct = Array.isArray(element.options) ? (element.options as JsonObject[]) : [];
  const grouped = Array.isArray(element.option_groups)
    ? (element.option_groups as JsonObject[]).flatMap((g) =>
        Array.isArray(g.options) ? (g.options as JsonObject[]) : [],
      )
    : [];
  return [...direct, ...grouped];
}

/** Finds the option a person would click: static lists by value; external lists trust the pick. */
export function resolveOption(element: JsonObject, pick: OptionPick, where: string): JsonObject {
  const value = typeof pick === 'string' ? pick : pick.value;
  const known = optionsOf(element);
  if (known.length === 0 || String(element.type).includes('external')) return pickToOption(pick);
  const found = known.find((o) => o.value === value);
  if (!found) {
    throw new SlackUserActionError(
      `${where}: no option with value "${value}" (has: ${known.map((o) => String(o.value)).join(', ')})`,
    );
  }
  return { text: found.text, value: found.value, ...(found.description ? { description: found.description } : {}) };
}

/** Expands a simple value for one element into Slack's raw state. */
function expand(element: JsonObject, given: SimpleViewValue, where: string): ViewStateValue {
  const type = String(element.type);
  const asPicks = (v: SimpleViewValue): OptionPick[] =>
    v === null ? [] : Array.isArray(v) ? v : [typeof v === 'number' ? String(v) : v];
  const single = (v: SimpleViewValue): JsonObject | null => {
    const picks = asPicks(v);
    if (picks.length > 1) throw new SlackUserActionError(`${where}: ${type} takes one option, got ${picks.length}`);
    return picks[0] === undefined ? null : resolveOption(element, picks[0], where);
  };
  const text = (v: SimpleViewValue): string | null =>
    v === null ? null : typeof v === 'object' ? (Array.isArray(v) ? String(v[0] ?? '') : v.value) : String(v);
  switch (type) {
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return { type, selected_option: single(given) };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { type, selected_options: asPicks(given).map((p) => resolveOption(element, p, where)) };
    case 'users_select':
      return { type, selected_user: text(given) };
    case 'multi_users_select':
      return { type, selected_users: asPicks(given).map((p) => (typeof p === 'string' ? p : p.value)) };
    case 'conversations_select':
      return { type, selected_conversation: text(given) };
    case 'multi_conversations_select':
      return { type, selected_conversations: asPicks(given).map((p) => (typeof p === 'string' ? p : p.value)) };
    case 'channels_select':
      return { type, selected_channel: text(given) };
    case 'datepicker':
      return { type, selected_date: text(given) };
    case 'timepicker':
      return { type, selected_time: text(given) };
    default:
      // plain_text_input, number_input, email_text_input, url_text_input, …
      return { type, value: text(given) };
  }
}

/** The state an untouched element submits (its initial_* fields), as Slack does. */
function initialState(element: JsonObject): ViewStateValue {
  const type = String(element.type);
  switch (type) {
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return { type, selected_option: isObject(element.initial_option) ? element.initial_option : null };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { type, selected_options: Array.isArray(element.initial_options) ? element.initial_options : [] };
    case 'users_select':
      return { type, selected_user: element.initial_user ?? null };
    case 'multi_users_select':
      return { type, selected_users: element.initial_users ?? [] };
    case 'conversations_select':
      return { type, selected_conversation: element.initial_conversation ?? null };
    case 'multi_conversations_select':
      return { type, selected_conversations: element.initial_conversations ?? [] };
    case 'channels_select':
      return { type, selected_channel: element.initial_channel ?? null };
    case 'datepicker':
      return { type, selected_date: element.initial_date ?? null };
    case 'timepicker':
      return { type, selected_time: element.initial_time ?? null };
    default:
      return { type, value: typeof element.initial_value === 'string' ? element.initial_value : null };
  }
}

function isEmpty(state: ViewStateValue): boolean {
  const value =
    state.value ??
    state.selected_option ??
    state.selected_options ??
    state.selected_user ??
    state.selected_users ??
    state.selected_conversation ??
    state.selected_conversations ??
    state.selected_channel ??
    state.selected_date ??
    state.selected_time;
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** What `submitView` accepts; see {@link buildViewStateValues}. */
export interface ViewValuesInput {
  /** block_id → action_id → raw state or simple value. */
  values?: Record<string, Record<string, ViewStateValue | SimpleViewValue>>;
  /** action_id → raw state or simple value (when action_ids are unique in the view). */
  inputs?: Record<string, ViewStateValue | SimpleViewValue>;
  /** Send even if a required input is empty (Slack's client would not). Default false. */
  allowEmptyRequired?: boolean;
}

function isRawState(value: unknown): value is ViewStateValue {
  return isObject(value) && typeof value.type === 'string';
}

/**
 * Builds `state.values` for every input block of `view`: given values win, untouched elements
 * submit their initial values, and a required input left empty is refused like Slack's client does.
 * Keys that match no element are refused too (they are typos).
 * @throws SlackUserActionError
 */
export function buildViewStateValues(
  view: JsonObject,
  input: ViewValuesInput,
): Record<string, Record<string, ViewStateValue>> {
  const out: Record<string, Record<string, ViewStateValue>> = {};
  const usedBlocks = new Set<string>();
  const usedActions = new Set<string>();
  const blocks = Array.isArray(view.blocks) ? (view.blocks as JsonObject[]) : [];
  blocks.forEach((block, index) => {
    if (block.type !== 'input' || !isObject(block.element)) return;
    const element = block.element;
    const blockId = typeof block.block_id === 'string' ? block.block_id : `block-${index}`;
    const actionId = typeof element.action_id === 'string' ? element.action_id : `action-${index}`;
    const where = `input ${blockId}/${actionId}`;
    const byBlock = input.values?.[blockId];
    const given =
      byBlock && actionId in byBlock
        ? byBlock[actionId]
        : input.inputs && actionId in input.inputs
          ? input.inputs[actionId]
          : undefined;
    if (byBlock) usedBlocks.add(blockId);
    if (given !== undefined) usedActions.add(actionId);
    const state =
      given === undefined ? initialState(element) : isRawState(given) ? given : expand(element, given, where);
    if (block.optional !== true && !input.allowEmptyRequired && isEmpty(state)) {
      throw new SlackUserActionError(`Slack would not submit: required ${where} is empty`);
    }
    out[blockId] = { ...(out[blockId] ?? {}), [actionId]: state };
  });
  const unknownBlocks = Object.keys(input.values ?? {}).filter((b) => !usedBlocks.has(b));
  const unknownActions = [
    ...Object.keys(input.inputs ?? {}),
    ...Object.values(input.values ?? {}).flatMap((byAction) => Object.keys(byAction)),
  ].filter((a) => !usedActions.has(a));
  if (unknownBlocks.length > 0 || unknownActions.length > 0) {
    throw new SlackUserActionError(
      `the view has no input for ${[...unknownBlocks.map((b) => `block_id "${b}"`), ...unknownActions.map((a) => `action_id "${a}"`)].join(', ')}`,
    );
  }
  return out;
}
