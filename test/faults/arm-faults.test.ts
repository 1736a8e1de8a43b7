import type { Runtime } from '../../src/runtime';
import { failBackFully, INCIDENT_CHANNEL, type SandboxWorld, startSandboxWorld } from '@failback/sandbox';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(90_000);

let world: SandboxWorld;
let bot: Runtime;

beforeEach(async () => {
  world = await startSandboxWorld({ redisUrl: testRedisUrl(), prefix: uniquePrefix('armfault') });
  bot = await world.startBot();
});

afterEach(async () => {
  await bot.stop();
  await world.stop();
});

/** A whole single-VM cycle; returns the accepted (202) operation POSTs of each kind. */
async function wholeCycle(vm: string) {
  const { card } = await failBackFully(world, [vm]);
  const accepted = (kind: 'unplannedFailover' | 'failoverCommit' | 'reprotect') =>
    world.emulator.operationPosts(kind).filter((p) => p.status === 202);
  return { card, accepted };
}

describe('an operation POST that ASR accepted but whose answer was lost', () => {
  it.each([
    ['the commit', /failoverCommit$/],
    ['the reprotect', /reprotect$/i],
  ])('%s is issued once and the run completes', async (_, path) => {
    world.emulator.faults.add({ kind: 'drop-after-accept', match: { method: 'POST', path } });
    const { accepted } = await wholeCycle('app-01');
    expect(world.emulator.requests.all().filter((r) => r.dropped)).toHaveLength(1);
    expect(accepted('unplannedFailover')).toHaveLength(1);
    expect(accepted('failoverCommit')).toHaveLength(1);
    expect(accepted('reprotect')).toHaveLength(1);
    expect(
      world.emulator.operationPosts('failoverCommit').length + world.emulator.operationPosts('reprotect').length,
    ).toBe(2);
  });
});

describe('ARM throttling and server errors', () => {
  it('429 with Retry-After and 5xx bursts on reads and writes: every operation once, the run completes', async () => {
    const { faults } = world.emulator;
    // Reads: a burst of 503s, then 429s with Retry-After, on the item and job reads the run depends on.
    faults.add({
      kind: 'status',
      status: 503,
      times: 4,
      match: { method: 'GET', path: /replicationProtectedItems\/[^/]+$/ },
    });
    faults.add({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 1,
      times: 3,
      match: { method: 'GET', path: /replicationJobs\/[^/]+$/ },
    });
    // Writes: refused before ASR accepted anything — retried, never doubled.
    faults.add({ kind: 'status', status: 500, times: 2, match: { method: 'POST', path: /unplannedFailover$/ } });
    faults.add({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 1,
      times: 1,
      match: { method: 'POST', path: /failoverCommit$/ },
    });
    faults.add({ kind: 'status', status: 503, times: 1, match: { method: 'POST', path: /reprotect$/i } });
    const { accepted } = await wholeCycle('db-01');
    expect(world.emulator.requests.all().filter((r) => r.status >= 429).length).toBeGreaterThanOrEqual(10);
    expect(accepted('unplannedFailover')).toHaveLength(1);
    expect(accepted('failoverCommit')).toHaveLength(1);
    expect(accepted('reprotect')).toHaveLength(1);
  });
});

describe('Slack rate limits on chat.postMessage', () => {
  it('the card, the prompt and the summary are each posted once, after Slack’s Retry-After', async () => {
    world.slack.faults.rateLimit('chat.postMessage', 2, 1);
    const { card } = await wholeCycle('web-01');
    const posted = world.slack.callsTo('chat.postMessage');
    expect(posted.filter((c) => c.httpStatus === 429)).toHaveLength(2);
    expect(world.slack.messages(INCIDENT_CHANNEL)).toHaveLength(1);
    const replies = () => world.slack.thread(INCIDENT_CHANNEL, card.ts).filter((m) => m.ts !== card.ts);
    await world.slack.waitFor(() => replies().length >= 3, { message: 'prompt, summary and report in the thread' });
    expect(replies()).toHaveLength(3);
    expect(replies().filter((m) => (m.files ?? []).length > 0)).toHaveLength(1);
  });
});
