import { Worker, type Job } from 'bullmq';
import { Cluster } from 'ioredis';
import pino from 'pino';
import {
  type BotProcess,
  failBackAcrossVaults,
  failBackFully,
  startBotProcess,
  startSandboxWorld,
  type SandboxWorld,
} from '@failback/sandbox';
import type { Run } from '../../src/domain/run';
import { FailbackQueues, QUEUE } from '../../src/jobs/queues';
import type { Runtime } from '../../src/runtime';
import { FactsCache } from '../../src/store/facts-cache';
import { JobWatchList } from '../../src/store/job-watch';
import { MessageLedger } from '../../src/store/message-ledger';
import { RedisConnections, type RedisClient } from '../../src/store/redis-connection';
import { RunStore } from '../../src/store/run-store';
import { DEFAULT_KEY_PREFIX } from '../../src/store/keys';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster';
import { deleteKeysByPrefix, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

const log = pino({ level: 'silent' });
const T0 = '2026-12-01T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
const draft = (...vms: string[]): Omit<Run, 'id'> => ({
  version: 1,
  createdAt: T0,
  requesterId: 'UREQ',
  channelId: 'CINC',
  incident: 'INC-1',
  reason: 'cluster',
  recoveryPoint: { kind: 'latest' },
  vms: vms.map((name) => ({ id: `/items/${name}`, name, failover: { status: 'pending' } })),
});

let cluster: RedisClusterHandle;
let connections: RedisConnections;
let redis: RedisClient;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  connections = await RedisConnections.open({ url: cluster.url, cluster: true, auth: { kind: 'password' } }, { log });
  redis = connections.create('store');
  await redis.connect();
});

afterAll(async () => {
  redis.disconnect();
  await cluster.stop();
});

/** Every key under `prefix`, from every master, with the slot it hashes to. */
async function keysOf(prefix: string): Promise<{ key: string; slot: number; node: string }[]> {
  const found: { key: string; slot: number; node: string }[] = [];
  for (const node of (redis as Cluster).nodes('master')) {
    const keys = await node.keys(`${prefix}*`);
    for (const key of keys) {
      found.push({ key, slot: Number(await node.cluster('KEYSLOT', key)), node: `${node.options.port}` });
    }
  }
  return found;
}

/**
 * A fresh prefix whose slot another node than the seed serves: a client that is no cluster client
 * (no MOVED redirections followed) could not use it.
 */
async function prefixAwayFromSeed(label: string): Promise<string> {
  const seedPort = cluster.nodes[0]?.port;
  const ranges = (await redis.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
  for (;;) {
    const prefix = uniquePrefix(label);
    const slot = Number(await redis.cluster('KEYSLOT', prefix));
    const owner = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2][1];
    if (owner !== seedPort) return prefix;
  }
}

describe('the connection factory with REDIS_CLUSTER=true', () => {
  it('connects to every master from one seed node and the cluster refuses keys of different slots in one command', async () => {
    expect(redis).toBeInstanceOf(Cluster);
    await waitFor(() => (redis as Cluster).nodes('master').length === 3, { message: 'three masters known' });
    // A real cluster: a command over two slots is refused (this is what the hash tag avoids).
    await expect(redis.mget('a-key', 'another-key')).rejects.toThrow(/CROSSSLOT|same slot/i);
  });
});

