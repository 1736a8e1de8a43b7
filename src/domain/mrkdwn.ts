/**
 * Escapes text for Slack mrkdwn so that what a user typed (or ASR returned) is shown, not
 * interpreted: no `<!channel>`, no `<https://…|link>`, no `<@U…>` mentions.
 * Slack's own rule: only &, < and > need escaping.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to at most `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  // Never keep half of a surrogate pair (an emoji, any astral character): Slack shows garbage or refuses it.
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}…`;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
