/** How long the bot's own bookkeeping lives in Redis (seconds): a run's messages outlive its activity. */
export const TTL = {
  /** Markers that a message or report was posted, attempts, marks: a month. */
  month: 30 * 24 * 3600,
  /** Render bookkeeping of a run's card and prompt: a week. */
  week: 7 * 24 * 3600,
  hour: 3600,
} as const;
