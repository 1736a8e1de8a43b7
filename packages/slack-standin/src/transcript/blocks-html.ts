import type { TranscriptBlock } from './events';
import { escapeHtml, mrkdwnToHtml, plainToHtml, type NameLookup } from './mrkdwn';

type Json = { [key: string]: unknown };

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** A text object as safe HTML. */
export function textObjectHtml(value: unknown, names: NameLookup): string {
  const obj = asObject(value);
  if (!obj || typeof obj.text !== 'string') return '';
  return obj.type === 'mrkdwn' ? mrkdwnToHtml(obj.text, names) : plainToHtml(obj.text);
}

function optionsText(list: unknown, names: NameLookup): string[] {
  return Array.isArray(list) ? list.map((o) => textObjectHtml(asObject(o)?.text, names)) : [];
}

/** An interactive element drawn like Slack's (inert: nothing is clickable). */
export function elementHtml(value: unknown, names: NameLookup): string {
  const el = asObject(value);
  if (!el) return '';
  const placeholder = textObjectHtml(el.placeholder, names);
  switch (el.type) {
    case 'button': {
      const style = el.style === 'danger' || el.style === 'primary' ? ` ${el.style}` : '';
      return `<span class="btn${style}">${textObjectHtml(el.text, names)}</span>`;
    }
    case 'overflow':
      return '<span class="btn overflow">⋯</span>';
    case 'image':
      return `<span class="img" title="${escapeHtml(String(el.alt_text ?? ''))}">🖼</span>`;
    case 'plain_text_input': {
      const initial = typeof el.initial_value === 'string' ? plainToHtml(el.initial_value) : '';
      const cls = el.multiline === true ? 'input multiline' : 'input';
      return `<div class="${cls}">${initial || `<span class="placeholder">${placeholder}</span>`}</div>`;
    }
    case 'checkboxes':
    case 'radio_buttons': {
      const mark = el.type === 'checkboxes' ? '☐' : '○';
      return `<div class="choices">${optionsText(el.options, names)
        .map((t) => `<div>${mark} ${t}</div>`)
        .join('')}</div>`;
    }
    default: {
      const initial = asObject(el.initial_option);
      const initials = optionsText(el.initial_options, names);
      const shown = initial
        ? textObjectHtml(initial.text, names)
        : initials.length > 0
          ? initials.map((t) => `<span class="chip">${t}</span>`).join(' ')
          : `<span class="placeholder">${placeholder || escapeHtml(String(el.type ?? 'select').replace(/_/g, ' '))}</span>`;
      return `<div class="select">${shown}<span class="caret">▾</span></div>`;
    }
  }
}

function richTextHtml(node: unknown): string {
  const obj = asObject(node);
  if (!obj) return '';
  if (typeof obj.text === 'string') return plainToHtml(obj.text);
  if (obj.type === 'user') return `<span class="mention">@${escapeHtml(String(obj.user_id))}</span>`;
  return Array.isArray(obj.elements) ? obj.elements.map(richTextHtml).join('') : '';
}

/** One block as safe HTML. */
export function blockHtml(block: TranscriptBlock, names: NameLookup): string {
  switch (block.type) {
    case 'header':
      return `<div class="b-header">${textObjectHtml(block.text, names)}</div>`;
    case 'divider':
      return '<hr class="b-divider">';
    case 'section': {
      const text = block.text ? `<div class="b-text">${textObjectHtml(block.text, names)}</div>` : '';
      const fields = Array.isArray(block.fields)
        ? `<div class="b-fields">${block.fields.map((f) => `<div>${textObjectHtml(f, names)}</div>`).join('')}</div>`
        : '';
      const accessory = block.accessory ? `<div class="b-accessory">${elementHtml(block.accessory, names)}</div>` : '';
      return `<div class="b-section"><div class="b-main">${text}${fields}</div>${accessory}</div>`;
    }
    case 'context': {
      const parts = Array.isArray(block.elements)
        ? block.elements.map((e) =>
            asObject(e)?.type === 'image' ? elementHtml(e, names) : `<span>${textObjectHtml(e, names)}</span>`,
          )
        : [];
      return `<div class="b-context">${parts.join('')}</div>`;
    }
    case 'actions':
      return `<div class="b-actions">${Array.isArray(block.elements) ? block.elements.map((e) => elementHtml(e, names)).join('') : ''}</div>`;
    case 'input': {
      const optional = block.optional === true ? ' <span class="optional">(optional)</span>' : '';
      const hint = block.hint ? `<div class="hint">${textObjectHtml(block.hint, names)}</div>` : '';
      return `<div class="b-input"><label>${textObjectHtml(block.label, names)}${optional}</label>${elementHtml(block.element, names)}${hint}</div>`;
    }
    case 'image':
      return `<div class="b-image">🖼 ${escapeHtml(String(block.alt_text ?? ''))}</div>`;
    case 'rich_text':
      return `<div class="b-text">${richTextHtml(block)}</div>`;
    case 'markdown':
      return `<div class="b-text">${plainToHtml(typeof block.text === 'string' ? block.text : '')}</div>`;
    default:
      return `<div class="b-unknown">[${escapeHtml(String(block.type))} block]</div>`;
  }
}

/** All blocks as safe HTML. */
export function blocksHtml(blocks: TranscriptBlock[], names: NameLookup): string {
  return blocks.map((b) => blockHtml(b, names)).join('\n');
}
