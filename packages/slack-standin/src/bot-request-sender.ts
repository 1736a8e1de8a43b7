import { signSlackRequest } from './signing';

/** How to tamper with one request to the bot (to test that the bot refuses it). */
export interface SendOptions {
  /** Sign with a wrong secret. */
  forgeSignature?: boolean;
  /** Use this `X-Slack-Request-Timestamp` (seconds) instead of now, e.g. now − 301 for a stale one. */
  timestampSec?: number;
  /** Shorthand: a timestamp this many seconds in the past (the signature still matches it). */
  staleBySeconds?: number;
  /** Override the content type (Slack sends exactly `application/x-www-form-urlencoded`). */
  contentType?: string;
  /** `X-Slack-Retry-Num` / `X-Slack-Retry-Reason`, as Slack sets on Events API retries. */
  retry?: { num: number; reason: string };
}

/** The bot's HTTP answer to one request. */
export interface BotReply {
  status: number;
  /** Parsed JSON when the bot answered JSON, else the text, or undefined when empty. */
  body: unknown;
  rawBody: string;
  /** Wall time from sending to the full answer. Slack gives up after 3 000 ms. */
  elapsedMs: number;
  /** Whether Slack would have accepted the answer (200 within 3 s). */
  withinSlackTimeout: boolean;
}

/** Slack waits 3 s for an app's answer, then shows the user an error and ignores the answer. */
export const SLACK_RESPONSE_TIMEOUT_MS = 3_000;

/**
 * Sends a form body to the bot exactly as Slack does: `Content-Type:
 * application/x-www-form-urlencoded` (no charset — Bolt's HTTPReceiver refuses one), with
 * `X-Slack-Request-Timestamp` and `X-Slack-Signature`.
 */
export async function sendSignedToBot(
  botUrl: string,
  signingSecret: string,
  formBody: string,
  options: SendOptions = {},
): Promise<BotReply> {
  const nowSec = Math.floor(Date.now() / 1000);
  const timestampSec = options.timestampSec ?? nowSec - (options.staleBySeconds ?? 0);
  const secret = options.forgeSignature ? `${signingSecret}-forged` : signingSecret;
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestampSec),
    'x-slack-signature': signSlackRequest(secret, formBody, timestampSec),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  };
  if (options.retry) {
    headers['x-slack-retry-num'] = String(options.retry.num);
    headers['x-slack-retry-reason'] = options.retry.reason;
  }
  const started = performance.now();
  const response = await fetch(botUrl, { method: 'POST', headers, body: formBody });
  const rawBody = await response.text();
  const elapsedMs = performance.now() - started;
  let body: unknown = rawBody === '' ? undefined : rawBody;
  if (rawBody !== '') {
    try {
      body = JSON.parse(rawBody) as unknown;
    } catch {
      // plain text answer: keep the string
    }
  }
  return {
    status: response.status,
    body,
    rawBody,
    elapsedMs,
    withinSlackTimeout: response.status === 200 && elapsedMs <= SLACK_RESPONSE_TIMEOUT_MS,
  };
}

/** Form body of an interaction: one `payload` field holding the JSON. */
export function interactionForm(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
