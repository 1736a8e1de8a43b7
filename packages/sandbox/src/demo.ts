/**
 * `npm run demo`: plays a whole failback on the sandbox — no Slack workspace, no Azure account.
 * Starts the emulated vault, the Slack stand-in, a private redis-server (unless REDIS_URL is set)
 * and the bot, then acts as the people in the incident channel, prints the conversation as they
 * would read it, and writes it as demo-out/transcript.html.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { renderTranscriptHtml, renderTranscriptText } from '@failback/slack-standin';
import {
  chooseVms,
  failBackAcrossVaults,
  openRequestModal,
  reprotectWithDefaults,
  submitRequest,
  waitForCardText,
  waitForCommitPrompt,
} from './person';
import { ACTION } from './product';
import { findFreePort, RedisServerNotFoundError } from './redis-server';
import { INCIDENT_CHANNEL, PEOPLE, startSandboxWorld, type SandboxWorld } from './world';

const say = (line: string) => process.stdout.write(`\u001b[2m▸ ${line}\u001b[0m\n`);

async function play(world: SandboxWorld, services: DemoServices): Promise<void> {
  const { slack } = world;
  // ASR reports db-01's replication as critical: readiness shows it at risk, with ASR's own words.
  world.emulator.setItemHealth('db-01', {
    replicationHealth: 'Critical',
    healthErrors: [
      {
        errorLevel: 'Error',
        errorCode: '78025',
        errorMessage: 'The data change rate of the VM is above the limits of the process server',
        recommendedAction: 'Move the VM to another process server or reduce the change rate',
      },
    ],
  });
  say('riley asks what can fail back now: /failback readiness');
  await slack.sendCommand({ userId: PEOPLE.requester.id, channelId: INCIDENT_CHANNEL, text: 'readiness' });
  await slack.waitFor((s) => s.messages(INCIDENT_CHANNEL).find((m) => /readiness/i.test(m.text ?? '')), {
    timeoutMs: 15_000,
    message: 'the readiness answer',
  });
  say('riley types /failback in #incident-avs');
  const { view } = await openRequestModal(world);
  say(
    'riley picks app-01 (classic, configuration server) and crm-01 (modernized, replication appliance) — the bot reads their recovery points and shows their age',
  );
  const shown = await chooseVms(world, view, ['app-01', 'crm-01']);
  say('riley submits: Latest (crash-consistent), incident INC-4711');
  // crm-01's agent registers with the appliance a few seconds after the commit.
  const reply = await submitRequest(world, shown, {
    vms: ['app-01', 'crm-01'],
    incident: 'INC-4711',
    reason: 'AVS private cloud is healthy again; moving app-01 and crm-01 home',
  });
  if (reply.responseAction !== 'clear') throw new Error(`request refused: ${JSON.stringify(reply.errors)}`);

  say(
    'ASR fails both back from Azure — app-01 by unplanned failover, crm-01 by planned failover; the run card follows the jobs',
  );
  const { card, prompt } = await waitForCommitPrompt(world, 60_000);
  say(
    'application checks from the checks file run against the failed-back VMs: app-01’s web front door answers; crm-01’s API is still booting',
  );
  await slack.waitFor(() => (/CRM API — still trying/.test(promptText(world, card.ts)) ? true : undefined), {
    timeoutMs: 30_000,
    message: 'the CRM API check still trying',
  });
  await services.bootCrmApi();
  await slack.waitFor(
    () =>
      /CRM API — passed/.test(promptText(world, card.ts)) && /front door — passed/.test(promptText(world, card.ts))
        ? true
        : undefined,
    { timeoutMs: 30_000, message: 'both checks passed' },
  );
  say('crm-01’s API came up: every check passed, the prompt shows the evidence (status, latency)');
  say('riley tries to commit their own run (four-eyes says no)');
  await slack.clickButton({
    userId: PEOPLE.requester.id,
    channelId: INCIDENT_CHANNEL,
    messageTs: prompt.ts,
    actionId: ACTION.commit,
  });
  await slack.waitFor((s) => s.ephemerals({ user: PEOPLE.requester.id }).length > 0);
  say('alex (approver) verifies and clicks Commit, then confirms');
  await slack.clickButton({
    userId: PEOPLE.approver.id,
    channelId: INCIDENT_CHANNEL,
    messageTs: prompt.ts,
    actionId: ACTION.commit,
  });
  const confirm = await slack.waitFor((s) => s.openViews(PEOPLE.approver.id)[0]);
  await slack.submitView({ userId: PEOPLE.approver.id, viewId: confirm.id });
  await waitForCardText(world, card.ts, /ready for reprotect/, 60_000);
  say('alex presses Reprotect: each VM’s own fabric offers its process servers (the unhealthy ones marked)');
  // The seed's window: right after the failback the VM's agent has not registered yet.
  world.emulator.faults.add({ kind: 'agent-not-registered', as: 'refuse', times: 1 });
  await reprotectWithDefaults(world, card.ts);
  say(
    'app-01: ASR answers that the agent is not registered yet, so the bot waits and tries again; crm-01: the bot waits until the appliance reports its agent registered',
  );
  await waitForCardText(world, card.ts, /Done — protected to Azure again/, 60_000);
  say(
    'the run closes: a summary with its timeline and the run report (Markdown + printable HTML) go to the card’s thread',
  );
  await slack.waitFor(
    (s) => {
      const thread = s.thread(INCIDENT_CHANNEL, card.ts);
      const summary = thread.some((m) => JSON.stringify(m.blocks).includes('*Timeline*'));
      return summary && thread.some((m) => (m.files ?? []).length > 0) ? true : undefined;
    },
    { timeoutMs: 30_000, message: 'summary and run report in the thread' },
  );
  say(
    'the estate has a second vault (avs-dr-vault-ne, North Europe, another subscription): riley fails ne-app-01 back from the same /failback — its run goes to its own vault',
  );
  await failBackAcrossVaults(world, ['ne-app-01'], 1, 60_000);
  say(
    `done: ${world.emulator.operationPosts('unplannedFailover').length} unplanned and ` +
      `${world.emulator.operationPosts('plannedFailover').length} planned failover, ` +
      `${world.emulator.operationPosts('failoverCommit').length} commits and ` +
      `${world.emulator.operationPosts('reprotect').filter((p) => p.status < 300).length} accepted reprotects ` +
      `(${world.emulator.operationPosts('reprotect').length} attempts) reached the two emulated vaults`,
  );
}

/** The verification prompt's text (the thread reply under the card that offers Commit). */
function promptText(world: SandboxWorld, cardTs: string): string {
  return world.slack
    .thread(INCIDENT_CHANNEL, cardTs)
    .map((m) => JSON.stringify(m.blocks))
    .join('\n');
}

