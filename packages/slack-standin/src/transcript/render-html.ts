import { blocksHtml } from './blocks-html';
import type { Transcript, TranscriptEvent, TranscriptMessage, TranscriptPerson } from './events';
import { escapeHtml, mrkdwnToHtml, type NameLookup } from './mrkdwn';
import { TRANSCRIPT_CSS } from './transcript-css';

/** Options for {@link renderTranscriptHtml}. */
export interface RenderHtmlOptions {
  /** Page title and channel header, e.g. `#incident-42`. */
  title: string;
  users?: Record<string, string>;
  channels?: Record<string, string>;
  /** IANA time zone for times. Default UTC. */
  timeZone?: string;
}

const AVATAR_COLOURS = ['#4a154b', '#1264a3', '#2bac76', '#e01e5a', '#ecb22e', '#36c5f0', '#7c3085', '#de4e2b'];

function initials(name: string): string {
  const parts = name.split(/[\s._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}

function avatar(p: TranscriptPerson): string {
  let hash = 0;
  for (const ch of p.id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const colour = AVATAR_COLOURS[hash % AVATAR_COLOURS.length] ?? '#4a154b';
  return `<div class="avatar" style="background:${colour}">${escapeHtml(initials(p.name))}</div>`;
}

function body(m: { text: string; blocks: TranscriptMessage['blocks'] }, names: NameLookup): string {
  return m.blocks.length > 0 ? blocksHtml(m.blocks, names) : `<div class="b-text">${mrkdwnToHtml(m.text, names)}</div>`;
}

function header(p: TranscriptPerson, time: string, extra = ''): string {
  const app = p.isBot ? '<span class="app">APP</span>' : '';
  return `<div class="meta"><span class="name">${escapeHtml(p.name)}</span>${app}<span class="time">${escapeHtml(time)}</span>${extra}</div>`;
}

function messageHtml(m: TranscriptMessage, names: NameLookup, time: (at: number) => string, cls = 'msg'): string {
  const files = m.files.map((f) => `<div class="file">📎 ${escapeHtml(f.title ?? f.name)}</div>`).join('');
  const edited = m.editCount > 0 ? '<span class="edited">(edited)</span>' : '';
  const reactions = m.reactions.length
    ? `<div class="reactions">${m.reactions.map((r) => `<span class="reaction">:${escapeHtml(r.name)}: ${r.count}</span>`).join('')}</div>`
    : '';
  return `<div class="${cls}">${avatar(m.author)}<div class="content">${header(m.author, time(m.at))}${body(m, names)}${edited}${files}${reactions}</div></div>`;
}

function eventHtml(event: TranscriptEvent, names: NameLookup, time: (at: number) => string): string {
  switch (event.kind) {
    case 'message': {
      const replies = event.replies.length
        ? `<div class="thread"><div class="thread-count">${event.replies.length} ${event.replies.length === 1 ? 'reply' : 'replies'}</div>${event.replies.map((r) => messageHtml(r, names, time, 'msg reply')).join('')}</div>`
        : '';
      return `${messageHtml(event, names, time)}${replies}`;
    }
    case 'ephemeral':
      return `<div class="msg ephemeral">${avatar(event.author)}<div class="content"><div class="only-you">👁 Only visible to ${escapeHtml(event.visibleTo.name)}</div>${header(event.author, time(event.at))}${body(event, names)}</div></div>`;
    case 'command':
      return `<div class="msg">${avatar(event.user)}<div class="content">${header(event.user, time(event.at))}<div class="command"><code>${escapeHtml(`${event.command}${event.text ? ` ${event.text}` : ''}`)}</code></div></div></div>`;
    case 'action':
      return `<div class="note">${escapeHtml(time(event.at))} · <b>${escapeHtml(event.user.name)}</b> ${event.label ? `clicked <span class="btn small">${escapeHtml(event.label)}</span>` : `used ${escapeHtml(event.actionId)}`}${event.where === 'modal' ? ' in a modal' : ''}</div>`;
    case 'modal': {
      const close = event.close ? `<span class="btn">${escapeHtml(event.close)}</span>` : '';
      const submit = event.submit ? `<span class="btn primary">${escapeHtml(event.submit)}</span>` : '';
      return `<div class="modal-wrap"><div class="note">${escapeHtml(time(event.at))} · modal ${escapeHtml(event.phase)} for <b>${escapeHtml(event.user.name)}</b></div><div class="modal"><div class="modal-title">${escapeHtml(event.title)}<span class="x">✕</span></div><div class="modal-body">${blocksHtml(event.blocks, names)}</div>${close || submit ? `<div class="modal-footer">${close}${submit}</div>` : ''}</div></div>`;
    }
    case 'modal_submitted': {
      const rows = event.values
        .map((v) => `<tr><th>${escapeHtml(v.label)}</th><td>${mrkdwnToHtml(v.value, names) || '—'}</td></tr>`)
        .join('');
      return `<div class="note">${escapeHtml(time(event.at))} · <b>${escapeHtml(event.user.name)}</b> submitted “${escapeHtml(event.title)}”<table class="values">${rows}</table></div>`;
    }
    case 'modal_errors':
      return `<div class="note error">${escapeHtml(time(event.at))} · the modal shows errors<ul>${event.errors.map((e) => `<li><b>${escapeHtml(e.field)}</b>: ${escapeHtml(e.message)}</li>`).join('')}</ul></div>`;
    case 'modal_closed':
      return event.by === 'user'
        ? `<div class="note">${escapeHtml(time(event.at))} · <b>${escapeHtml(event.user.name)}</b> closed “${escapeHtml(event.title)}”</div>`
        : '';
  }
}

/**
 * Renders a transcript as one self-contained HTML page that looks like a Slack channel: avatars
 * with initials, names, times, Block Kit drawn inert, threads indented, ephemerals marked, modals
 * as cards. Every piece of text is escaped; links are kept only for http(s)/mailto.
 */
export function renderTranscriptHtml(input: TranscriptEvent[] | Transcript, options: RenderHtmlOptions): string {
  const transcript: Transcript = Array.isArray(input) ? { events: input, users: {}, channels: {} } : input;
  const names: NameLookup = {
    users: { ...transcript.users, ...options.users },
    channels: { ...transcript.channels, ...options.channels },
  };
  const format = new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZone: options.timeZone ?? 'UTC',
  });
  const time = (at: number): string => format.format(at);
  const items = transcript.events
    .map((e) => eventHtml(e, names, time))
    .filter(Boolean)
    .join('\n');
  const title = escapeHtml(options.title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${title}</title>
<style>${TRANSCRIPT_CSS}</style>
</head>
<body>
<header class="channel">${title}</header>
<main class="log">
${items}
</main>
</body>
</html>
`;
}
