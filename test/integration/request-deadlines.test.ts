/**
 * The request form as Slack really drives it (issue #16): 3 s on every path of a submission, no
 * dead end when recovery points were never read, and no half-made run when the queue does not answer.
 */
import { Redis } from 'ioredis';
import type { Runtime } from '../../src/runtime';
import type { EmulatorOptions } from '@failback/asr-emulator';
import { ACTION, BLOCK, CALLBACK } from '../../src/bot/ids';
import type { StoredView } from '@failback/slack-standin';
import {
  blocksOf,
  chooseVms,
  findAction,
  INCIDENT_CHANNEL,
  openRequestModal,
  PEOPLE,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  textOf,
  vmOptions,
  waitForCommitPrompt,
} from '@failback/sandbox';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(60_000);

let world: SandboxWorld | undefined;
let bot: Runtime | undefined;
let redis: Redis | undefined;

async function start(
  options: { emulator?: EmulatorOptions; privateRedis?: boolean; prefix?: string } = {},
): Promise<SandboxWorld> {
  world = await startSandboxWorld({
    ...(options.privateRedis ? {} : { redisUrl: testRedisUrl() }),
    prefix: options.prefix ?? uniquePrefix('deadline'),
    emulator: options.emulator,
  });
  bot = await world.startBot();
  redis = new Redis(world.redisUrl);
  return world;
}

afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  redis?.disconnect();
  redis = undefined;
  await world?.stop();
  world = undefined;
});

describe('a submission whose selection event was lost (no recovery points read yet)', () => {
  it('reads the points then: when ASR is quick, the first Submit is accepted', async () => {
    const w = await start();
    const { view } = await openRequestModal(w);
    // Submitted without the selection event (lost): nothing read the points while the modal was open.
    const reply = await submitRequest(w, view, { vms: ['app-01'] });
    expect(reply.withinSlackTimeout).toBe(true);
    expect(reply.responseAction).toBe('clear');
    await waitForCommitPrompt(w);
  });

  it('when ASR is slow, says to submit again, keeps reading, and a Submit a few seconds later is accepted', async () => {
    const w = await start({
      emulator: { faults: [{ kind: 'latency', match: { method: 'GET', path: '/recoveryPoints' }, ms: 2_500 }] },
    });
    const { view } = await openRequestModal(w);
    const first = await submitRequest(w, view, { vms: ['web-01'] });
    expect(first.withinSlackTimeout).toBe(true);
    expect(JSON.stringify(first.errors)).toMatch(/recovery points yet; submit again in a moment/);
    const accepted = await w.slack.waitFor(
      async () => {
        const again = await submitRequest(w, view, { vms: ['web-01'] });
        expect(again.withinSlackTimeout).toBe(true);
        return again.responseAction === 'clear' ? again : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 1_000, message: 'a later Submit accepted' },
    );
    expect(accepted?.responseAction).toBe('clear');
    await waitForCommitPrompt(w, 30_000);
  });
});

describe('two selection changes in a row, the newer one slower to read', () => {
  it('shows the newest selection: its update, refused for a stale hash, is made again', async () => {
    const w = await start();
    const { view } = await openRequestModal(w);
    const web = w.emulator.item('web-01')!.name;
    w.emulator.faults.add({
      kind: 'latency',
      match: { method: 'GET', path: `/replicationProtectedItems/${web}/recoveryPoints` },
      ms: 1_500,
    });
    const options = vmOptions(view);
    // Both changes leave the person's client before the bot has updated the modal (same hash).
    await Promise.all([
      w.slack.chooseOption({
        viewId: view.id,
        userId: PEOPLE.requester.id,
        actionId: ACTION.vms,
        pick: [options.get('app-01')!],
      }),
      w.slack.chooseOption({
        viewId: view.id,
        userId: PEOPLE.requester.id,
        actionId: ACTION.vms,
        pick: [options.get('web-01')!],
      }),
    ]);
    const rpoOf = (v: StoredView) => textOf(blocksOf(v).filter((b) => b.block_id === BLOCK.rpo));
    const shown = await w.slack.waitFor(
      () => {
        const v = w.slack.views.get(view.id);
        return v && rpoOf(v).includes('web-01') ? v : undefined;
      },
      { timeoutMs: 10_000, message: 'the newest selection (web-01) shown' },
    );
    expect(rpoOf(shown)).not.toContain('app-01');
    expect(w.slack.callsTo('views.update').some((c) => c.response.error === 'hash_conflict')).toBe(true);
  });
});