describe('the run store on a Redis Cluster', () => {
  let prefix: string;
  let store: RunStore;

  beforeEach(async () => {
    prefix = await prefixAwayFromSeed('cstore');
    store = new RunStore({ redis, prefix, retentionMs: 24 * 3600_000, now: () => Date.parse(T0) });
  });

  afterEach(async () => {
    await deleteKeysByPrefix(redis, prefix);
  });

  it('creates runs, applies changes, releases VMs, keeps the outbox and the trail — all keys in one slot', async () => {
    const first = await store.create(draft('app-01', 'db-01'), [{ at: T0, what: 'failback requested' }]);
    expect(first).toMatchObject({ created: true, run: { id: 'FB-1' }, pending: 'FB-1@1' });
    const refused = await store.create(draft('db-01'), []);
    expect(refused).toEqual({ created: false, vmId: '/items/db-01', otherRunId: 'FB-1' });
    const second = await store.create(draft('web-01'), []);
    expect(second).toMatchObject({ created: true, run: { id: 'FB-2' } });
    expect(await store.outboxDue(Date.parse(T0) + 1)).toEqual(expect.arrayContaining(['FB-1@1', 'FB-2@1']));
    await store.outboxDone('FB-1@1');

    const vm = '/items/app-01';
    for (const event of [
      { type: 'op-issuing', vmId: vm, op: 'failover', at: at(1) },
      { type: 'op-failed', vmId: vm, op: 'failover', at: at(2), error: 'boom' },
      { type: 'vm-left-out', vmId: vm, by: 'UAPP', at: at(3), reason: 'broken disk' },
    ] as const) {
      expect((await store.apply('FB-1', event)).applied).toBe(true);
    }
    // The VM left out is free at once; the other stays taken.
    expect(await store.activeRunsOf(['/items/app-01', '/items/db-01'])).toEqual(new Map([['/items/db-01', 'FB-1']]));

    // A run cancelled before anything was issued closes: its VM is free, it leaves the active set, and
    // it is kept (with its trail) for the retention period.
    expect((await store.apply('FB-2', { type: 'run-cancelled', by: 'UREQ', at: at(4) })).applied).toBe(true);
    expect(await store.activeRunsOf(['/items/web-01'])).toEqual(new Map());
    expect(await store.activeRunIds()).toEqual(['FB-1']);
    expect((await store.require('FB-2')).closedAt).toBeDefined();
    expect((await store.recent(5)).map((r) => r.id)).toEqual(['FB-2', 'FB-1']);
    const trail = (await store.trail('FB-1')).map((e) => e.what);
    expect(trail[0]).toBe('failback requested');
    expect(trail).toContain('VM left out of the run');
    const runKey = `${prefix}:run:FB-2`;
    expect(await redis.ttl(runKey)).toBeGreaterThan(0);
    expect(await redis.ttl(`${prefix}:trail:FB-2`)).toBeGreaterThan(0);

    const keys = await keysOf(prefix);
    expect(keys.map((k) => k.key)).toEqual(
      expect.arrayContaining([
        runKey,
        `${prefix}:run:FB-1`,
        `${prefix}:trail:FB-1`,
        `${prefix}:runs`,
        `${prefix}:outbox`,
        `${prefix}:run-seq`,
      ]),
    );
    expect(new Set(keys.map((k) => k.slot)).size).toBe(1);
  });

  it('numbers concurrent requests for different VMs one after another, without a gap', async () => {
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((v) => store.create(draft(`vm-${v}`), [])));
    expect(results.map((r) => (r.created ? r.run.id : 'refused')).sort()).toEqual(['FB-1', 'FB-2', 'FB-3', 'FB-4']);
  });

  it('serves the facts cache, the message ledger and the job watch list from the same slot', async () => {
    const facts = new FactsCache({ redis, prefix, now: () => Date.parse(T0) });
    await facts.putPoints('/items/app-01', { count: 3 });
    await facts.putPoints('/items/db-01', { count: 1 });
    expect([...(await facts.points(['/items/app-01', '/items/db-01', '/items/none'])).keys()]).toEqual([
      '/items/app-01',
      '/items/db-01',
    ]);
    expect(await facts.nextSelectionSeq('V1')).toBe(1);
    expect(await facts.nextSelectionSeq('V1')).toBe(2);
    const ledger = new MessageLedger({ redis, prefix });
    const token = await ledger.lockCard('FB-1', 5000);
    expect(token).toBeDefined();
    expect(await ledger.lockCard('FB-1', 5000)).toBeUndefined();
    await ledger.unlockCard('FB-1', token!);
    const watch = new JobWatchList({ redis, prefix, now: () => Date.parse(T0) });
    await watch.add({ jobName: 'job-1', runId: 'FB-1', vmId: '/items/app-01', op: 'failover', notBefore: 0 });
    expect((await watch.all()).map((j) => j.jobName)).toEqual(['job-1']);
    expect(new Set((await keysOf(prefix)).map((k) => k.slot)).size).toBe(1);
  });
});

describe('BullMQ on a Redis Cluster', () => {
  it('queues and runs steps, delayed ones too, with a hash-tagged prefix', async () => {
    const prefix = await prefixAwayFromSeed('cqueue');
    const own = await RedisConnections.open({ url: cluster.url, cluster: true, auth: { kind: 'password' } }, { log });
    const queues = new FailbackQueues({ connection: own.create('queue'), prefix, ownsConnection: true });
    const given = own.create('worker');
    const seen: string[] = [];
    const worker = new Worker(
      QUEUE.steps,
      async (job: Job) => {
        seen.push(job.id ?? '');
      },
      { connection: given, prefix, drainDelay: 1 },
    );
    worker.on('error', () => undefined);
    try {
      await queues.enqueueStep('FB-1', 'failover');
      await queues.enqueueStep('FB-1', 'commit', { delayMs: 300 });
      await waitFor(() => seen.length === 2, { timeoutMs: 20_000, message: 'both steps run' });
      expect(seen).toEqual(['run-FB-1-failover', 'run-FB-1-commit']);
      const keys = await keysOf(prefix);
      expect(keys.length).toBeGreaterThan(0);
      expect(new Set(keys.map((k) => k.slot)).size).toBe(1);
    } finally {
      await worker.close();
      await queues.close();
      await deleteKeysByPrefix(redis, prefix);
    }
    // BullMQ leaves the connection it was given open; the factory closes what it made.
    expect(given.status).toBe('ready');
    const ended = new Promise((resolve) => given.once('end', resolve));
    own.close();
    await ended;
  });
});

