import type { JsonObject } from './types';

/**
 * Slack's Block Kit limits, as Slack enforces them (api docs "Block Kit reference"). A message or
 * view that breaks one is refused with `invalid_blocks` and one error per problem, each naming the
 * place as Slack does: `must be less than 3001 characters [json-pointer:/blocks/0/text/text]`.
 */
export const BLOCK_KIT_LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  staticSelectOptions: 100,
  optionText: 75,
  optionValue: 150,
  placeholderText: 150,
  contextElements: 10,
  actionsElements: 25,
  checkboxOptions: 10,
  radioOptions: 10,
  overflowOptions: 5,
  inputLabel: 2000,
  inputHint: 2000,
  plainTextInputMaxLength: 3000,
  modalTitle: 24,
  modalSubmit: 24,
  modalClose: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
  messageText: 40000,
} as const;

const L = BLOCK_KIT_LIMITS;

type Surface = 'message' | 'modal' | 'home';

class Checker {
  readonly errors: string[] = [];
  readonly actionIds = new Map<string, string>();
  readonly blockIds = new Map<string, string>();

  fail(message: string, pointer: string): void {
    this.errors.push(`${message} [json-pointer:${pointer}]`);
  }

  maxLength(value: unknown, max: number, pointer: string): void {
    if (typeof value === 'string' && value.length > max) this.fail(`must be less than ${max + 1} characters`, pointer);
  }

  maxItems(value: unknown, max: number, pointer: string): void {
    if (Array.isArray(value) && value.length > max) this.fail(`must be less than ${max + 1} items`, pointer);
  }

  /** A text object: `{type: plain_text|mrkdwn, text}` with non-empty text under `max`. */
  text(value: unknown, max: number, pointer: string, plainOnly = false): void {
    if (!isObject(value)) return this.fail('must provide an object', pointer);
    if (value.type !== 'plain_text' && (plainOnly || value.type !== 'mrkdwn')) {
      return this.fail(`must be one of: ${plainOnly ? 'plain_text' : 'plain_text, mrkdwn'}`, `${pointer}/type`);
    }
    if (typeof value.text !== 'string' || value.text.length === 0)
      return this.fail('must be more than 0 characters', `${pointer}/text`);
    this.maxLength(value.text, max, `${pointer}/text`);
  }

  id(kind: 'action_id' | 'block_id', value: unknown, pointer: string): void {
    if (value === undefined) return;
    if (typeof value !== 'string' || value.length === 0) return this.fail('must be a non-empty string', pointer);
    this.maxLength(value, kind === 'action_id' ? L.actionId : L.blockId, pointer);
    const seen = kind === 'action_id' ? this.actionIds : this.blockIds;
    const first = seen.get(value);
    if (first !== undefined) this.fail(`duplicate ${kind} "${value}" (first at ${first})`, pointer);
    else seen.set(value, pointer);
  }

  option(value: unknown, pointer: string, textMax = L.optionText): void {
    if (!isObject(value)) return this.fail('must provide an object', pointer);
    this.text(value.text, textMax, `${pointer}/text`);
    if (typeof value.value !== 'string' || value.value.length === 0)
      this.fail('must be more than 0 characters', `${pointer}/value`);
    this.maxLength(value.value, L.optionValue, `${pointer}/value`);
  }

  options(list: unknown, max: number, pointer: string): void {
    if (list === undefined) return;
    if (!Array.isArray(list)) return this.fail('must provide an array', pointer);
    if (list.length === 0) this.fail('must provide at least 1 item', pointer);
    this.maxItems(list, max, pointer);
    list.forEach((o, i) => this.option(o, `${pointer}/${i}`));
  }

