import {
  choosePlan,
  chooseVms,
  commitAsApprover,
  finishCycle,
  INCIDENT_CHANNEL,
  openRequestModal,
  PEOPLE,
  reprotectWithDefaults,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  waitForCardText,
  waitForCommitPrompt,
} from '@failback/sandbox';
import { ACTION, CALLBACK } from '../../src/bot/ids';
import { DEFAULT_SCENARIO } from '@failback/asr-emulator';
import { startBotProcess, type BotProcess } from '../support/bot-process';

jest.setTimeout(90_000);

let world: SandboxWorld;
let bot: BotProcess | undefined;

beforeEach(async () => {
  // Its own redis-server: the bot process uses the production key prefix.
  world = await startSandboxWorld({ emulator: { taskMs: 700 } });
});

afterEach(async () => {
  await bot?.kill();
  await world.stop();
});

async function request(vm: string) {
  const { view } = await openRequestModal(world);
  const shown = await chooseVms(world, view, [vm]);
  const reply = await submitRequest(world, shown, { vms: [vm] });
  expect(reply.responseAction).toBe('clear');
}

async function restart(): Promise<void> {
  const port = bot!.port;
  await bot!.kill('SIGKILL');
  bot = await startBotProcess(world.env, port);
}

/** Requests a failback, kills the bot with SIGKILL once ASR got the failover POST, restarts it. */
async function killDuringFailoverThenRestart(vm: string) {
  bot = await startBotProcess(world.env);
  world.slack.botUrl = `http://127.0.0.1:${bot.port}/slack/events`;
  await request(vm);
  await world.slack.waitFor(() => world.emulator.operationPosts('unplannedFailover').length === 1, {
    timeoutMs: 15_000,
  });
  await restart();
  const { card, prompt } = await waitForCommitPrompt(world, 40_000).catch((e: Error) => {
    throw new Error(`${e.message}\nbot said:\n${bot!.output().slice(-3000)}`);
  });
  expect(world.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
  // The card was posted once, whenever the kill came.
  expect(world.slack.messages(INCIDENT_CHANNEL)).toHaveLength(1);
  // And the whole cycle completes with one operation of each kind.
  expect(await finishCycle(world, card, prompt)).toEqual({ failovers: 1, commits: 1, reprotects: 1 });
}

describe('kill -9 of the bot process', () => {
  it('while the failover runs: after a restart the run continues and ASR got one failover', async () => {
    await killDuringFailoverThenRestart('app-01');
  });

  it('right after ASR accepted the failover, before the bot recorded it: no second POST', async () => {
    // The answer to the accepted POST takes long; the bot is killed before it can record the job.
    world.emulator.faults.add({
      match: { method: 'POST', path: /unplannedFailover/ },
      kind: 'slow-answer-after-accept',
      ms: 10_000,
    });
    await killDuringFailoverThenRestart('db-01');
  });

  it('right after ASR accepted a recovery plan’s failover: one plan POST, every VM of the plan followed', async () => {
    world.emulator.faults.add({
      match: { method: 'POST', path: /replicationRecoveryPlans\/[^/]+\/unplannedFailover/ },
      kind: 'slow-answer-after-accept',
      ms: 10_000,
    });
    bot = await startBotProcess(world.env);
    world.slack.botUrl = `http://127.0.0.1:${bot.port}/slack/events`;
    const { view } = await openRequestModal(world);
    const shown = await choosePlan(world, view, DEFAULT_SCENARIO.plans.classic);
    expect((await submitRequest(world, shown, { vms: [], plan: DEFAULT_SCENARIO.plans.classic })).responseAction).toBe(
      'clear',
    );
    await world.slack.waitFor(() => world.emulator.operationPosts('unplannedFailover').length === 1, {
      timeoutMs: 15_000,
    });
    await restart();
    const { card, prompt } = await waitForCommitPrompt(world, 40_000).catch((e: Error) => {
      throw new Error(`${e.message}\nbot said:\n${bot!.output().slice(-3000)}`);
    });
    const posts = world.emulator.operationPosts('unplannedFailover');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.path).toMatch(/replicationRecoveryPlans/i);
    expect(JSON.stringify(prompt.blocks)).toContain('3 of 3 VMs failed over');
    // One plan commit, then one reprotect per VM.
    expect(await finishCycle(world, card, prompt)).toEqual({ failovers: 1, commits: 1, reprotects: 3 });
  });

  it('right after ASR accepted the commit, before the bot recorded it: no second commit POST', async () => {
    bot = await startBotProcess(world.env);
    world.slack.botUrl = `http://127.0.0.1:${bot.port}/slack/events`;
    await request('web-01');
    const { card, prompt } = await waitForCommitPrompt(world, 30_000);
    world.emulator.faults.add({
      match: { method: 'POST', path: /failoverCommit/ },
      kind: 'slow-answer-after-accept',
      ms: 10_000,
    });
    const approver = PEOPLE.approver.id;
    await world.slack.clickButton({
      userId: approver,
      channelId: INCIDENT_CHANNEL,
      messageTs: prompt.ts,
      actionId: ACTION.commit,
    });
    const confirm = await world.slack.waitFor((s) =>
      s.openViews(approver).find((v) => v.view.callback_id === CALLBACK.confirmCommit),
    );
    await world.slack.submitView({ userId: approver, viewId: confirm.id });
    await world.slack.waitFor(() => world.emulator.operationPosts('failoverCommit').length === 1, {
      timeoutMs: 15_000,
      message: 'commit POST reached ASR',
    });
    await restart();
    await waitForCardText(world, card.ts, /Committed — ready for reprotect/, 40_000);
    expect(world.emulator.operationPosts('failoverCommit')).toHaveLength(1);
    await reprotectWithDefaults(world, card.ts);
    await waitForCardText(world, card.ts, /Done — protected to Azure again/, 40_000);
    expect(world.emulator.operationPosts('reprotect')).toHaveLength(1);
    expect(world.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
  });

  it('during a reprotect retry wait: the retry survives the restart and one reprotect is accepted', async () => {
    const env = { ...world.env, REPROTECT_RETRY_INTERVAL_SECONDS: '3' };
    bot = await startBotProcess(env);
    world.slack.botUrl = `http://127.0.0.1:${bot.port}/slack/events`;
    world.emulator.faults.add({ kind: 'agent-not-registered', as: 'refuse', times: 1 });
    await request('web-01');
    const { card, prompt } = await waitForCommitPrompt(world, 30_000);
    await commitAsApprover(world, prompt, card.ts);
    await reprotectWithDefaults(world, card.ts);
    await waitForCardText(world, card.ts, /waiting for the VM’s agent/);
    const port = bot.port;
    await bot.kill('SIGKILL');
    bot = await startBotProcess(env, port);
    await waitForCardText(world, card.ts, /Done — protected to Azure again/, 40_000);
    expect(world.emulator.operationPosts('reprotect').map((p) => p.status)).toEqual([400, 202]);
  });
});
