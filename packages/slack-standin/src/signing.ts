import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` keyed with the
 * app's signing secret. `timestampSec` is what goes into `X-Slack-Request-Timestamp`.
 */
export function signSlackRequest(signingSecret: string, body: string, timestampSec: number): string {
  const hmac = createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${body}`).digest('hex');
  return `v0=${hmac}`;
}

/** Checks a signature the way Slack's SDKs do (constant time; stale after `maxAgeSec`). */
export function verifySlackSignature(args: {
  signingSecret: string;
  body: string;
  timestampSec: number;
  signature: string;
  nowSec?: number;
  maxAgeSec?: number;
}): boolean {
  const nowSec = args.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(nowSec - args.timestampSec) > (args.maxAgeSec ?? 300)) return false;
  const expected = Buffer.from(signSlackRequest(args.signingSecret, args.body, args.timestampSec));
  const actual = Buffer.from(args.signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The two headers Slack adds to every request it sends to an app. */
export function slackSignatureHeaders(
  signingSecret: string,
  body: string,
  timestampSec: number,
): Record<string, string> {
  return {
    'X-Slack-Request-Timestamp': String(timestampSec),
    'X-Slack-Signature': signSlackRequest(signingSecret, body, timestampSec),
  };
}
