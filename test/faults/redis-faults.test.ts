import type { Runtime } from '../../src/runtime';
import {
  chooseVms,
  finishCycle,
  INCIDENT_CHANNEL,
  openRequestModal,
  PEOPLE,
  type RedisServerHandle,
  type SandboxWorld,
  startRedisServer,
  startSandboxWorld,
  submitRequest,
  waitForCommitPrompt,
} from '@failback/sandbox';

jest.setTimeout(90_000);

let redis: RedisServerHandle;
let world: SandboxWorld;
let bot: Runtime;

beforeEach(async () => {
  redis = await startRedisServer({ appendOnly: true });
  world = await startSandboxWorld({ redisUrl: redis.url, emulator: { taskMs: 600 } });
  bot = await world.startBot();
});

afterEach(async () => {
  await bot.stop();
  await world.stop();
  await redis.stop();
});

async function request(vm: string) {
  const { view } = await openRequestModal(world);
  const shown = await chooseVms(world, view, [vm]);
  expect((await submitRequest(world, shown, { vms: [vm] })).responseAction).toBe('clear');
}

describe('Redis restarted in the middle of a run (AOF on)', () => {
  it('the run resumes where it was and completes, every ASR operation once', async () => {
    await request('app-01');
    await world.slack.waitFor(() => world.emulator.operationPosts('unplannedFailover').length === 1, {
      message: 'failover issued',
    });
    await redis.restart();
    const { card, prompt } = await waitForCommitPrompt(world, 40_000);
    expect(await finishCycle(world, card, prompt)).toEqual({ failovers: 1, commits: 1, reprotects: 1 });
    expect(world.slack.messages(INCIDENT_CHANNEL)).toHaveLength(1);
  });
});

describe('Redis down', () => {
  it('/failback says the bot is degraded within Slack’s 3 s and starts nothing; once Redis is back, a run in flight completes', async () => {
    await request('db-01');
    await world.slack.waitFor(() => world.emulator.operationPosts('unplannedFailover').length === 1, {
      message: 'failover issued',
    });
    redis.kill('SIGKILL');
    await world.slack.waitFor(async () => (await fetch(`http://127.0.0.1:${bot.port}/readyz`)).status === 503, {
      message: '/readyz 503',
    });

    const opened = world.slack.callsTo('views.open').length;
    const reply = await world.slack.sendCommand({ userId: PEOPLE.requester.id, channelId: INCIDENT_CHANNEL });
    expect(reply.withinSlackTimeout).toBe(true);
    expect(reply.body).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/degraded.*Nothing was started/s),
    });
    expect(world.slack.callsTo('views.open')).toHaveLength(opened);

    await redis.restart();
    const { card, prompt } = await waitForCommitPrompt(world, 40_000);
    expect(world.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
    expect(await finishCycle(world, card, prompt)).toEqual({ failovers: 1, commits: 1, reprotects: 1 });
    // And new requests are taken again.
    const again = await openRequestModal(world);
    expect(JSON.stringify(again.reply.body ?? '')).not.toMatch(/degraded/);
  });
});
