import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { FailbackMetrics } from './metrics';
import type { Readiness } from './readiness';

/** Bolt's custom route shape, also served by the worker role's plain server. */
export interface Route {
  readonly path: string;
  readonly method: string;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** `/healthz` (the process lives), `/readyz` (Redis and an Azure token), `/metrics` (Prometheus). */
export function observabilityRoutes(deps: { readiness: Readiness; metrics: FailbackMetrics; log: Logger }): Route[] {
  return [
    { path: '/healthz', method: 'GET', handler: (_req, res) => json(res, 200, { status: 'ok' }) },
    {
      path: '/readyz',
      method: 'GET',
      handler: (_req, res) => {
        deps.readiness.check().then(
          (report) => json(res, report.ready ? 200 : 503, report.body),
          (err: unknown) => {
            deps.log.warn({ err }, 'readiness check failed');
            json(res, 503, { status: 'degraded' });
          },
        );
      },
    },
    {
      path: '/metrics',
      method: 'GET',
      handler: (_req, res) => {
        deps.metrics.exposition().then(
          ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
          (err: unknown) => {
            deps.log.warn({ err }, 'metrics collection failed');
            res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
          },
        );
      },
    },
  ];
}

/** Serves `routes` on a plain server (the worker role has no Bolt receiver). */
export function serveRoutes(routes: readonly Route[], req: IncomingMessage, res: ServerResponse): void {
  const r = routes.find((x) => x.path === (req.url ?? '').split('?')[0] && x.method === req.method);
  if (r) r.handler(req, res);
  else res.writeHead(404).end();
}