interface DemoServices {
  readonly checksFile: string;
  /** crm-01's API starts listening (it "boots" a little after the failover). */
  bootCrmApi(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The applications behind the failed-back VMs, on this machine: app-01's web front door (HTTP) and
 * crm-01's API (TCP, up only once `bootCrmApi` is called), and the checks file that names them.
 */
async function demoServices(out: string): Promise<DemoServices> {
  const web = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('status: ok'));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  const webPort = (web.address() as AddressInfo).port;
  const crmPort = await findFreePort();
  const crm = createTcpServer((socket) => socket.end());
  const checksFile = join(out, 'checks.yaml');
  writeFileSync(
    checksFile,
    [
      '# Application checks of the demo (format: docs/app-checks.md)',
      'defaults: { window: 2m, interval: 1s, timeout: 2s }',
      'checks:',
      '  - name: Web front door',
      '    vms: [app-01]',
      `    http: { url: "http://127.0.0.1:${webPort}/healthz", expectStatus: 200, bodyContains: ok }`,
      '  - name: CRM API',
      '    vms: [crm-01]',
      `    tcp: { host: 127.0.0.1, port: ${crmPort} }`,
      '',
    ].join('\n'),
  );
  return {
    checksFile,
    bootCrmApi: () => new Promise<void>((r) => crm.listen(crmPort, '127.0.0.1', () => r())),
    stop: async () => {
      await new Promise<void>((r) => web.close(() => r()));
      await new Promise<void>((r) => (crm.listening ? crm.close(() => r()) : r()));
    },
  };
}

async function main(): Promise<void> {
  let world: SandboxWorld;
  const out = resolve('demo-out');
  mkdirSync(out, { recursive: true });
  const services = await demoServices(out);
  try {
    world = await startSandboxWorld({
      redisUrl: process.env.REDIS_URL || undefined,
      emulator: { taskMs: 300 },
      vaults: 'two',
      env: { REPROTECT_RETRY_INTERVAL_SECONDS: '2', FAILBACK_CHECKS_FILE: services.checksFile },
    });
  } catch (e) {
    if (e instanceof RedisServerNotFoundError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const bot = await world.startBot();
  let failed: unknown;
  try {
    await play(world, services);
  } catch (e) {
    failed = e;
  }
  const transcript = world.slack.transcript();
  process.stdout.write(`\n${renderTranscriptText(transcript, { color: process.stdout.isTTY })}\n`);
  const html = join(out, 'transcript.html');
  writeFileSync(html, renderTranscriptHtml(transcript, { title: 'failback-bot demo — #incident-avs' }));
  process.stdout.write(`\nThe conversation as a Slack channel: ${html}\n`);
  // The files the bot shared (the run report), as a reviewer would download them from the thread.
  for (const file of world.slack.state.files.values()) {
    if (!file.bytes) continue;
    const path = join(out, basename(file.filename));
    writeFileSync(path, file.bytes);
    process.stdout.write(`${file.title ?? file.filename}: ${path}\n`);
  }
  await bot.stop();
  await world.stop();
  await services.stop();
  if (failed) {
    process.stderr.write(`\nThe demo did not finish: ${(failed as Error).stack ?? String(failed)}\n`);
    process.exit(1);
  }
}

void main();
