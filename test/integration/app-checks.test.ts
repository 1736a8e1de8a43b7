/**
 * Application checks after the failover (issue #19): the checks file's HTTP and TCP checks run by a
 * worker against real local servers once each VM's failover has finished, their results (with the
 * evidence) on the card and in the verification prompt, in the trail and the report; a commit
 * despite failed checks is the approver's decision, with a reason.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime } from '../../src/runtime';
import {
  blocksOf,
  chooseVms,
  findFreePort,
  INCIDENT_CHANNEL,
  openCommitConfirmation,
  openRequestModal,
  PEOPLE,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  textOf,
  waitForCommitPrompt,
} from '@failback/sandbox';
import type { StoredMessage } from '@failback/slack-standin';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { ACTION } from '../../src/bot/ids';

jest.setTimeout(90_000);

let world: SandboxWorld | undefined;
let bot: Runtime | undefined;
let dir: string | undefined;
const servers: (Server | TcpServer)[] = [];

afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  await world?.stop();
  world = undefined;
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** An HTTP server on 127.0.0.1 answering every GET with `status` and `body`. */
async function httpServer(status: number, body: string): Promise<number> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as { port: number }).port;
}

/** Starts a TCP listener on `port` (a service that came up late). */
async function tcpListener(port: number): Promise<void> {
  const server = createTcpServer((socket) => socket.end());
  servers.push(server);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
}

async function start(checksYaml: string): Promise<SandboxWorld> {
  dir = mkdtempSync(join(tmpdir(), 'fb-checks-'));
  const file = join(dir, 'checks.yaml');
  writeFileSync(file, checksYaml);
  world = await startSandboxWorld({
    redisUrl: testRedisUrl(),
    prefix: uniquePrefix('checks'),
    env: { FAILBACK_CHECKS_FILE: file },
  });
  bot = await world.startBot();
  return world;
}

async function failBack(w: SandboxWorld, vms: string[]) {
  const { view } = await openRequestModal(w);
  const shown = await chooseVms(w, view, vms);
  const reply = await submitRequest(w, shown, { vms });
  expect(reply.responseAction).toBe('clear');
  return waitForCommitPrompt(w, 40_000);
}

const promptText = (w: SandboxWorld, ts: string) =>
  textOf(
    w.slack.thread(INCIDENT_CHANNEL, w.slack.messages(INCIDENT_CHANNEL)[0]?.ts ?? '').find((m) => m.ts === ts) ?? [],
  );

describe('application checks after the failover', () => {
  it('run by a worker against the real services: passed, still trying while a service boots, then passed', async () => {
    const web = await httpServer(200, 'status: ok');
    const dbPort = await findFreePort();
    const w = await start(
      [
        'defaults: { window: 60s, interval: 1s, timeout: 2s }',
        'checks:',
        '  - name: Web front door',
        '    vms: [app-01]',
        `    http: { url: "http://127.0.0.1:${web}/healthz", expectStatus: 200, bodyContains: ok }`,
        '  - name: SQL listener',
        '    vms: [db-01]',
        `    tcp: { host: 127.0.0.1, port: ${dbPort} }`,
        '',
      ].join('\n'),
    );
    const { card, prompt } = await failBack(w, ['app-01', 'db-01']);
    const seen = await w.slack.waitFor(
      () => {
        const text = promptText(w, prompt.ts);
        // The prompt can be posted before the SQL check's first try ("not tried yet"): wait for its evidence.
        return /Web front door — passed/.test(text) && /SQL listener — still trying[^\n]*refused/i.test(text)
          ? text
          : undefined;
      },
      { timeoutMs: 20_000, message: 'the web check passed and the SQL check still trying (refused) in the prompt' },
    );
    expect(seen).toMatch(new RegExp(`http://127\\.0\\.0\\.1:${web}/healthz\` · HTTP 200`));

    await tcpListener(dbPort);
    await w.slack.waitFor(() => (/SQL listener — passed/.test(promptText(w, prompt.ts)) ? true : undefined), {
      timeoutMs: 20_000,
      message: 'the SQL check passed once the service listens',
    });
    const cardText = textOf(w.slack.message(INCIDENT_CHANNEL, card.ts) as StoredMessage);
    await w.slack.waitFor(
      (s) =>
        /checks 1 of 1 passed/.test(textOf(s.message(INCIDENT_CHANNEL, card.ts) as StoredMessage)) ? true : undefined,
      { message: `the card shows the checks (was: ${cardText.slice(0, 300)})` },
    );

    // Passed checks: the confirmation asks nothing more.
    const confirm = await openCommitConfirmation(w, prompt);
    expect(textOf(confirm)).not.toContain('Application checks have not all passed');
  });

  it('a failed check does not block the commit: the approver gives a reason, and the trail and report keep it', async () => {
    const web = await httpServer(503, 'maintenance');
    const w = await start(
      [
        'defaults: { window: 3s, interval: 1s, timeout: 1s }',
        'checks:',
        '  - name: Web front door',
        '    vms: [app-01]',
        `    http: { url: "http://127.0.0.1:${web}/" }`,
        '',
      ].join('\n'),
    );
    const { card, prompt } = await failBack(w, ['app-01']);
    await w.slack.waitFor(() => (/Web front door — failed/.test(promptText(w, prompt.ts)) ? true : undefined), {
      timeoutMs: 20_000,
      message: 'the check failed once its window was over',
    });
    expect(promptText(w, prompt.ts)).toMatch(/HTTP 503/);

    const confirm = await openCommitConfirmation(w, prompt);
    expect(textOf(confirm)).toContain('Application checks have not all passed');
    // Slack's client does not submit a required input left empty.
    await expect(w.slack.submitView({ userId: PEOPLE.approver.id, viewId: confirm.id })).rejects.toThrow(/required/);
    const reason = 'maintenance page is expected until the load balancer switches; app team verified';
    const reply = await w.slack.submitView({
      userId: PEOPLE.approver.id,
      viewId: confirm.id,
      inputs: { [ACTION.checksReason]: reason },
    });
    expect(reply.responseAction).toBe('clear');
    await w.slack.waitFor(
      (s) =>
        /Committed|ready for reprotect/i.test(textOf(s.message(INCIDENT_CHANNEL, card.ts) as StoredMessage))
          ? true
          : undefined,
      { timeoutMs: 30_000, message: 'the commit went ahead' },
    );
    expect(w.emulator.operationPosts('failoverCommit')).toHaveLength(1);

    // The report (asked for now) has the checks and the reason.
    await w.slack.sendCommand({ userId: PEOPLE.approver.id, channelId: INCIDENT_CHANNEL, text: 'report FB-1' });
    const report = await w.slack.waitFor((s) =>
      [...s.files.values()].find((f) => f.filename === 'FB-1-report.md' && f.bytes),
    );
    const md = report.bytes?.toString() ?? '';
    expect(md).toContain('### Application checks');
    expect(md).toMatch(/Web front door \| failed \|/);
    expect(md).toContain(reason);
    const blocks = blocksOf(w.slack.message(INCIDENT_CHANNEL, card.ts) as StoredMessage);
    expect(JSON.stringify(blocks)).not.toContain('checks 0 of 1'); // the card shows the commit now
  });
});
