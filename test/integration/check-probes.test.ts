import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckRunner, probe } from '../../src/checks';
import {
  type CheckSpec,
  type CheckState,
  type HttpCheckSpec,
  initialCheckState,
  nextCheckState,
} from '../../src/domain/app-checks';
import { waitFor } from '../support/wait-for';

/** Everything a test opened, closed after it whatever happened. */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(server: net.Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A local HTTP server on an ephemeral port; `hits` lists the paths it was asked for. */
async function httpServer(handler: http.RequestListener) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  const port = await listen(server);
  return { port, hits, url: (path: string) => `http://127.0.0.1:${port}${path}` };
}

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const now = () => Date.now();
const httpCheck = (url: string, extra: Partial<HttpCheckSpec> = {}): HttpCheckSpec => ({
  kind: 'http',
  name: 'web',
  url,
  expectStatus: 200,
  insecureTls: false,
  timeoutMs: 2000,
  ...extra,
});

describe('http checks', () => {
  it('pass on the expected status and body text, with the evidence', async () => {
    const web = await httpServer((req, res) => {
      expect(req.headers['user-agent']).toBe('failback-bot-check');
      expect(req.headers.cookie).toBeUndefined();
      expect(req.headers.authorization).toBeUndefined();
      res.end('<html>status: ALL GOOD</html>');
    });
    const attempt = await probe(httpCheck(web.url('/health'), { bodyContains: 'ALL GOOD' }), { now });
    expect(attempt).toMatchObject({ ok: true, evidence: { status: 200 } });
    expect(attempt.evidence.latencyMs).toEqual(expect.any(Number));
    expect(attempt.evidence.error).toBeUndefined();
  });

  it('fail when the body lacks the text', async () => {
    const web = await httpServer((_req, res) => res.end('maintenance'));
    const attempt = await probe(httpCheck(web.url('/'), { bodyContains: 'ALL GOOD' }), { now });
    expect(attempt).toMatchObject({ ok: false, evidence: { status: 200, error: '"ALL GOOD" not found in the body' } });
  });

  it('read at most 64 KiB of the body', async () => {
    const web = await httpServer((_req, res) => {
      res.write('x'.repeat(70 * 1024));
      res.end('ALL GOOD');
    });
    const attempt = await probe(httpCheck(web.url('/'), { bodyContains: 'ALL GOOD' }), { now });
    expect(attempt.evidence.error).toBe('"ALL GOOD" not found in the first 64 KiB of the body');
  });

  it('fail on another status', async () => {
    const web = await httpServer((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    const attempt = await probe(httpCheck(web.url('/')), { now });
    expect(attempt).toMatchObject({ ok: false, evidence: { status: 500, error: 'expected status 200, got 500' } });
  });

  it('time out against a server that accepts and never answers', async () => {
    const hung = await httpServer(() => undefined);
    const started = Date.now();
    const attempt = await probe(httpCheck(hung.url('/'), { timeoutMs: 300 }), { now });
    expect(attempt).toMatchObject({ ok: false, evidence: { error: 'timed out after 300 ms' } });
    expect(Date.now() - started).toBeLessThan(300 + 5000);
    expect(hung.hits).toEqual(['/']);
  });

  it('stop at once, as "aborted", when the caller aborts', async () => {
    const hung = await httpServer(() => undefined);
    const controller = new AbortController();
    const attempt = probe(httpCheck(hung.url('/'), { timeoutMs: 30_000 }), { now, signal: controller.signal });
    await waitFor(() => hung.hits.length === 1, { message: 'the request to arrive' });
    controller.abort();
    expect(await attempt).toMatchObject({ ok: false, evidence: { error: 'aborted' } });
  });

  it('fail with "connection refused" when nothing listens', async () => {
    const attempt = await probe(httpCheck(`http://127.0.0.1:${await closedPort()}/`), { now });
    expect(attempt).toMatchObject({ ok: false, evidence: { error: 'connection refused' } });
  });

  it('follow a redirect on the same host', async () => {
    const web = await httpServer((req, res) => {
      if (req.url === '/old') res.writeHead(302, { location: '/new' }).end();
      else res.end('moved here');
    });
    const attempt = await probe(httpCheck(web.url('/old'), { bodyContains: 'moved here' }), { now });
    expect(attempt).toMatchObject({ ok: true, evidence: { status: 200 } });
    expect(web.hits).toEqual(['/old', '/new']);
  });

  it('refuse a redirect to another host, and do not go there', async () => {
    const web = await httpServer((req, res) => {
      if (req.url === '/old') res.writeHead(301, { location: `http://localhost:${web.port}/new` }).end();
      else res.end('should not be reached');
    });
    const attempt = await probe(httpCheck(web.url('/old')), { now });
    expect(attempt).toMatchObject({
      ok: false,
      evidence: { status: 301, error: `redirect to another host refused: localhost:${web.port}` },
    });
    expect(web.hits).toEqual(['/old']);
  });

  it('stop after 3 redirects', async () => {
    const web = await httpServer((req, res) => {
      const n = Number(req.url?.slice(1));
      res.writeHead(307, { location: `/${n + 1}` }).end();
    });
    const attempt = await probe(httpCheck(web.url('/0')), { now });
    expect(attempt.evidence.error).toBe('too many redirects (more than 3)');
    expect(web.hits).toEqual(['/0', '/1', '/2', '/3']);
  });

  it('take an expected redirect status as the answer', async () => {
    const web = await httpServer((_req, res) => res.writeHead(302, { location: 'https://login.example/' }).end());
    const attempt = await probe(httpCheck(web.url('/app'), { expectStatus: 302 }), { now });
    expect(attempt).toMatchObject({ ok: true, evidence: { status: 302 } });
  });
});

const openssl = spawnSync('openssl', ['version']).status === 0;
const describeTls = openssl ? describe : describe.skip;
if (!openssl) {
  // Said once, so that a run without openssl does not look like a run that checked TLS.
  console.warn('check-probes: openssl not found on PATH: the self-signed HTTPS cases are skipped');
}

describeTls('https checks against a self-signed certificate (made with openssl)', () => {
  let dir: string;
  let key: Buffer;
  let cert: Buffer;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'check-tls-'));
    const made = spawnSync('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1'],
      ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    ]);
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
    key = readFileSync(join(dir, 'key.pem'));
    cert = readFileSync(join(dir, 'cert.pem'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function tlsUrl(): Promise<string> {
    const port = await listen(https.createServer({ key, cert }, (_req, res) => res.end('secure ok')));
    return `https://127.0.0.1:${port}/`;
  }

  it('fail by default: the certificate is verified', async () => {
    const attempt = await probe(httpCheck(await tlsUrl()), { now });
    expect(attempt.ok).toBe(false);
    expect(attempt.evidence.error).toMatch(/^TLS: self[- ]signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\)$/);
  });

  it('pass with insecureTls', async () => {
    const attempt = await probe(httpCheck(await tlsUrl(), { insecureTls: true, bodyContains: 'secure ok' }), { now });
    expect(attempt).toMatchObject({ ok: true, evidence: { status: 200 } });
  });
});

