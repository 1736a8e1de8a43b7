import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type WebClient, WebClientEvent } from '@slack/web-api';
import type { View } from '@slack/types';
import { SlackPlatformRefusal } from '../errors';

/**
 * views.open and views.update of a view already serialised (the request form), on the command's hot
 * path: one POST with a JSON body (Slack takes application/json for both, the token in the
 * Authorization header), the view's text put in as it is. The Web API client would form-encode the
 * text, queue the call, and copy and scrub the request and Slack's answer (the whole view, echoed) for
 * its debug line at any log level; and Node's fetch, which it uses, costs several times what a plain
 * `node:http(s)` request does (web streams, abort signals) — together most of the bot's CPU per
 * /failback (README, Performance).
 *
 * Anything but a definite answer (a 429, a 5xx, no answer within `timeoutMs`) goes on through the
 * client, which honours Retry-After. A 429 is told on the client as the client tells its own
 * (`rate_limited`), so whoever counts them counts this one too. A trigger is single-use: if the first
 * POST did open the view, Slack refuses the second and nothing is shown twice; an update sent twice
 * shows the same view. Each resolves to the view's id.
 */
export function openViewFast(
  client: WebClient,
  triggerId: string,
  viewJson: string,
  timeoutMs = 2_500,
): Promise<string | undefined> {
  return viewCall(client, 'views.open', { trigger_id: triggerId }, viewJson, timeoutMs);
}

/** views.update of a view by id with serialised view text: as `openViewFast`. */
export function updateViewFast(
  client: WebClient,
  viewId: string,
  viewJson: string,
  timeoutMs = 2_500,
): Promise<string | undefined> {
  return viewCall(client, 'views.update', { view_id: viewId }, viewJson, timeoutMs);
}

async function viewCall(
  client: WebClient,
  method: 'views.open' | 'views.update',
  target: { trigger_id: string } | { view_id: string },
  viewJson: string,
  timeoutMs: number,
): Promise<string | undefined> {
  const token = client.token;
  if (token) {
    const url = new URL(`${client.slackApiUrl}${method}`);
    const body = `${JSON.stringify(target).slice(0, -1)},"view":${viewJson}}`;
    const answer = await postJson(url, token, body, timeoutMs);
    if (answer.retryAfterSeconds !== undefined)
      client.emit(WebClientEvent.RATE_LIMITED, answer.retryAfterSeconds, { url: url.href });
    if (answer.body?.ok === true) return answer.body.view?.id;
    if (answer.body && typeof answer.body.error === 'string') throw new SlackPlatformRefusal(method, answer.body.error);
  }
  // The client sends a string argument as it is (only objects are JSON-encoded): the same request.
  const view = viewJson as unknown as View;
  const done =
    'trigger_id' in target
      ? await client.views.open({ ...target, view })
      : await client.views.update({ ...target, view });
  return done.view?.id;
}

// Kept-alive connections to Slack, one pool per process (idle sockets do not hold the process open).
// An idle one is closed after 4 s (as undici does), before a server's keep-alive could reset it under a
// request; at most 32 at once (a burst of fifty /failback waits a few ms for a socket, not for 50 TLS
// handshakes).
const AGENT_OPTIONS = { keepAlive: true, timeout: 4_000, maxSockets: 32 };
const agents = { 'http:': new HttpAgent(AGENT_OPTIONS), 'https:': new HttpsAgent(AGENT_OPTIONS) };

interface Answer {
  /** Slack's JSON on a 200, else undefined (no definite answer: the caller goes on through the client). */
  readonly body?: { ok?: unknown; error?: unknown; view?: { id?: string } } | undefined;
  /** Set on a 429. */
  readonly retryAfterSeconds?: number | undefined;
}

function postJson(url: URL, token: string, body: string, timeoutMs: number): Promise<Answer> {
  const secure = url.protocol === 'https:';
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const req = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: secure ? agents['https:'] : agents['http:'],
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => void readAnswer(res).then(settle),
    );
    const timer = setTimeout(() => {
      req.destroy();
      settle({});
    }, timeoutMs);
    req.on('error', () => settle({}));
    req.end(body);
  });
}

function readAnswer(res: IncomingMessage): Promise<Answer> {
  const retryAfterSeconds = res.statusCode === 429 ? Number(res.headers['retry-after'] ?? '1') || 1 : undefined;
  if (res.statusCode !== 200) {
    res.resume();
    return Promise.resolve({ retryAfterSeconds });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', () => resolve({}));
    res.on('end', () => {
      try {
        resolve({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer['body'] });
      } catch {
        resolve({});
      }
    });
  });
}
