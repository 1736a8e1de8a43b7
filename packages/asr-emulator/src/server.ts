/**
 * The HTTPS server: reads and logs each request, then applies in order latency, authentication
 * (Bearer token from the identity endpoint), status faults, throttling, the route, and a
 * drop-after-accept fault (the route's effect stays, the socket is destroyed unanswered).
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultRegistry } from './faults';
import type { RequestLog } from './request-log';
import { armError, type Reply } from './reply';
import { route, type RouteContext } from './routes';
import type { TlsMaterial } from './tls';

export interface ServerOptions {
  readonly port: number;
  /** Listen address (default 127.0.0.1). */
  readonly host?: string;
  readonly tls: TlsMaterial;
  readonly routes: RouteContext;
  readonly faults: FaultRegistry;
  readonly log: RequestLog;
  readonly isValidToken: (token: string) => boolean;
  readonly latencyMs: () => number;
  readonly throttle: () => { readEvery: number; retryAfterSeconds?: number } | undefined;
}

export interface RunningServer {
  readonly port: number;
  stop(): Promise<void>;
}

// Unref'd: an emulator that is stopped while it delays an answer must not keep the process alive.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Starts the ARM server on `options.host` (default 127.0.0.1). */
export async function startArmServer(options: ServerOptions): Promise<RunningServer> {
  let reads = 0;
  let seq = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    let body: unknown = undefined;
    let badJson = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        badJson = true;
      }
    }
    const query = Object.fromEntries(url.searchParams.entries());
    const record = {
      seq: ++seq,
      method,
      path: url.pathname,
      query,
      body: badJson ? raw : body,
      status: 0,
      dropped: false,
      time: new Date(options.routes.now()),
    };
    options.log.add(record);

    const latency =
      (method === 'GET' ? options.latencyMs() : 0) + (options.faults.takeLatency(method, url.pathname)?.ms ?? 0);
    if (latency > 0) await sleep(latency);

    const answer = (reply: Reply) => {
      record.status = reply.status;
      const headers: Record<string, string> = { 'x-ms-request-id': `emu-${record.seq}`, ...reply.headers };
      if (reply.body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
      res.writeHead(reply.status, headers);
      res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
    };

    const auth = req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/i.exec(auth)?.[1];
    if (!token)
      return answer(
        armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing."),
      );
    if (!options.isValidToken(token))
      return answer(armError(401, 'InvalidAuthenticationToken', 'The access token is invalid or expired.'));

    const status = options.faults.takeStatus(method, url.pathname);
    if (status) {
      const retry =
        status.retryAfterSeconds !== undefined ? { 'Retry-After': String(status.retryAfterSeconds) } : undefined;
      return answer(
        armError(
          status.status,
          status.code ?? defaultCode(status.status),
          status.message ?? `Injected fault: ${status.status}.`,
          retry,
        ),
      );
    }
    const throttle = options.throttle();
    if (method === 'GET' && throttle && throttle.readEvery > 0 && ++reads % throttle.readEvery === 0) {
      const after = String(throttle.retryAfterSeconds ?? 1);
      return answer(
        armError(429, 'TooManyRequests', 'The request is being throttled by the ASR emulator (every nth read).', {
          'Retry-After': after,
        }),
      );
    }
    if (badJson) return answer(armError(400, 'InvalidRequestContent', 'The request content is not valid JSON.'));

    const reply = route(options.routes, { method, path: url.pathname, query, body });
    if (reply.status < 300 && options.faults.takeDrop(method, url.pathname)) {
      // The operation has been applied; the client never learns it.
      record.status = reply.status;
      record.dropped = true;
      req.socket.destroy();
      return;
    }
    const slow = reply.status < 300 ? options.faults.takeSlowAnswer(method, url.pathname) : undefined;
    if (slow) await sleep(slow.ms);
    if (!res.destroyed) answer(reply);
  }

  const server = https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({ error: { code: 'InternalServerError', message: `ASR emulator error: ${String(err)}` } }),
        );
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function defaultCode(status: number): string {
  if (status === 429) return 'TooManyRequests';
  if (status === 503) return 'ServiceUnavailable';
  if (status >= 500) return 'InternalServerError';
  return 'BadRequest';
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
