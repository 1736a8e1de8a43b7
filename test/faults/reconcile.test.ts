import { Redis } from 'ioredis';
import type { Runtime } from '../../src/runtime';
import {
  chooseVms,
  commitAsApprover,
  findAction,
  INCIDENT_CHANNEL,
  openRequestModal,
  reprotectWithDefaults,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  textOf,
  waitForCardText,
  waitForCommitPrompt,
} from '@failback/sandbox';
import { Queue } from 'bullmq';
import { QUEUE } from '../../src/jobs/queues';
import { ACTION } from '../../src/bot/ids';
import { RunStore } from '../../src/store/run-store';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(90_000);

let world: SandboxWorld;
let bot: Runtime | undefined;
let redis: Redis;
let store: RunStore;
let worldPrefix = '';

beforeEach(async () => {
  const prefix = uniquePrefix('reconcile');
  worldPrefix = prefix;
  world = await startSandboxWorld({ redisUrl: testRedisUrl(), prefix });
  redis = new Redis(testRedisUrl());
  store = new RunStore({ redis, prefix });
});

afterEach(async () => {
  redis.disconnect();
  await bot?.stop();
  await world.stop();
});

describe('start-up reconciliation', () => {
  it('records a VM committed in the portal while the bot was down, instead of committing it again', async () => {
    bot = await world.startBot();
    const { view } = await openRequestModal(world);
    const shown = await chooseVms(world, view, ['app-01', 'db-01']);
    await submitRequest(world, shown, { vms: ['app-01', 'db-01'] });
    const { card } = await waitForCommitPrompt(world, 30_000);
    const runId = /Failback (FB-\d+)/.exec(textOf(card))![1]!;
    await bot.stop();
    bot = undefined;

    // Someone commits both VMs in the Azure portal while the bot is down.
    world.emulator.setItemStage('app-01', 'committed');
    world.emulator.setItemStage('db-01', 'committed');
    bot = await world.startBot();

    await waitForCardText(world, card.ts, /Committed — ready for reprotect/, 30_000);
    expect(world.emulator.operationPosts('failoverCommit')).toHaveLength(0);
    const trail = await store.trail(runId);
    expect(
      trail
        .filter((e) => e.what === 'commit done outside the bot (seen in ASR)')
        .map((e) => e.vm)
        .sort(),
    ).toEqual(['app-01', 'db-01']);
    const updated = world.slack.message('C0INCIDENT', card.ts)!;
    expect(textOf(updated)).toContain('someone outside the bot (seen in ASR)');
    expect(findAction(updated.blocks, ACTION.reprotect)).toBeDefined();

    // The run goes on from there: reprotect, once per VM.
    await reprotectWithDefaults(world, card.ts);
    await waitForCardText(world, card.ts, /Done — protected to Azure again/, 40_000);
    expect(world.emulator.operationPosts('reprotect')).toHaveLength(2);
  });
});

describe('start-up reconciliation of runs that closed as their process died', () => {
  it('makes the last card edit, the summary and the report that were never queued', async () => {
    bot = await world.startBot();
    const { view } = await openRequestModal(world);
    const shown = await chooseVms(world, view, ['db-01']);
    await submitRequest(world, shown, { vms: ['db-01'] });
    const { card, prompt } = await waitForCommitPrompt(world, 30_000);
    const runId = /Failback (FB-\d+)/.exec(textOf(card))![1]!;
    await commitAsApprover(world, prompt, card.ts);

    // From here no Slack job runs; once the run has closed, its queued Slack jobs are lost, as if
    // the process had died between saving the closed run and queueing what follows.
    const slackJobs = new Queue(QUEUE.slack, { connection: { url: testRedisUrl() }, prefix: worldPrefix });
    await slackJobs.pause();
    try {
      await reprotectWithDefaults(world, card.ts);
      await world.slack.waitFor(async () => ((await store.get(runId))?.closedAt ? true : undefined), {
        timeoutMs: 40_000,
        message: 'run closed',
      });
      await bot.stop();
      bot = undefined;
      await slackJobs.obliterate({ force: true });
      expect(textOf(world.slack.message(INCIDENT_CHANNEL, card.ts)!)).not.toMatch(/Done — protected to Azure again/);
    } finally {
      await slackJobs.close();
    }

    bot = await world.startBot();
    await waitForCardText(world, card.ts, /Done — protected to Azure again/, 30_000);
    const thread = () => world.slack.thread(INCIDENT_CHANNEL, card.ts);
    await world.slack.waitFor(() => (thread().some((m) => (m.files ?? []).length > 0) ? true : undefined), {
      timeoutMs: 30_000,
      message: 'report uploaded',
    });
    expect(thread().filter((m) => JSON.stringify(m.blocks).includes('*Timeline*'))).toHaveLength(1);
    expect(thread().filter((m) => (m.files ?? []).length > 0)).toHaveLength(1);
    expect(world.emulator.operationPosts('reprotect')).toHaveLength(1);
  });
});
