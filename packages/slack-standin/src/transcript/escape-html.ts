/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * The same five entities as the bot's report (`src/domain/html.ts`), kept here rather than imported:
 * the stand-in renders what Slack would show and depends on nothing of the bot it stands in for.
 */
export function escapeHtml(raw: string): string {
  return raw
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
