import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WebClient } from '@slack/web-api';
import { generateLoopbackCertificate } from '@failback/asr-emulator';
import { type SlackStandIn, startSlackStandIn } from '@failback/slack-standin';
import { openViewFast, updateViewFast } from '../../src/slack/fast-views';

const BOT_TOKEN = 'xoxb-fast-views-test';
const form = JSON.stringify({
  type: 'modal',
  callback_id: 'failback_request',
  title: { type: 'plain_text', text: 'Fail back to AVS' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'app-01 · db-01' } }],
});

let sequence = 0;
const trigger = (issuedAt: number) => `ext.${issuedAt}.f${(sequence += 1)}x7c1e`;

describe('fast views (the request form’s views.open and views.update as one JSON POST each)', () => {
  let standIn: SlackStandIn;
  let client: WebClient;

  beforeAll(async () => {
    standIn = await startSlackStandIn({ botToken: BOT_TOKEN, signingSecret: 'unused', externalTriggers: true });
    client = new WebClient(BOT_TOKEN, { slackApiUrl: standIn.apiUrl });
  });

  afterAll(() => standIn.stop());

  it('opens the view from its JSON text with one call, as Slack takes it', async () => {
    const before = standIn.callsTo('views.open').length;
    const throughClient = jest.spyOn(client, 'apiCall');
    const viewId = await openViewFast(client, trigger(Date.now()), form);
    expect(throughClient).not.toHaveBeenCalled(); // the fast POST, not the client's fallback
    throughClient.mockRestore();
    const calls = standIn.callsTo('views.open').slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.response.ok).toBe(true);
    expect(calls[0]?.args.view).toMatchObject({ callback_id: 'failback_request' });
    expect(viewId).toBe((calls[0]?.response.view as { id?: string } | undefined)?.id);
    expect(viewId).toMatch(/^V/);
  });

  it('updates a view by id from its JSON text with one call', async () => {
    const viewId = await openViewFast(client, trigger(Date.now()), JSON.stringify({ ...JSON.parse(form), blocks: [] }));
    const before = standIn.callsTo('views.update').length;
    const throughClient = jest.spyOn(client, 'apiCall');
    expect(await updateViewFast(client, viewId ?? '', form)).toBe(viewId);
    expect(throughClient).not.toHaveBeenCalled();
    throughClient.mockRestore();
    const calls = standIn.callsTo('views.update').slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args).toMatchObject({ view_id: viewId, view: { callback_id: 'failback_request' } });
    expect(JSON.stringify(standIn.state.views.get(viewId ?? ''))).toContain('app-01 · db-01');
  });

  it('an update of a view Slack does not know is refused, once', async () => {
    const before = standIn.callsTo('views.update').length;
    await expect(updateViewFast(client, 'V0NOSUCHVIEW', form)).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'not_found' },
    });
    expect(standIn.callsTo('views.update').slice(before)).toHaveLength(1);
  });

  it('takes Slack’s refusal as final: the error as the client would throw it, and no second call', async () => {
    const before = standIn.callsTo('views.open').length;
    const refused = openViewFast(client, trigger(Date.now() - 10_000), form);
    await expect(refused).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: expect.stringMatching(/trigger/) },
    });
    expect(standIn.callsTo('views.open').slice(before)).toHaveLength(1);
  });
});

describe('fast views over HTTPS (as to slack.com)', () => {
  it('opens a view on a TLS endpoint the process trusts, with one JSON POST and the bearer token', async () => {
    const tls = await generateLoopbackCertificate();
    const dir = mkdtempSync(join(tmpdir(), 'fast-views-'));
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, tls.certPem);
    const seen: { url?: string; auth?: string; type?: string; body: string }[] = [];
    const server = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        seen.push({ url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"view":{"id":"V0TLS"}}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      // A process of its own: Node reads NODE_EXTRA_CA_CERTS only when it starts (as the bot's does).
      // It runs the built module: `npm test` builds first (as for startup.test.ts).
      const script = [
        `const { WebClient } = require('@slack/web-api');`,
        `const { openViewFast } = require(${JSON.stringify(resolve(__dirname, '../../dist/slack/fast-views.js'))});`,
        `const client = new WebClient(${JSON.stringify(BOT_TOKEN)}, { slackApiUrl: 'https://127.0.0.1:${port}/api/' });`,
        `openViewFast(client, 'ext.1.tls', ${JSON.stringify(form)}).then((id) => console.log(id), (e) => { console.error(e); process.exit(1); });`,
      ].join('\n');
      const child = spawn(process.execPath, ['-e', script], {
        cwd: resolve(__dirname, '../..'),
        env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      const code = await new Promise<number | null>((done) => child.on('exit', done));
      expect({ code, out: out.trim() }).toEqual({ code: 0, out: 'V0TLS' });
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        url: '/api/views.open',
        auth: `Bearer ${BOT_TOKEN}`,
        type: 'application/json; charset=utf-8',
      });
      expect(JSON.parse(seen[0]!.body)).toEqual({ trigger_id: 'ext.1.tls', view: JSON.parse(form) });
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
