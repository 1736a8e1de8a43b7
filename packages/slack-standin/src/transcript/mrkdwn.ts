import { escapeHtml } from './escape-html';
/**
 * Slack mrkdwn as Slack displays it. Only real `<…>` tokens are special (mentions, links,
 * `<!here>`); text escaped as `&lt;!channel&gt;` is shown as typed and stays inert.
 */

/** Names for `<@U…>` and `<#C…>`. */
export interface NameLookup {
  users?: Record<string, string>;
  channels?: Record<string, string>;
}

/** One piece of a mrkdwn string. `text` pieces are still entity-escaped (`&lt;` etc.). */
export type MrkdwnSegment =
  { kind: 'text'; text: string } | { kind: 'mention'; label: string } | { kind: 'link'; url: string; label: string };

const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  warning: '⚠️',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  arrows_counterclockwise: '🔄',
  rotating_light: '🚨',
  lock: '🔒',
  no_entry: '⛔',
  information_source: 'ℹ️',
  rocket: '🚀',
  large_green_circle: '🟢',
  large_yellow_circle: '🟡',
  red_circle: '🔴',
  white_circle: '⚪',
  leftwards_arrow_with_hook: '↩️',
  arrow_right: '➡️',
  stopwatch: '⏱️',
  eyes: '👀',
  tada: '🎉',
  checkered_flag: '🏁',
  shield: '🛡️',
  gear: '⚙️',
  memo: '📝',
  clipboard: '📋',
};

/** `:name:` → the emoji, for the common ones; unknown names stay as typed. */
export function replaceEmoji(text: string): string {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => EMOJI[name] ?? whole);
}

/** `&lt;` `&gt;` `&amp;` → `<` `>` `&` (Slack's only three entities). */
export function unescapeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function token(inner: string, names: NameLookup): MrkdwnSegment {
  const [target = '', label] = splitOnce(inner, '|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return { kind: 'mention', label: `@${label ?? names.users?.[id] ?? id}` };
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    return { kind: 'mention', label: `#${label ?? names.channels?.[id] ?? id}` };
  }
  if (target.startsWith('!')) {
    const special = target.slice(1);
    if (special.startsWith('subteam^'))
      return { kind: 'mention', label: label ?? `@${special.slice('subteam^'.length)}` };
    if (special.startsWith('date^')) return { kind: 'text', text: label ?? special };
    return { kind: 'mention', label: `@${label ?? special}` };
  }
  return { kind: 'link', url: unescapeEntities(target), label: label ?? target };
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

/** Splits mrkdwn into text, mentions and links. */
export function parseMrkdwn(text: string, names: NameLookup = {}): MrkdwnSegment[] {
  const out: MrkdwnSegment[] = [];
  const re = /<([^<>\s][^<>]*)>/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push({ kind: 'text', text: text.slice(last, m.index) });
    out.push(token(m[1] ?? '', names));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

/** ANSI styles for terminal output (empty strings when colour is off). */
export interface TextStyle {
  bold: (s: string) => string;
  italic: (s: string) => string;
  strike: (s: string) => string;
  dim: (s: string) => string;
  code: (s: string) => string;
  mention: (s: string) => string;
  danger: (s: string) => string;
  primary: (s: string) => string;
}

const wrap = (open: string, close: string) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

/** Styles with ANSI escapes (`color: true`) or none. */
export function textStyle(color: boolean): TextStyle {
  const id = (s: string): string => s;
  if (!color) return { bold: id, italic: id, strike: id, dim: id, code: id, mention: id, danger: id, primary: id };
  return {
    bold: wrap('1', '22'),
    italic: wrap('3', '23'),
    strike: wrap('9', '29'),
    dim: wrap('2', '22'),
    code: wrap('36', '39'),
    mention: wrap('34', '39'),
    danger: wrap('31', '39'),
    primary: wrap('32', '39'),
  };
}

/** `*bold*`, `_italic_`, `~strike~`, `` `code` `` on already-unescaped text, for a terminal. */
function formatInline(text: string, style: TextStyle, color: boolean): string {
  if (!color) return text;
  return text
    .replace(/`([^`\n]+)`/g, (_m, s: string) => style.code(s))
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,!?:;])/g, (_m, pre: string, s: string) => pre + style.bold(s))
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,!?:;])/g, (_m, pre: string, s: string) => pre + style.italic(s))
    .replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,!?:;])/g, (_m, pre: string, s: string) => pre + style.strike(s));
}

/**
 * mrkdwn → terminal text: mentions become `@name`, links `label (url)`, escaped text is shown as
 * typed; with colour, bold, italic, strike and code marks become ANSI styles, else stay as written.
 */
export function mrkdwnToText(text: string, names: NameLookup = {}, color = false): string {
  const style = textStyle(color);
  return parseMrkdwn(text, names)
    .map((seg) => {
      if (seg.kind === 'mention') return style.mention(seg.label);
      if (seg.kind === 'link') {
        const label = unescapeEntities(seg.label);
        return label === seg.url ? seg.url : `${label} (${seg.url})`;
      }
      return formatInline(replaceEmoji(unescapeEntities(seg.text)), style, color);
    })
    .join('');
}

export { escapeHtml };

const SAFE_URL = /^(https?:|mailto:)/i;

/** Inline formatting on HTML-escaped text (the markers are not HTML-special, so this is safe). */
function formatInlineHtml(escaped: string): string {
  return escaped
    .replace(/```([\s\S]+?)```/g, (_m, s: string) => `<pre>${s.replace(/^\n/, '')}</pre>`)
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s).,!?:;<])/g, '$1<b>$2</b>')
    .replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s).,!?:;<])/g, '$1<i>$2</i>')
    .replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s).,!?:;<])/g, '$1<s>$2</s>')
    .replace(/^&gt; ?(.*)$/gm, '<blockquote>$1</blockquote>')
    .replace(/\n/g, '<br>');
}

/** mrkdwn → safe HTML: all text escaped, only http(s)/mailto links become anchors. */
export function mrkdwnToHtml(text: string, names: NameLookup = {}): string {
  return parseMrkdwn(text, names)
    .map((seg) => {
      if (seg.kind === 'mention') return `<span class="mention">${escapeHtml(seg.label)}</span>`;
      if (seg.kind === 'link') {
        const label = escapeHtml(unescapeEntities(seg.label));
        return SAFE_URL.test(seg.url)
          ? `<a href="${escapeHtml(seg.url)}" rel="noopener noreferrer">${label}</a>`
          : label;
      }
      return formatInlineHtml(escapeHtml(replaceEmoji(unescapeEntities(seg.text))));
    })
    .join('');
}

/** plain_text → safe HTML (emoji replaced, newlines kept). */
export function plainToHtml(text: string): string {
  return escapeHtml(replaceEmoji(text)).replace(/\n/g, '<br>');
}