describe('a whole failback on a Redis Cluster', () => {
  let world: SandboxWorld;
  let bot: Runtime;
  let prefix: string;

  beforeAll(async () => {
    prefix = await prefixAwayFromSeed('ce2e');
    world = await startSandboxWorld({ redisUrl: cluster.url, prefix, env: { REDIS_CLUSTER: 'true' }, vaults: 'two' });
    bot = await world.startBot();
  });

  afterAll(async () => {
    await bot?.stop();
    await world?.stop();
    await deleteKeysByPrefix(redis, prefix);
  });

  it('runs from the request to Done, its run and trail on the cluster', async () => {
    expect(world.config.redis.cluster).toBe(true);
    const { card } = await failBackFully(world, ['app-01'], 60_000);
    const runId = /FB-\d+/.exec(JSON.stringify(card.blocks))?.[0] ?? 'FB-1';
    const store = new RunStore({ redis, prefix });
    expect((await store.require(runId)).closedAt).toBeDefined();
    expect((await store.trail(runId)).length).toBeGreaterThan(3);
    expect(new Set((await keysOf(prefix)).map((k) => k.slot)).size).toBe(1);
  });

  it('runs a request across two vaults (two subscriptions) as one run per vault, each to Done', async () => {
    const { cards } = await failBackAcrossVaults(world, ['db-01', 'ne-app-01'], 2, 40_000);
    const store = new RunStore({ redis, prefix });
    const runs = await Promise.all(cards.map((c) => store.require(/FB-\d+/.exec(JSON.stringify(c.blocks))?.[0] ?? '')));
    expect(runs.map((r) => r.vault?.name)).toEqual(['avs-dr-vault', 'avs-dr-vault-ne']);
    expect(runs.every((r) => r.closedAt !== undefined)).toBe(true);
    expect(new Set((await keysOf(prefix)).map((k) => k.slot)).size).toBe(1);
  });
});

describe('a web process and two workers on a Redis Cluster', () => {
  let world: SandboxWorld;
  let prefix: string;
  const processes: BotProcess[] = [];

  beforeAll(async () => {
    // Bot processes use the default prefix (the cluster is this file's own; the other tests here use
    // prefixes of their own).
    prefix = DEFAULT_KEY_PREFIX;
    world = await startSandboxWorld({ redisUrl: cluster.url, env: { REDIS_CLUSTER: 'true' }, vaults: 'two' });
  });

  afterAll(async () => {
    for (const p of processes) await p.kill('SIGTERM');
    await world?.stop();
    await deleteKeysByPrefix(redis, prefix);
  });

  it('run a run in each vault (two subscriptions) to Done, every key in one slot', async () => {
    expect(world.env.REDIS_CLUSTER).toBe('true');
    for (let i = 0; i < 2; i++) processes.push(await startBotProcess({ ...world.env, FAILBACK_ROLE: 'worker' }));
    const web = await startBotProcess({ ...world.env, FAILBACK_ROLE: 'web' });
    processes.push(web);
    world.slack.botUrl = `http://127.0.0.1:${web.port}/slack/events`;
    const { cards } = await failBackAcrossVaults(world, ['app-01', 'ne-app-01'], 2, 60_000);
    const store = new RunStore({ redis, prefix });
    const runs = await Promise.all(cards.map((c) => store.require(/FB-\d+/.exec(JSON.stringify(c.blocks))?.[0] ?? '')));
    expect(runs.map((r) => r.vault?.name).sort()).toEqual(['avs-dr-vault', 'avs-dr-vault-ne']);
    expect(runs.every((r) => r.closedAt !== undefined)).toBe(true);
    expect(world.emulator.operationPosts('unplannedFailover')).toHaveLength(2);
    expect(new Set((await keysOf(prefix)).map((k) => k.slot)).size).toBe(1);
  });
});
