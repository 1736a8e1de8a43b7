/**
 * Test helper: checks Block Kit output against Slack's limits, recursively, and fails with every
 * violation and where it is (a JSON pointer), so a builder that would be refused with
 * `invalid_blocks` fails its unit test instead.
 */
type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const SLACK_LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  options: 100,
  optionText: 75,
  optionValue: 150,
  contextElements: 10,
  actionsElements: 25,
  id: 255,
  modalChrome: 24,
  privateMetadata: 3000,
  label: 2000,
  placeholder: 150,
  messageText: 40000,
} as const;
const L = SLACK_LIMITS;

export function slackLimitViolations(subject: unknown): string[] {
  const errors: string[] = [];
  const ids = new Map<string, Set<string>>([
    ['action_id', new Set()],
    ['block_id', new Set()],
  ]);
  const fail = (msg: string, at: string): void => void errors.push(`${at}: ${msg}`);
  const max = (v: unknown, n: number, at: string): void => {
    if (typeof v === 'string' && v.length > n) fail(`${v.length} chars > ${n}`, at);
    if (Array.isArray(v) && v.length > n) fail(`${v.length} items > ${n}`, at);
  };
  const text = (t: unknown, n: number, at: string, plainOnly = false): void => {
    if (!isObj(t)) return fail('missing text object', at);
    if (plainOnly && t.type !== 'plain_text') fail(`must be plain_text, is ${String(t.type)}`, at);
    if (typeof t.text !== 'string' || t.text.length === 0) return fail('empty text', at);
    max(t.text, n, `${at}/text`);
  };
  const id = (kind: string, v: unknown, at: string): void => {
    if (v === undefined) return;
    if (typeof v !== 'string' || v === '') return fail(`bad ${kind}`, at);
    max(v, L.id, at);
    const seen = ids.get(kind)!;
    if (seen.has(v)) fail(`duplicate ${kind} ${v}`, at);
    seen.add(v);
  };
  const option = (o: unknown, at: string): void => {
    if (!isObj(o)) return fail('option is not an object', at);
    text(o.text, L.optionText, `${at}/text`);
    if (typeof o.value !== 'string' || o.value === '') fail('empty option value', `${at}/value`);
    max(o.value, L.optionValue, `${at}/value`);
  };
  const element = (e: unknown, at: string): void => {
    if (!isObj(e)) return fail('element is not an object', at);
    id('action_id', e.action_id, `${at}/action_id`);
    if (e.placeholder !== undefined) text(e.placeholder, L.placeholder, `${at}/placeholder`, true);
    if (e.type === 'button') {
      text(e.text, L.buttonText, `${at}/text`, true);
      max(e.value, L.buttonValue, `${at}/value`);
    }
    if (Array.isArray(e.options)) {
      max(e.options, L.options, `${at}/options`);
      if (e.options.length === 0) fail('empty options', `${at}/options`);
      e.options.forEach((o, i) => option(o, `${at}/options/${i}`));
    }
    if (Array.isArray(e.initial_options)) e.initial_options.forEach((o, i) => option(o, `${at}/initial_options/${i}`));
    if (e.initial_option !== undefined) option(e.initial_option, `${at}/initial_option`);
    if (e.type === 'multi_static_select' || e.type === 'static_select') {
      if (!Array.isArray(e.options)) fail('static select without options', at);
    }
  };
  const block = (b: unknown, at: string): void => {
    if (!isObj(b)) return fail('block is not an object', at);
    id('block_id', b.block_id, `${at}/block_id`);
    switch (b.type) {
      case 'header':
        return text(b.text, L.headerText, `${at}/text`, true);
      case 'section':
        if (b.text === undefined && b.fields === undefined) fail('section without text or fields', at);
        if (b.text !== undefined) text(b.text, L.sectionText, `${at}/text`);
        if (Array.isArray(b.fields)) {
          max(b.fields, L.fields, `${at}/fields`);
          b.fields.forEach((f, i) => text(f, L.fieldText, `${at}/fields/${i}`));
        }
        if (b.accessory !== undefined) element(b.accessory, `${at}/accessory`);
        return;
      case 'context':
        if (!Array.isArray(b.elements) || b.elements.length === 0) return fail('empty context', at);
        max(b.elements, L.contextElements, `${at}/elements`);
        return b.elements.forEach((e, i) => text(e, L.sectionText, `${at}/elements/${i}`));
      case 'actions':
        if (!Array.isArray(b.elements) || b.elements.length === 0) return fail('empty actions', at);
        max(b.elements, L.actionsElements, `${at}/elements`);
        return b.elements.forEach((e, i) => element(e, `${at}/elements/${i}`));
      case 'input':
        text(b.label, L.label, `${at}/label`, true);
        if (b.hint !== undefined) text(b.hint, L.label, `${at}/hint`, true);
        return element(b.element, `${at}/element`);
      case 'divider':
        return;
      default:
        return fail(`unexpected block type ${String(b.type)}`, at);
    }
  };
  const blocks = (list: unknown, limit: number, at: string): void => {
    if (!Array.isArray(list) || list.length === 0) return fail('no blocks', at);
    max(list, limit, at);
    list.forEach((b, i) => block(b, `${at}/${i}`));
  };

  if (Array.isArray(subject)) {
    blocks(subject, L.messageBlocks, '/blocks');
  } else if (isObj(subject) && subject.type === 'modal') {
    text(subject.title, L.modalChrome, '/title', true);
    if (subject.submit !== undefined) text(subject.submit, L.modalChrome, '/submit', true);
    if (subject.close !== undefined) text(subject.close, L.modalChrome, '/close', true);
    max(subject.private_metadata, L.privateMetadata, '/private_metadata');
    max(subject.callback_id, L.id, '/callback_id');
    blocks(subject.blocks, L.modalBlocks, '/blocks');
    const hasInput = Array.isArray(subject.blocks) && subject.blocks.some((b) => isObj(b) && b.type === 'input');
    if (hasInput && subject.submit === undefined) fail('input blocks need a submit button', '/submit');
  } else if (isObj(subject) && Array.isArray(subject.blocks)) {
    max(subject.text, L.messageText, '/text');
    if (typeof subject.text !== 'string' || subject.text === '') fail('message without fallback text', '/text');
    blocks(subject.blocks, L.messageBlocks, '/blocks');
  } else {
    fail('neither blocks, a message nor a modal', '/');
  }
  return errors;
}

/** Fails the test with every Slack limit the message (`{text, blocks}`), block list or modal breaks. */
export function assertWithinSlackLimits(subject: unknown): void {
  const errors = slackLimitViolations(subject);
  if (errors.length > 0) throw new Error(`Block Kit limits broken:\n${errors.join('\n')}`);
}

/** Every mrkdwn text in the output, for assertions on escaping. */
export function mrkdwnTexts(subject: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!isObj(v)) return;
    if (v.type === 'mrkdwn' && typeof v.text === 'string') out.push(v.text);
    Object.values(v).forEach(walk);
  };
  walk(subject);
  return out;
}

/** Every text of any kind in the output (plain_text included). */
export function allTexts(subject: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!isObj(v)) return;
    if ((v.type === 'mrkdwn' || v.type === 'plain_text') && typeof v.text === 'string') out.push(v.text);
    Object.values(v).forEach(walk);
  };
  walk(subject);
  return out;
}
