/**
 * Slack's definite refusal of a Web API call the bot made itself, outside @slack/web-api (an expired
 * trigger, a view it will not take). Shaped like the client's platform error (`code`, `data.error`),
 * so every reader of Slack's errors (channel-refusal.ts, channel-access.ts) handles both alike.
 */
export class SlackPlatformRefusal extends Error {
  override readonly name = 'SlackPlatformRefusal';
  readonly code = 'slack_webapi_platform_error';
  readonly data: { readonly ok: false; readonly error: string };
  constructor(method: string, error: string) {
    super(`An API error occurred: ${error} (${method})`);
    this.data = { ok: false, error };
  }
}
