import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatMethods } from './chat-methods';
import { historyMethods } from './history-methods';
import { directoryMethods } from './directory-methods';
import { SlackApiRefusal } from './errors';
import type { StandInFaults } from './faults';
import { filesMethods } from './files-methods';
import { parseApiBody, readBody, tokenOf } from './http-body';
import type { MethodHandler } from './method-context';
import { applyResponseUrlPost } from './response-url';
import type { JsonObject } from './types';
import { viewsMethods } from './views-methods';
import type { WorkspaceState } from './workspace-state';

const METHODS: Record<string, MethodHandler> = {
  ...directoryMethods,
  ...chatMethods,
  ...historyMethods,
  ...viewsMethods,
  ...filesMethods,
};

/** Web API methods that answer without a token, as in Slack. */
const NO_AUTH = new Set(['api.test']);

/** Everything the HTTP layer needs. */
export interface StandInHttpDeps {
  ws: WorkspaceState;
  faults: StandInFaults;
  /** Tokens the stand-in accepts (the bot token). */
  tokens: ReadonlySet<string>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

async function handleApi(
  deps: StandInHttpDeps,
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
  baseUrl: string,
): Promise<void> {
  const { ws, faults } = deps;
  const raw = await readBody(req);
  let args: JsonObject;
  try {
    args = await parseApiBody(req.headers['content-type'], raw);
  } catch {
    args = {};
  }
  const token = tokenOf(req, args);
  const { token: _ignored, ...argsWithoutToken } = args;
  void _ignored;
  const record = (httpStatus: number, response: JsonObject): void => {
    ws.calls.push({
      method,
      args: argsWithoutToken,
      ...(token ? { token } : {}),
      time: ws.now(),
      httpStatus,
      response,
    });
  };
  const fault = faults.take(method);
  if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
  if (fault.retryAfterSeconds !== undefined) {
    const body = { ok: false, error: 'ratelimited' };
    record(429, body);
    return sendJson(res, 429, body, { 'retry-after': String(fault.retryAfterSeconds) });
  }
  let body: JsonObject;
  const handler = METHODS[method];
  if (!handler) body = { ok: false, error: 'unknown_method' };
  else if (!NO_AUTH.has(method) && !token) body = { ok: false, error: 'not_authed' };
  else if (!NO_AUTH.has(method) && !deps.tokens.has(token ?? '')) body = { ok: false, error: 'invalid_auth' };
  else if (fault.error) body = { ok: false, error: fault.error };
  else {
    try {
      body = { ok: true, ...handler({ ws, args: argsWithoutToken, baseUrl }) };
    } catch (err) {
      if (!(err instanceof SlackApiRefusal)) throw err;
      body = { ok: false, error: err.error, ...err.extra };
    }
  }
  record(200, body);
  sendJson(res, 200, body);
}

async function handleUpload(
  ws: WorkspaceState,
  fileId: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const file = ws.files.get(fileId);
  const raw = await readBody(req);
  if (!file) {
    res.writeHead(404);
    res.end('file_not_found');
    return;
  }
  // @slack/web-api posts the bytes as a multipart part named "body"; other clients send them raw.
  const parsed = (req.headers['content-type'] ?? '').startsWith('multipart/')
    ? await parseApiBody(req.headers['content-type'], raw)
    : undefined;
  const part = parsed?.body;
  file.bytes = Buffer.isBuffer(part) ? part : typeof part === 'string' ? Buffer.from(part) : raw;
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`OK - ${file.bytes.length}`);
}

async function handleResponseUrl(
  ws: WorkspaceState,
  id: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const raw = await readBody(req);
  const issued = ws.responseUrls.get(id);
  const body: JsonObject = await parseApiBody(req.headers['content-type'] ?? 'application/json', raw).catch(() => ({}));
  const url = issued?.url ?? id;
  const outcome = issued
    ? applyResponseUrlPost(ws, issued, body)
    : { status: 404, text: 'invalid_url', effect: 'refused' as const };
  ws.responseUrlPosts.push({
    responseUrl: url,
    body,
    time: ws.now(),
    httpStatus: outcome.status,
    effect: outcome.effect,
  });
  res.writeHead(outcome.status, { 'content-type': 'text/plain' });
  res.end(outcome.text);
}

/**
 * Starts the stand-in's HTTP server on 127.0.0.1: `/api/<method>` (Web API), `/upload/<file id>`
 * (file bytes), `/response/<id>` (response_url). Resolves with the server and its base URL.
 */
export async function startStandInHttpServer(
  deps: StandInHttpDeps,
  port = 0,
): Promise<{ server: Server; baseUrl: string }> {
  let baseUrl = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://stand-in.local').pathname;
    const route = async (): Promise<void> => {
      if (req.method !== 'POST' && req.method !== 'GET')
        return sendJson(res, 405, { ok: false, error: 'method_not_allowed' });
      if (path.startsWith('/api/'))
        return handleApi(deps, decodeURIComponent(path.slice('/api/'.length)), req, res, baseUrl);
      if (path.startsWith('/upload/')) return handleUpload(deps.ws, path.slice('/upload/'.length), req, res);
      if (path.startsWith('/response/')) return handleResponseUrl(deps.ws, path.slice('/response/'.length), req, res);
      return sendJson(res, 404, { ok: false, error: 'not_found' });
    };
    route().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error', detail: String(err) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { server, baseUrl };
}
