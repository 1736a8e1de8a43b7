import { Redis } from 'ioredis';
import type { Run } from '../../src/domain/run';
import { RunStore } from '../../src/store/run-store';
import { deleteKeysByPrefix, testRedisUrl, uniquePrefix } from '../support/redis';

const T0 = '2026-12-01T10:00:00.000Z';
const draft = (...vms: string[]): Omit<Run, 'id'> => ({
  version: 1,
  createdAt: T0,
  requesterId: 'UREQ',
  channelId: 'CINC',
  incident: 'INC-1',
  // A reason that looks like the id placeholder must stay a reason.
  reason: '__RUN_ID__',
  recoveryPoint: { kind: 'latest' },
  vms: vms.map((name) => ({ id: `/items/${name}`, name, failover: { status: 'pending' } })),
});

let redis: Redis;
let prefix: string;
let store: RunStore;

beforeEach(() => {
  redis = new Redis(testRedisUrl());
  prefix = uniquePrefix('store');
  store = new RunStore({ redis, prefix, retentionMs: 24 * 3600_000 });
});

afterEach(async () => {
  await deleteKeysByPrefix(redis, prefix);
  redis.disconnect();
});

describe('RunStore.create', () => {
  it('numbers runs only when they are created: a refused request leaves no gap in the ids', async () => {
    const first = await store.create(draft('app-01'), [{ at: T0, what: 'failback requested' }]);
    expect(first).toMatchObject({ created: true, run: { id: 'FB-1', reason: '__RUN_ID__' } });

    const refused = await store.create(draft('db-01', 'app-01'), []);
    expect(refused).toEqual({ created: false, vmId: '/items/app-01', otherRunId: 'FB-1' });
    // Nothing of the refused request was kept: db-01 is free, no document, no trail.
    expect(await store.activeRunsOf(['/items/db-01'])).toEqual(new Map());

    const second = await store.create(draft('db-01'), []);
    expect(second).toMatchObject({ created: true, run: { id: 'FB-2' } });
    expect(await store.get('FB-2')).toMatchObject({ id: 'FB-2', reason: '__RUN_ID__', vms: [{ name: 'db-01' }] });
    expect(await store.trail('FB-1')).toEqual([{ at: T0, what: 'failback requested' }]);
    expect((await store.recent(10)).map((r) => r.id).sort()).toEqual(['FB-1', 'FB-2']);
    expect((await store.activeRunIds()).sort()).toEqual(['FB-1', 'FB-2']);
  });

  it('gives two concurrent requests for the same VM one run, and the other the name of it', async () => {
    const results = await Promise.all([store.create(draft('app-01'), []), store.create(draft('app-01'), [])]);
    const created = results.filter((r) => r.created);
    expect(created).toHaveLength(1);
    expect(results.find((r) => !r.created)).toEqual({ created: false, vmId: '/items/app-01', otherRunId: 'FB-1' });
  });
});

describe('the history index', () => {
  it('drops runs past their retention as new runs come, but never one that is still active', async () => {
    const daysAgo = (d: number) => new Date(Date.parse(T0) - d * 24 * 3600_000).toISOString();
    const oldActive = await store.create({ ...draft('app-01'), createdAt: daysAgo(3) }, []);
    const oldClosed = await store.create({ ...draft('db-01'), createdAt: daysAgo(3) }, []);
    if (!oldActive.created || !oldClosed.created) throw new Error('not created');
    expect((await store.apply(oldClosed.run.id, { type: 'run-cancelled', by: 'UREQ', at: daysAgo(3) })).applied).toBe(
      true,
    );

    await store.create(draft('web-01'), []); // retention is one day: the create prunes
    expect((await store.recent(10)).map((r) => r.id).sort()).toEqual([oldActive.run.id, 'FB-3'].sort());
  });
});

describe('numbering under contention', () => {
  it('gives concurrent requests for different VMs consecutive numbers, none twice and no gap', async () => {
    const results = await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((v) => store.create(draft(`vm-${v}`), [{ at: T0, what: `for ${v}` }])),
    );
    const ids = results.map((r) => (r.created ? r.run.id : 'refused'));
    expect([...ids].sort()).toEqual(['FB-1', 'FB-2', 'FB-3', 'FB-4', 'FB-5', 'FB-6']);
    // Each run's document and trail went under its own number.
    for (const [i, r] of results.entries()) {
      if (!r.created) continue;
      expect((await store.get(r.run.id))?.vms[0]?.name).toBe(`vm-${'abcdef'[i]}`);
      expect(await store.trail(r.run.id)).toEqual([{ at: T0, what: `for ${'abcdef'[i]}` }]);
    }
  });
});

describe('the key layout', () => {
  it('keeps every key of a run under the prefix’s hash tag (one Redis Cluster slot)', async () => {
    expect(prefix).toMatch(/^\{[^{}]+\}$/);
    const created = await store.create(draft('app-01'), [{ at: T0, what: 'failback requested' }]);
    if (!created.created) throw new Error('not created');
    await store.apply(created.run.id, { type: 'run-cancelled', by: 'UREQ', at: T0 });
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.sort()).toEqual(
      [`${prefix}:outbox`, `${prefix}:run-seq`, `${prefix}:run:FB-1`, `${prefix}:runs`, `${prefix}:trail:FB-1`].sort(),
    );
    // Redis Cluster hashes only what is between the first { and the next }: the same for every key.
    const tagOf = (key: string) => key.slice(key.indexOf('{') + 1, key.indexOf('}'));
    expect(new Set(keys.map(tagOf))).toEqual(new Set([prefix.slice(1, -1)]));
  });
});
