import { blocksToLines, type BlockTextOptions } from './blocks-text';
import type { Transcript, TranscriptEvent, TranscriptMessage } from './events';
import { mrkdwnToText, textStyle, type TextStyle } from './mrkdwn';

/** Options for {@link renderTranscriptText}. */
export interface RenderTextOptions {
  /** ANSI colours and styles (bold, dim context lines, red danger buttons). Default false. */
  color?: boolean;
  /** user id → name for `<@U…>` (a Transcript brings its own; these win). */
  users?: Record<string, string>;
  /** channel id → name for `<#C…>`. */
  channels?: Record<string, string>;
  /** IANA time zone for times. Default UTC. */
  timeZone?: string;
}

const INDENT = '          ';

function clock(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZone,
  }).format(at);
}

/** Message body: blocks when present (Slack shows those), else the text. */
function bodyLines(m: { text: string; blocks: TranscriptMessage['blocks'] }, opts: BlockTextOptions): string[] {
  if (m.blocks.length > 0) return blocksToLines(m.blocks, opts);
  return mrkdwnToText(m.text, opts, opts.color ?? false).split('\n');
}

function messageLines(
  m: TranscriptMessage,
  opts: BlockTextOptions,
  style: TextStyle,
  tz: string,
  indent: string,
): string[] {
  const app = m.author.isBot ? ` ${style.dim('APP')}` : '';
  const lines = [`${indent}${style.dim(clock(m.at, tz))}  ${style.bold(m.author.name)}${app}`];
  for (const line of bodyLines(m, opts)) lines.push(`${indent}${INDENT}${line}`);
  for (const f of m.files) lines.push(`${indent}${INDENT}📎 ${f.title ?? f.name}`);
  const extras: string[] = [];
  if (m.editCount > 0) extras.push('(edited)');
  if (m.reactions.length > 0) extras.push(m.reactions.map((r) => `:${r.name}: ${r.count}`).join(' '));
  if (extras.length > 0) lines.push(`${indent}${INDENT}${style.dim(extras.join('  '))}`);
  return lines;
}

function modalLines(
  event: Extract<TranscriptEvent, { kind: 'modal' }>,
  opts: BlockTextOptions,
  style: TextStyle,
  tz: string,
): string[] {
  const head = `${style.dim(clock(event.at, tz))}  ${style.dim(`modal ${event.phase} for ${event.user.name}`)}`;
  const width = 56;
  const title = ` ${event.title} `;
  const lines = [head, `${INDENT}┌─${style.bold(title)}${'─'.repeat(Math.max(2, width - title.length))}┐`];
  for (const line of blocksToLines(event.blocks, opts)) lines.push(`${INDENT}│ ${line}`);
  const buttons = [event.close ? `[ ${event.close} ]` : '', event.submit ? style.primary(`[ ${event.submit} ]`) : '']
    .filter(Boolean)
    .join('  ');
  if (buttons) lines.push(`${INDENT}│ ${' '.repeat(Math.max(0, width - 24))}${buttons}`);
  lines.push(`${INDENT}└${'─'.repeat(width + 2)}┘`);
  return lines;
}

function eventLines(event: TranscriptEvent, opts: BlockTextOptions, style: TextStyle, tz: string): string[] {
  const time = (at: number): string => style.dim(clock(at, tz));
  switch (event.kind) {
    case 'message': {
      const lines = messageLines(event, opts, style, tz, '');
      if (event.replies.length > 0) {
        lines.push(
          `${INDENT}${style.dim(`↳ ${event.replies.length} ${event.replies.length === 1 ? 'reply' : 'replies'}`)}`,
        );
        for (const reply of event.replies) lines.push(...messageLines(reply, opts, style, tz, `${INDENT}  `));
      }
      return lines;
    }
    case 'ephemeral': {
      const lines = [
        `${time(event.at)}  ${style.bold(event.author.name)} ${style.dim(`APP  (only visible to ${event.visibleTo.name})`)}`,
      ];
      for (const line of bodyLines(event, opts)) lines.push(`${INDENT}${line}`);
      return lines;
    }
    case 'command':
      return [
        `${time(event.at)}  ${style.bold(event.user.name)}  ${style.code(`${event.command}${event.text ? ` ${event.text}` : ''}`)}`,
      ];
    case 'action':
      return [
        `${time(event.at)}  ${style.dim('▸')} ${event.user.name} ${event.label ? `clicked [ ${event.label} ]` : `used ${event.actionId}`}${event.where === 'modal' ? style.dim(' in a modal') : ''}`,
      ];
    case 'modal':
      return modalLines(event, opts, style, tz);
    case 'modal_submitted': {
      const lines = [`${time(event.at)}  ${style.dim('▸')} ${event.user.name} submitted “${event.title}”`];
      for (const v of event.values)
        lines.push(
          `${INDENT}${style.dim(`${v.label}:`)} ${mrkdwnToText(v.value, opts, opts.color ?? false) || style.dim('—')}`,
        );
      return lines;
    }
    case 'modal_errors':
      return [
        `${time(event.at)}  ${style.danger('✖ the modal shows errors:')}`,
        ...event.errors.map((e) => `${INDENT}${e.field}: ${e.message}`),
      ];
    case 'modal_closed':
      return event.by === 'user'
        ? [`${time(event.at)}  ${style.dim(`▸ ${event.user.name} closed “${event.title}”`)}`]
        : [];
  }
}

/**
 * Renders a transcript as terminal text, the way a person reads the channel: time, author,
 * Block Kit drawn as text (`[ Commit ]` buttons, dimmed context), threads indented, modals as boxes.
 */
export function renderTranscriptText(input: TranscriptEvent[] | Transcript, options: RenderTextOptions = {}): string {
  const transcript: Transcript = Array.isArray(input) ? { events: input, users: {}, channels: {} } : input;
  const opts: BlockTextOptions = {
    users: { ...transcript.users, ...options.users },
    channels: { ...transcript.channels, ...options.channels },
    color: options.color ?? false,
  };
  const style = textStyle(opts.color ?? false);
  const tz = options.timeZone ?? 'UTC';
  return transcript.events
    .map((e) => eventLines(e, opts, style, tz))
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join('\n'))
    .join('\n\n')
    .concat('\n');
}