describe('tcp checks', () => {
  const tcpCheck = (port: number): CheckSpec => ({ kind: 'tcp', name: 'db', host: '127.0.0.1', port, timeoutMs: 2000 });

  it('pass when the port accepts a connection', async () => {
    const port = await listen(net.createServer((socket) => socket.end()));
    expect(await probe(tcpCheck(port), { now })).toMatchObject({
      ok: true,
      evidence: { latencyMs: expect.any(Number) },
    });
  });

  it('fail when the port is closed', async () => {
    const attempt = await probe(tcpCheck(await closedPort()), { now });
    expect(attempt).toMatchObject({ ok: false, evidence: { error: 'connection refused' } });
  });
});

describe('dns checks', () => {
  const dnsCheck = (hostname: string, expectAddress?: string): CheckSpec => ({
    kind: 'dns',
    name: 'dns',
    hostname,
    timeoutMs: 3000,
    ...(expectAddress ? { expectAddress } : {}),
  });

  it('pass when localhost resolves to 127.0.0.1', async () => {
    const attempt = await probe(dnsCheck('localhost', '127.0.0.1'), { now });
    expect(attempt.ok).toBe(true);
    expect(attempt.evidence.address).toContain('127.0.0.1');
  });

  it('fail when the expected address is not among the answers', async () => {
    const attempt = await probe(dnsCheck('localhost', '10.9.9.9'), { now });
    expect(attempt).toMatchObject({ ok: false, evidence: { error: '10.9.9.9 is not among the addresses' } });
  });

  it('fail for a name under .invalid', async () => {
    const attempt = await probe(dnsCheck('app.failback-check.invalid'), { now });
    expect(attempt.ok).toBe(false);
    expect(attempt.evidence.error).toEqual(expect.any(String));
    expect(attempt.evidence.address).toBeUndefined();
  });
});