describe('a submission whose run cannot be written within Slack’s 3 s (Redis pauses writes)', () => {
  it('answers in time with a working view, never says it failed, and the run it did create starts', async () => {
    const w = await start({ privateRedis: true });
    const { view } = await openRequestModal(w);
    const shown = await chooseVms(w, view, ['db-01']);
    await redis!.call('CLIENT', 'PAUSE', '2600', 'WRITE');
    const reply = await submitRequest(w, shown, { vms: ['db-01'] });
    expect(reply.withinSlackTimeout).toBe(true);
    expect(reply.responseAction).toBe('update');
    expect(JSON.stringify(reply)).toMatch(/Checking the request and creating the run/);
    // The outcome replaces the working view; it never claims that nothing was started.
    const outcome = await w.slack.waitFor(
      () => {
        const v = w.slack.views.get(shown.id);
        return v && !/Checking the request/.test(textOf(v)) ? v : undefined;
      },
      { timeoutMs: 15_000, message: 'the outcome in the modal' },
    );
    expect(textOf(outcome)).not.toMatch(/nothing was started|Something went wrong/i);
    expect(textOf(outcome)).toMatch(/FB-1|may yet|answered too slowly/);
    // The run Redis did write starts by itself.
    await waitForCommitPrompt(w, 40_000);
    expect(w.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
  });
});

describe('a run whose first step cannot be queued (the queue does not answer, e.g. right after Redis came back)', () => {
  it('tells the requester the run is recorded and will start, and the outbox starts it once the queue answers', async () => {
    const prefix = uniquePrefix('outbox');
    const w = await start({ prefix });
    const { view } = await openRequestModal(w);
    const shown = await chooseVms(w, view, ['web-01']);
    // The Slack jobs queue (the run's card comes first) refuses every add: its metadata hash is not a
    // hash. The run store still writes.
    await redis!.set(`${prefix}:fb-slack:meta`, 'not-a-hash');
    const reply = await submitRequest(w, shown, { vms: ['web-01'] });
    expect(reply.withinSlackTimeout).toBe(true);
    expect(reply.responseAction).toBe('update');
    expect(JSON.stringify(reply)).toMatch(/FB-1\*? is recorded.*start by themselves/);
    expect(JSON.stringify(reply)).not.toMatch(/nothing was started/i);
    expect(w.emulator.operationPosts('unplannedFailover')).toHaveLength(0);

    await redis!.del(`${prefix}:fb-slack:meta`);
    const { card } = await waitForCommitPrompt(w, 40_000);
    expect(textOf(card)).toContain('FB-1');
    expect(w.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
    expect(w.slack.messages(INCIDENT_CHANNEL)).toHaveLength(1);
  });

  it('a card posted while the steps queue does not answer: its failover is queued by the outbox once it does', async () => {
    const prefix = uniquePrefix('outbox2');
    const w = await start({ prefix });
    const { view } = await openRequestModal(w);
    const shown = await chooseVms(w, view, ['db-01']);
    await redis!.set(`${prefix}:fb-steps:meta`, 'not-a-hash');
    expect((await submitRequest(w, shown, { vms: ['db-01'] })).responseAction).toBe('clear');
    await w.slack.waitFor((s) => s.messages(INCIDENT_CHANNEL)[0], { message: 'the run card' });
    expect(w.emulator.operationPosts('unplannedFailover')).toHaveLength(0);
    await redis!.del(`${prefix}:fb-steps:meta`);
    await waitForCommitPrompt(w, 40_000);
    expect(w.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
  });
});

describe('many people opening the form at once (issue #20)', () => {
  it('reads the vault once for the burst and fills every modal, each with its own channel', async () => {
    const w = await start();
    const people = 12;
    const replies = await Promise.all(
      Array.from({ length: people }, () =>
        w.slack.sendCommand({ userId: PEOPLE.requester.id, channelId: INCIDENT_CHANNEL }),
      ),
    );
    for (const reply of replies) expect(reply.withinSlackTimeout).toBe(true);
    const filled = await w.slack.waitFor(
      (s) => {
        const views = s
          .openViews(PEOPLE.requester.id)
          .filter((v) => v.view.callback_id === CALLBACK.request && findAction(blocksOf(v), ACTION.vms));
        return views.length === people ? views : undefined;
      },
      { message: `${people} request modals filled with VMs` },
    );
    for (const v of filled)
      expect(JSON.parse(String(v.view.private_metadata))).toEqual({ channelId: INCIDENT_CHANNEL });
    const listReads = w.emulator.requests
      .all()
      .filter((r) => r.method === 'GET' && /\/replicationProtectedItems$/i.test(r.path));
    expect(listReads).toHaveLength(1);
  });
});
