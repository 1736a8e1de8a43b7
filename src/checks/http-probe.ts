import http from 'node:http';
import https from 'node:https';
import type { HttpCheckSpec } from '../domain/app-checks';
import type { ProbeOutcome } from './probe-outcome';

export const USER_AGENT = 'failback-bot-check';
const MAX_BODY_BYTES = 64 * 1024;
const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

interface HttpAnswer {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
  readonly truncated: boolean;
}

/**
 * GETs the check's URL and follows at most 3 redirects, only to the same scheme, host and port. A
 * redirect status the check expects is its answer, not followed. Transport errors and the abort of
 * `signal` reject; the caller turns them into the attempt's error.
 */
export async function probeHttp(spec: HttpCheckSpec, signal: AbortSignal): Promise<ProbeOutcome> {
  let url = new URL(spec.url);
  for (let hop = 0; ; hop++) {
    const answer = await get(url, spec.insecureTls, signal);
    const { status, location } = answer;
    if (!REDIRECTS.has(status) || status === spec.expectStatus || location === undefined) return judge(spec, answer);
    if (hop === MAX_REDIRECTS) return failed(status, `too many redirects (more than ${MAX_REDIRECTS})`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      return failed(status, 'redirect to an invalid URL');
    }
    if (next.hostname !== url.hostname) return failed(status, `redirect to another host refused: ${next.host}`);
    if (next.origin !== url.origin) return failed(status, `redirect to another scheme or port refused: ${next.origin}`);
    url = next;
  }
}

function failed(status: number, error: string): ProbeOutcome {
  return { ok: false, evidence: { status, error } };
}

function judge(spec: HttpCheckSpec, answer: HttpAnswer): ProbeOutcome {
  if (answer.status !== spec.expectStatus)
    return failed(answer.status, `expected status ${spec.expectStatus}, got ${answer.status}`);
  if (spec.bodyContains !== undefined && !answer.body.includes(spec.bodyContains)) {
    const where = answer.truncated ? 'the first 64 KiB of the body' : 'the body';
    const wanted = spec.bodyContains.length > 60 ? `${spec.bodyContains.slice(0, 60)}…` : spec.bodyContains;
    return failed(answer.status, `"${wanted}" not found in ${where}`);
  }
  return { ok: true, evidence: { status: answer.status } };
}

/** One GET: no agent (no shared sockets), no cookies, no credentials; the body is read up to 64 KiB. */
function get(url: URL, insecureTls: boolean, signal: AbortSignal): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = {
      protocol: url.protocol,
      // URL keeps IPv6 literals in brackets; the request wants the bare address.
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: { 'user-agent': USER_AGENT, accept: '*/*', connection: 'close' },
      agent: false,
      signal,
      rejectUnauthorized: !insecureTls,
    };
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = (truncated: boolean) => {
        if (done) return;
        done = true;
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, body, truncated });
        req.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        if (done) return;
        chunks.push(chunk.subarray(0, MAX_BODY_BYTES - size));
        size += chunk.length;
        if (size >= MAX_BODY_BYTES) finish(true);
      });
      res.on('end', () => finish(false));
      res.on('error', reject);
      res.on('close', () => {
        if (!done) reject(new Error('connection closed before the body ended'));
      });
    });
    req.on('error', reject);
    req.end();
  });
}
