/**
 * How long ago `fromIso` was, as people say it in a channel: “just now”, “4 min ago”,
 * “2 h 5 min ago”, “3 d ago”. Times in the future (clock skew) read as “just now”.
 */
export function formatAge(fromIso: string, now: Date): string {
  const from = Date.parse(fromIso);
  if (Number.isNaN(from)) return 'at an unknown time';
  const minutes = Math.floor((now.getTime() - from) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h ago` : `${hours} h ${minutes % 60} min ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** “10:04 UTC” for an ISO time or a Date; “an unknown time” for an unreadable one. */
export function utcTime(at: string | Date): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  return Number.isNaN(d.getTime()) ? 'an unknown time' : `${d.toISOString().slice(11, 16)} UTC`;
}
