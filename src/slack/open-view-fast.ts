import { type WebClient, WebClientEvent } from '@slack/web-api';
import type { View } from '@slack/types';
import { SlackPlatformRefusal } from '../errors';

/**
 * views.open of a view already serialised (the request form), on the command's hot path: one POST
 * with a JSON body (Slack takes application/json for views.open, the token in the Authorization
 * header), the view's text put in as it is. The Web API client would form-encode the text, queue the
 * call, and copy and scrub the request and Slack's answer (the whole view, echoed) for its debug
 * line at any log level — most of the bot's CPU per /failback (README, Performance).
 *
 * Anything but a definite answer (a 429, a 5xx, no answer within `timeoutMs`) goes on through the
 * client, which honours Retry-After. A 429 is told on the client as the client tells its own
 * (`rate_limited`), so whoever counts them counts this one too. A trigger is single-use: if the first POST
 * did open the view, Slack refuses the second and nothing is shown twice.
 */
export async function openViewFast(
  client: WebClient,
  triggerId: string,
  viewJson: string,
  timeoutMs = 2_500,
): Promise<void> {
  const token = client.token;
  if (token) {
    const url = `${client.slackApiUrl}views.open`;
    const answer = await post(url, token, triggerId, viewJson, timeoutMs, (retryAfterSeconds) =>
      client.emit(WebClientEvent.RATE_LIMITED, retryAfterSeconds, { url }),
    );
    if (answer?.ok === true) return;
    if (answer && typeof answer.error === 'string') throw new SlackPlatformRefusal('views.open', answer.error);
  }
  // The client sends a string argument as it is (only objects are JSON-encoded): the same request.
  await client.views.open({ trigger_id: triggerId, view: viewJson as unknown as View });
}

async function post(
  url: string,
  token: string,
  triggerId: string,
  viewJson: string,
  timeoutMs: number,
  rateLimited: (retryAfterSeconds: number) => void,
): Promise<{ ok?: unknown; error?: unknown } | undefined> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
      body: `{"trigger_id":${JSON.stringify(triggerId)},"view":${viewJson}}`,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status === 429) rateLimited(Number(res.headers.get('retry-after') ?? '1') || 1);
    if (res.status !== 200) {
      await res.body?.cancel();
      return undefined;
    }
    return (await res.json()) as { ok?: unknown; error?: unknown };
  } catch {
    return undefined;
  }
}
