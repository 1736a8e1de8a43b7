import type { ContextBlock, PlainTextElement, SectionBlock } from '@slack/types';
import { escapeMrkdwn, truncate } from '../../domain/mrkdwn';

/** Slack's Block Kit limits that the builders in this folder design for. */
export const LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  fieldText: 2000,
  headerText: 150,
  buttonText: 75,
  optionText: 75,
  optionValue: 150,
  modalTitle: 24,
  contextElements: 10,
} as const;

/** Cuts text to at most `max` characters with “…”, never inside a surrogate pair (domain/mrkdwn). */
export { truncate };

/**
 * Escapes untrusted text (typed by a user or returned by ASR) for mrkdwn so that its escaped form is
 * at most `max` characters. The raw text is cut first, by code point, so an entity such as `&lt;`
 * or a surrogate pair is never split.
 */
export function safe(raw: string, max: number): string {
  const full = escapeMrkdwn(raw);
  if (full.length <= max) return full;
  let out = '';
  for (const ch of raw) {
    const e = escapeMrkdwn(ch);
    if (out.length + e.length > max - 1) break;
    out += e;
  }
  return `${out}…`;
}

/** Like {@link safe}, for text that must stay on one line (names, incident references, ASR messages). */
export function safeLine(raw: string, max: number): string {
  return safe(oneLine(raw), max);
}

/** Collapses whitespace (newlines included) to single spaces. */
export function oneLine(raw: string): string {
  return raw.replace(/\s+/g, ' ').trim();
}

/** A plain_text object cut to `max` characters (plain_text shows text literally: nothing to escape). */
export function plain(text: string, max: number = LIMITS.sectionText): PlainTextElement {
  return { type: 'plain_text', text: truncate(oneLine(text) || '—', max), emoji: true };
}

export function section(text: string, blockId?: string): SectionBlock {
  const block: SectionBlock = { type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } };
  if (blockId !== undefined) block.block_id = blockId;
  return block;
}

export function context(text: string): ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) }] };
}

/**
 * Packs lines into as few texts of at most `maxChars` as possible, at most `maxChunks` of them; when
 * the lines do not fit, the last text ends with “…and N more”. Each line should be well under
 * `maxChars` (longer ones are cut).
 */
export function packLines(lines: readonly string[], maxChars: number, maxChunks: number, more = 'more'): string[] {
  const reserve = 40; // room for the “…and N more” tail in the last chunk
  const chunks: string[] = [];
  let current = '';
  for (let i = 0; i < lines.length; i++) {
    const line = truncate(lines[i] ?? '', maxChars - reserve);
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (candidate.length <= maxChars - reserve) {
      current = candidate;
      continue;
    }
    if (chunks.length + 1 >= maxChunks) {
      chunks.push(`${current}\n…and ${lines.length - i} ${more}`);
      return chunks;
    }
    chunks.push(current);
    current = line;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

/** Lists items until `max` characters would be exceeded, then “and N more”. Items must be escaped already. */
export function listWithin(items: readonly string[], max: number, separator = ', '): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const item = items[i] ?? '';
    const next = out === '' ? item : `${out}${separator}${item}`;
    const tail = i + 1 < items.length ? ` and ${items.length - i - 1} more`.length : 0;
    if (next.length + tail > max) return `${out} and ${items.length - i} more`;
    out = next;
  }
  return out;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
