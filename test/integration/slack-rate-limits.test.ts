/**
 * Slack's rate limits are per method (issue #16): a 429 on conversations.history — which Slack limits
 * hard for some apps — holds up only what needs history, never every run's card edits and prompts.
 */
import { Redis } from 'ioredis';
import type { Runtime } from '../../src/runtime';
import {
  cardOf,
  chooseVms,
  INCIDENT_CHANNEL,
  openRequestModal,
  promptOf,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
} from '@failback/sandbox';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(60_000);

let world: SandboxWorld;
let bot: Runtime;
let redis: Redis;
const prefix = uniquePrefix('ratelimit');

beforeEach(async () => {
  world = await startSandboxWorld({ redisUrl: testRedisUrl(), prefix });
  bot = await world.startBot();
  redis = new Redis(world.redisUrl);
});

afterEach(async () => {
  await bot.stop();
  redis.disconnect();
  await world.stop();
});

async function request(vm: string) {
  const { view } = await openRequestModal(world);
  const shown = await chooseVms(world, view, [vm]);
  expect((await submitRequest(world, shown, { vms: [vm] })).responseAction).toBe('clear');
}

describe('a 429 on conversations.history (a run looking for a card an interrupted attempt may have posted)', () => {
  it('holds up only that lookup: another run’s card and prompt go out meanwhile, and nothing is posted twice', async () => {
    // FB-1's card post looks interrupted (its attempt is recorded, its ts is not): it must look first.
    await redis.set(`${prefix}:posting:card:FB-1`, String(Date.now()));
    world.slack.faults.rateLimit('conversations.history', 10, 30);
    await request('app-01');
    await world.slack.waitFor(() => world.slack.callsTo('conversations.history').some((c) => c.httpStatus === 429), {
      message: 'history rate-limited',
    });

    await request('db-01');
    const other = await world.slack.waitFor(
      () => {
        const card = cardOf(world, 'FB-2');
        const prompt = card && promptOf(world, card);
        return prompt ? { card, prompt } : undefined;
      },
      { timeoutMs: 20_000, message: 'FB-2’s card and prompt despite the history 429' },
    );
    expect(other.card.text).toContain('FB-2');
    // FB-1 waits for history: it posted nothing it might be posting twice.
    expect(cardOf(world, 'FB-1')).toBeUndefined();
    expect(world.slack.messages(INCIDENT_CHANNEL).filter((m) => m.text.includes('FB-1'))).toHaveLength(0);
  });
});
