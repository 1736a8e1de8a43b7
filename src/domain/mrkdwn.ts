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
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