  element(el: unknown, pointer: string): void {
    if (!isObject(el)) return this.fail('must provide an object', pointer);
    this.id('action_id', el.action_id, `${pointer}/action_id`);
    if (el.placeholder !== undefined) this.text(el.placeholder, L.placeholderText, `${pointer}/placeholder`, true);
    switch (el.type) {
      case 'button':
        this.text(el.text, L.buttonText, `${pointer}/text`, true);
        this.maxLength(el.value, L.buttonValue, `${pointer}/value`);
        this.maxLength(el.url, L.buttonUrl, `${pointer}/url`);
        if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
          this.fail('must be one of: primary, danger', `${pointer}/style`);
        }
        break;
      case 'static_select':
      case 'multi_static_select':
        if (el.options === undefined && el.option_groups === undefined)
          this.fail('must provide options or option_groups', pointer);
        this.options(el.options, L.staticSelectOptions, `${pointer}/options`);
        if (Array.isArray(el.option_groups)) {
          this.maxItems(el.option_groups, L.staticSelectOptions, `${pointer}/option_groups`);
          el.option_groups.forEach((g, i) => {
            if (isObject(g)) this.options(g.options, L.staticSelectOptions, `${pointer}/option_groups/${i}/options`);
          });
        }
        break;
      case 'checkboxes':
        this.options(el.options, L.checkboxOptions, `${pointer}/options`);
        break;
      case 'radio_buttons':
        this.options(el.options, L.radioOptions, `${pointer}/options`);
        break;
      case 'overflow':
        this.options(el.options, L.overflowOptions, `${pointer}/options`);
        break;
      case 'plain_text_input':
        if (typeof el.max_length === 'number' && el.max_length > L.plainTextInputMaxLength) {
          this.fail(`must be less than ${L.plainTextInputMaxLength + 1}`, `${pointer}/max_length`);
        }
        break;
      case 'image':
        if (typeof el.alt_text !== 'string' || el.alt_text.length === 0)
          this.fail('must be more than 0 characters', `${pointer}/alt_text`);
        break;
      default:
        break;
    }
  }

  block(block: unknown, pointer: string, surface: Surface): void {
    if (!isObject(block)) return this.fail('must provide an object', pointer);
    this.id('block_id', block.block_id, `${pointer}/block_id`);
    switch (block.type) {
      case 'section':
        if (block.text === undefined && block.fields === undefined) this.fail('must provide text or fields', pointer);
        if (block.text !== undefined) this.text(block.text, L.sectionText, `${pointer}/text`);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields)) this.fail('must provide an array', `${pointer}/fields`);
          else {
            this.maxItems(block.fields, L.sectionFields, `${pointer}/fields`);
            block.fields.forEach((f, i) => this.text(f, L.fieldText, `${pointer}/fields/${i}`));
          }
        }
        if (block.accessory !== undefined) this.element(block.accessory, `${pointer}/accessory`);
        break;
      case 'header':
        this.text(block.text, L.headerText, `${pointer}/text`, true);
        break;
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length === 0)
          this.fail('must provide at least 1 item', `${pointer}/elements`);
        else {
          this.maxItems(block.elements, L.contextElements, `${pointer}/elements`);
          block.elements.forEach((e, i) => {
            if (isObject(e) && (e.type === 'mrkdwn' || e.type === 'plain_text'))
              this.text(e, L.sectionText, `${pointer}/elements/${i}`);
            else this.element(e, `${pointer}/elements/${i}`);
          });
        }
        break;
      case 'actions':
        if (!Array.isArray(block.elements) || block.elements.length === 0)
          this.fail('must provide at least 1 item', `${pointer}/elements`);
        else {
          this.maxItems(block.elements, L.actionsElements, `${pointer}/elements`);
          block.elements.forEach((e, i) => this.element(e, `${pointer}/elements/${i}`));
        }
        break;
      case 'input':
        this.text(block.label, L.inputLabel, `${pointer}/label`, true);
        if (block.hint !== undefined) this.text(block.hint, L.inputHint, `${pointer}/hint`, true);
        if (block.element === undefined) this.fail('must provide an element', `${pointer}/element`);
        else this.element(block.element, `${pointer}/element`);
        break;
      case 'divider':
      case 'image':
      case 'rich_text':
      case 'markdown':
      case 'file':
      case 'video':
        break;
      default:
        this.fail(`unsupported block type "${String(block.type)}" on a ${surface}`, `${pointer}/type`);
    }
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a message's `blocks`. Returns Slack-style error strings; empty when acceptable. */
export function checkMessageBlocks(blocks: unknown, pointer = '/blocks'): string[] {
  const checker = new Checker();
  checkBlockList(checker, blocks, pointer, 'message');
  return checker.errors;
}

/** Checks a whole modal view (title/submit/close, private_metadata, ids, blocks). */
export function checkModalView(view: unknown): string[] {
  const checker = new Checker();
  if (!isObject(view)) {
    checker.fail('must provide an object', '/view');
    return checker.errors;
  }
  if (view.type !== 'modal') checker.fail('must be one of: modal', '/view/type');
  if (view.title === undefined) checker.fail('must provide a title', '/view/title');
  else checker.text(view.title, L.modalTitle, '/view/title', true);
  if (view.submit !== undefined) checker.text(view.submit, L.modalSubmit, '/view/submit', true);
  if (view.close !== undefined) checker.text(view.close, L.modalClose, '/view/close', true);
  checker.maxLength(view.private_metadata, L.privateMetadata, '/view/private_metadata');
  checker.maxLength(view.callback_id, L.callbackId, '/view/callback_id');
  checker.maxLength(view.external_id, L.externalId, '/view/external_id');
  checkBlockList(checker, view.blocks, '/view/blocks', 'modal');
  const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === 'input');
  if (hasInput && view.submit === undefined)
    checker.fail('must provide submit when the view has input blocks', '/view/submit');
  return checker.errors;
}

/** Checks a Home tab view for views.publish (type home, 100 blocks, metadata and ids; no title). */
export function checkHomeView(view: unknown): string[] {
  const checker = new Checker();
  if (!isObject(view)) {
    checker.fail('must provide an object', '/view');
    return checker.errors;
  }
  if (view.type !== 'home') checker.fail('must be one of: home', '/view/type');
  if (!Array.isArray(view.blocks)) checker.fail('must provide an array', '/view/blocks');
  checker.maxLength(view.private_metadata, L.privateMetadata, '/view/private_metadata');
  checker.maxLength(view.callback_id, L.callbackId, '/view/callback_id');
  checker.maxLength(view.external_id, L.externalId, '/view/external_id');
  checkBlockList(checker, view.blocks, '/view/blocks', 'home');
  return checker.errors;
}

function checkBlockList(checker: Checker, blocks: unknown, pointer: string, surface: Surface): void {
  if (blocks === undefined) return;
  if (!Array.isArray(blocks)) return checker.fail('must provide an array', pointer);
  checker.maxItems(blocks, surface === 'message' ? L.messageBlocks : L.modalBlocks, pointer);
  blocks.forEach((b, i) => checker.block(b, `${pointer}/${i}`, surface));
}