describe('a service that starts slowly, checked in rounds with CheckRunner', () => {
  const STARTED = Date.parse('2025-03-01T10:00:00.000Z');
  const WINDOW_MS = 90_000;
  const INTERVAL_MS = 30_000;

  /** Rounds of attempts on a fake clock, one interval apart; `beforeRound(n)` runs before round n (1-based). */
  async function rounds(specs: CheckSpec[], count: number, beforeRound: (n: number) => Promise<void> = async () => {}) {
    let clock = STARTED;
    const runner = new CheckRunner({ concurrency: 2, now: () => clock });
    let states = specs.map((s) => initialCheckState(s, new Date(STARTED).toISOString()));
    const history: CheckState['status'][][] = [];
    for (let n = 1; n <= count; n++) {
      clock = STARTED + n * INTERVAL_MS;
      await beforeRound(n);
      const attempts = await runner.runOnce(specs);
      const at = new Date(clock).toISOString();
      states = states.map((s) => nextCheckState(s, attempts.get(s.name)!, at, WINDOW_MS));
      history.push(states.map((s) => s.status));
    }
    return { states, history };
  }

  it('keeps trying while connections are refused and passes once it is up', async () => {
    const port = await closedPort();
    const specs: CheckSpec[] = [
      { ...httpCheck(`http://127.0.0.1:${port}/health`), name: 'web' },
      { kind: 'tcp', name: 'port', host: '127.0.0.1', port, timeoutMs: 2000 },
    ];
    const { states, history } = await rounds(specs, 3, async (n) => {
      if (n === 3)
        await listen(
          http.createServer((_req, res) => res.end('up')),
          port,
        );
    });
    expect(history).toEqual([
      ['trying', 'trying'],
      ['trying', 'trying'],
      ['passed', 'passed'],
    ]);
    expect(states[0]).toMatchObject({ attempts: 3, last: { ok: true, evidence: { status: 200 } } });
  });

  it('fails once the window is over when it never comes up', async () => {
    const port = await closedPort();
    const { states, history } = await rounds([httpCheck(`http://127.0.0.1:${port}/`)], 3);
    expect(history).toEqual([['trying'], ['trying'], ['failed']]);
    expect(states[0]?.last?.evidence.error).toBe('connection refused');
  });
});

describe('CheckRunner concurrency', () => {
  it('never has more probes in flight than its bound, across concurrent calls', async () => {
    const held: http.ServerResponse[] = [];
    let open = 0;
    let peak = 0;
    const web = await httpServer((_req, res) => {
      open++;
      peak = Math.max(peak, open);
      held.push(res);
    });
    const runner = new CheckRunner({ concurrency: 2 });
    const specs = (prefix: string) =>
      [1, 2, 3].map((i) => ({ ...httpCheck(web.url(`/${prefix}${i}`)), name: `${prefix}${i}`, timeoutMs: 10_000 }));
    const done = Promise.all([runner.runOnce(specs('a')), runner.runOnce(specs('b'))]);

    for (let answered = 0; answered < 6; answered++) {
      const res = await waitFor(() => held.shift(), { message: `request ${answered + 1} to arrive` });
      expect(open).toBeLessThanOrEqual(2);
      open--;
      res.end('ok');
    }
    const [a, b] = await done;

    expect(peak).toBe(2);
    expect([...a.values(), ...b.values()].map((x) => x.ok)).toEqual([true, true, true, true, true, true]);
    expect([...a.keys(), ...b.keys()]).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3']);
    expect(runner.inFlight).toBe(0);
  });

  it('turns a probe that throws into a failed attempt', async () => {
    const runner = new CheckRunner({
      concurrency: 1,
      probe: async () => {
        throw new Error('probe blew up\n    at somewhere');
      },
    });
    const attempts = await runner.runOnce([httpCheck('http://127.0.0.1:1/')]);
    expect(attempts.get('web')).toMatchObject({ ok: false, evidence: { error: 'probe blew up' } });
  });
});
