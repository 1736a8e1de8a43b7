import type { TranscriptBlock } from './events';
import { mrkdwnToText, replaceEmoji, textStyle, type NameLookup, type TextStyle } from './mrkdwn';

type Json = { [key: string]: unknown };

/** Options for Block Kit → terminal text. */
export interface BlockTextOptions extends NameLookup {
  color?: boolean;
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** A text object (plain_text or mrkdwn) as terminal text. */
export function textObject(value: unknown, opts: BlockTextOptions): string {
  const obj = asObject(value);
  if (!obj || typeof obj.text !== 'string') return '';
  return obj.type === 'mrkdwn' ? mrkdwnToText(obj.text, opts, opts.color ?? false) : replaceEmoji(obj.text);
}

/** An interactive element as it looks: `[ Commit ]`, `[ Pick VMs ▾ ]`, `[ ⋯ ]`. */
export function elementText(value: unknown, opts: BlockTextOptions, style: TextStyle): string {
  const el = asObject(value);
  if (!el) return '';
  const placeholder = textObject(el.placeholder, opts);
  switch (el.type) {
    case 'button': {
      const label = `[ ${textObject(el.text, opts)} ]`;
      return el.style === 'danger' ? style.danger(label) : el.style === 'primary' ? style.primary(label) : label;
    }
    case 'overflow':
      return '[ ⋯ ]';
    case 'image':
      return `[image: ${String(el.alt_text ?? '')}]`;
    case 'plain_text_input': {
      const initial = typeof el.initial_value === 'string' ? el.initial_value : '';
      return `[ ${initial || style.dim(placeholder || '…')} ]`;
    }
    case 'checkboxes':
    case 'radio_buttons': {
      const options = Array.isArray(el.options) ? el.options : [];
      const mark = el.type === 'checkboxes' ? '☐' : '○';
      return options.map((o) => `${mark} ${textObject(asObject(o)?.text, opts)}`).join('  ');
    }
    default: {
      const initial = asObject(el.initial_option);
      const initials = Array.isArray(el.initial_options) ? el.initial_options : [];
      const shown = initial
        ? textObject(initial.text, opts)
        : initials.length > 0
          ? initials.map((o) => textObject(asObject(o)?.text, opts)).join(', ')
          : placeholder || String(el.type ?? 'element').replace(/_/g, ' ');
      return `[ ${shown} ▾ ]`;
    }
  }
}

function richText(value: unknown): string {
  const walk = (node: unknown): string => {
    const obj = asObject(node);
    if (!obj) return '';
    if (typeof obj.text === 'string') return obj.text;
    if (obj.type === 'user') return `@${String(obj.user_id)}`;
    if (obj.type === 'link') return String(obj.text ?? obj.url ?? '');
    return Array.isArray(obj.elements) ? obj.elements.map(walk).join(obj.type === 'rich_text_list' ? '\n• ' : '') : '';
  };
  return walk(value);
}

// eslint-disable-next-line no-control-regex -- ANSI escape sequences start with ESC (\x1b) by definition
const ANSI = /\u001b\[[0-9;]*m/g;

/** Two section fields side by side, as Slack lays them out (each may span several lines). */
function twoColumns(left: string, right: string | undefined, width = 32): string[] {
  const l = left.split('\n');
  const r = right === undefined ? [] : right.split('\n');
  const rows: string[] = [];
  for (let i = 0; i < Math.max(l.length, r.length); i++) {
    const cell = l[i] ?? '';
    const pad = ' '.repeat(Math.max(1, width - cell.replace(ANSI, '').length));
    rows.push(r[i] === undefined ? cell : `${cell}${pad}${r[i]}`);
  }
  return rows;
}

/** One block as terminal lines. */
export function blockLines(block: TranscriptBlock, opts: BlockTextOptions): string[] {
  const style = textStyle(opts.color ?? false);
  switch (block.type) {
    case 'header':
      return [style.bold(textObject(block.text, opts))];
    case 'divider':
      return [style.dim('─'.repeat(40))];
    case 'section': {
      const lines: string[] = [];
      const text = textObject(block.text, opts);
      const accessory = block.accessory ? elementText(block.accessory, opts, style) : '';
      if (text) lines.push(...text.split('\n'));
      if (accessory) {
        if (lines.length > 0) lines[0] = `${lines[0]}   ${accessory}`;
        else lines.push(accessory);
      }
      const fields = Array.isArray(block.fields) ? block.fields.map((f) => textObject(f, opts)) : [];
      for (let i = 0; i < fields.length; i += 2) lines.push(...twoColumns(fields[i] ?? '', fields[i + 1]));
      return lines;
    }
    case 'context': {
      const parts = Array.isArray(block.elements)
        ? block.elements.map((e) => (asObject(e)?.type === 'image' ? '▪' : textObject(e, opts)))
        : [];
      return [style.dim(parts.join('  '))];
    }
    case 'actions':
      return [Array.isArray(block.elements) ? block.elements.map((e) => elementText(e, opts, style)).join('  ') : ''];
    case 'input': {
      const label = textObject(block.label, opts) + (block.optional === true ? style.dim(' (optional)') : '');
      const lines = [style.bold(label), elementText(block.element, opts, style)];
      const hint = textObject(block.hint, opts);
      if (hint) lines.push(style.dim(hint));
      return lines;
    }
    case 'image':
      return [`[image: ${String(block.alt_text ?? '')}]`];
    case 'rich_text':
      return richText(block).split('\n');
    case 'markdown':
      return typeof block.text === 'string' ? block.text.split('\n') : [];
    default:
      return [style.dim(`[${String(block.type)} block]`)];
  }
}

/** All blocks as terminal lines. */
export function blocksToLines(blocks: TranscriptBlock[], opts: BlockTextOptions): string[] {
  return blocks.flatMap((b) => blockLines(b, opts)).flatMap((line) => line.split('\n'));
}
