import { readFileSync } from 'node:fs';
import { Cluster, Redis } from 'ioredis';
import pino from 'pino';
import { failBackFully, startSandboxWorld, textOf, type SandboxWorld } from '@failback/sandbox';
import type { Runtime } from '../../src/runtime';
import { RedisConnections, RedisSettingsError, type RedisClient } from '../../src/store/redis-connection';
import { RunStore } from '../../src/store/run-store';
import {
  startRedisCluster,
  startRedisNode,
  type RedisClusterHandle,
  type RedisNodeHandle,
} from '../support/redis-cluster';
import { uniquePrefix } from '../support/redis';
import { makeTestCertificates, type TestCertificates } from '../support/tls-certs';

jest.setTimeout(90_000);

const log = pino({ level: 'silent' });

/** Connects and resolves with the first error (or 'connected'), then lets go of the connection. */
async function firstOutcome(client: RedisClient): Promise<string> {
  const outcome = await new Promise<string>((resolve) => {
    client.once('error', (err: Error & { lastNodeError?: Error }) =>
      resolve(String(err.lastNodeError?.message ?? err.message)),
    );
    client.once('node error', (err: Error) => resolve(err.message));
    client.once('ready', () => resolve('connected'));
    client.connect().catch(() => undefined);
  });
  client.disconnect();
  return outcome;
}

describe('rediss:// to one Redis with a private CA', () => {
  let certs: TestCertificates;
  let node: RedisNodeHandle;

  beforeAll(async () => {
    certs = await makeTestCertificates(['localhost', '127.0.0.1']);
    node = await startRedisNode({ tls: certs });
  });

  afterAll(async () => {
    await node.stop();
    certs.remove();
  });

  it('serves TLS only on its port (a plain connection gets no answer)', async () => {
    const plain = new Redis(node.url.replace('rediss://', 'redis://'), {
      lazyConnect: true,
      retryStrategy: () => null,
      connectTimeout: 1000,
      commandTimeout: 1000,
      maxRetriesPerRequest: 0,
    });
    plain.on('error', () => undefined);
    await expect(plain.ping()).rejects.toThrow();
    plain.disconnect();
  });

  it('connects with REDIS_TLS_CA_FILE trusting the CA, and the run store works over it', async () => {
    const connections = await RedisConnections.open(
      { url: node.url, cluster: false, auth: { kind: 'password' }, tlsCaFile: certs.caFile },
      { log },
    );
    const redis = connections.create('store');
    try {
      await redis.connect();
      const store = new RunStore({ redis, prefix: uniquePrefix('tls') });
      const created = await store.create(
        {
          version: 1,
          createdAt: new Date().toISOString(),
          requesterId: 'UREQ',
          channelId: 'CINC',
          incident: 'INC-1',
          reason: 'tls',
          recoveryPoint: { kind: 'latest' },
          vms: [{ id: '/items/app-01', name: 'app-01', failover: { status: 'pending' } }],
        },
        [],
      );
      expect(created.created).toBe(true);
      // The connection is TLS: Node's TLS socket underneath.
      expect((redis as unknown as { stream: { encrypted?: boolean } }).stream.encrypted).toBe(true);
    } finally {
      connections.close();
    }
  });

  it('refuses a server whose certificate no trusted CA signed (without the CA file)', async () => {
    const connections = await RedisConnections.open(
      { url: node.url, cluster: false, auth: { kind: 'password' } },
      { log },
    );
    const redis = connections.create('store');
    expect(await firstOutcome(redis)).toMatch(/self.signed|unable to verify|certificate/i);
    connections.close();
  });

  it('names an unreadable CA file', async () => {
    await expect(
      RedisConnections.open(
        { url: node.url, cluster: false, auth: { kind: 'password' }, tlsCaFile: `${certs.dir}/missing.pem` },
        { log },
      ),
    ).rejects.toThrow(RedisSettingsError);
  });

  describe('the bot over rediss://', () => {
    let world: SandboxWorld;
    let bot: Runtime;

    beforeAll(async () => {
      world = await startSandboxWorld({
        redisUrl: node.url,
        prefix: uniquePrefix('tls-e2e'),
        env: { REDIS_TLS_CA_FILE: certs.caFile },
      });
      bot = await world.startBot();
    });

    afterAll(async () => {
      await bot?.stop();
      await world?.stop();
    });

    it('runs a whole failback', async () => {
      const { card } = await failBackFully(world, ['web-01'], 60_000);
      expect(textOf(card)).toMatch(/FB-\d+/);
    });
  });
});

describe('rediss:// to a Redis Cluster whose certificate names the host, not the node addresses', () => {
  let certs: TestCertificates;
  let cluster: RedisClusterHandle;

  beforeAll(async () => {
    // As Azure's: a certificate for the cache's host name only, while CLUSTER SLOTS names IPs.
    certs = await makeTestCertificates(['localhost']);
    cluster = await startRedisCluster({ masters: 3, tls: certs, tlsHost: 'localhost' });
  });

  afterAll(async () => {
    await cluster.stop();
    certs.remove();
  });

  it('checks every node against the seed’s name, and reaches keys on every node', async () => {
    expect(cluster.url).toMatch(/^rediss:\/\/localhost:\d+$/);
    const connections = await RedisConnections.open(
      { url: cluster.url, cluster: true, auth: { kind: 'password' }, tlsCaFile: certs.caFile },
      { log },
    );
    const redis = connections.create('store') as Cluster;
    try {
      await redis.connect();
      // Keys of many slots: every master is written to, over TLS, by its IP address.
      for (let i = 0; i < 30; i++) await redis.set(`tls-key-${i}`, String(i));
      for (let i = 0; i < 30; i++) expect(await redis.get(`tls-key-${i}`)).toBe(String(i));
      const used = new Set<number>();
      for (const n of redis.nodes('master')) if ((await n.dbsize()) > 0) used.add(Number(n.options.port));
      expect(used.size).toBe(3);
      expect(redis.nodes('master').every((n) => n.options.host === '127.0.0.1')).toBe(true);
    } finally {
      connections.close();
    }
  });

  it('would fail without that: a node found by IP does not match a certificate for the name', async () => {
    const ca = readFileSync(certs.caFile);
    const port = Number(new URL(cluster.url).port);
    const bare = new Cluster([{ host: 'localhost', port }], {
      lazyConnect: true,
      dnsLookup: (address, callback) => callback(null, address),
      clusterRetryStrategy: () => null,
      redisOptions: { tls: { ca } },
    });
    expect(await firstOutcome(bare)).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/);
  });
});
