/**
 * `npm run demo`: plays a whole failback on the sandbox — no Slack workspace, no Azure account.
 * Starts the emulated vault, the Slack stand-in, a private redis-server (unless REDIS_URL is set)
 * and the bot, then acts as the people in the incident channel, prints the conversation as they
 * would read it, and writes it as demo-out/transcript.html.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { renderTranscriptHtml, renderTranscriptText } from '@failback/slack-standin';
import {
  chooseVms,
  openRequestModal,
  reprotectWithDefaults,
  submitRequest,
  waitForCardText,
  waitForCommitPrompt,
} from './person';
import { ACTION } from './product';
import { RedisServerNotFoundError } from './redis-server';
import { INCIDENT_CHANNEL, PEOPLE, startSandboxWorld, type SandboxWorld } from './world';

const say = (line: string) => process.stdout.write(`\u001b[2m▸ ${line}\u001b[0m\n`);

async function play(world: SandboxWorld): Promise<void> {
  const { slack } = world;
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
    `done: ${world.emulator.operationPosts('unplannedFailover').length} unplanned and ` +
      `${world.emulator.operationPosts('plannedFailover').length} planned failover, ` +
      `${world.emulator.operationPosts('failoverCommit').length} commits and ` +
      `${world.emulator.operationPosts('reprotect').filter((p) => p.status < 300).length} accepted reprotects ` +
      `(${world.emulator.operationPosts('reprotect').length} attempts) reached the emulated vault`,
  );
}

async function main(): Promise<void> {
  let world: SandboxWorld;
  try {
    world = await startSandboxWorld({
      redisUrl: process.env.REDIS_URL || undefined,
      emulator: { taskMs: 300 },
      env: { REPROTECT_RETRY_INTERVAL_SECONDS: '2' },
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
    await play(world);
  } catch (e) {
    failed = e;
  }
  const transcript = world.slack.transcript();
  process.stdout.write(`\n${renderTranscriptText(transcript, { color: process.stdout.isTTY })}\n`);
  const out = resolve('demo-out');
  mkdirSync(out, { recursive: true });
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
  if (failed) {
    process.stderr.write(`\nThe demo did not finish: ${(failed as Error).stack ?? String(failed)}\n`);
    process.exit(1);
  }
}

void main();
