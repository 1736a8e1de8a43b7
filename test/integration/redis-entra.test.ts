import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { Worker } from 'bullmq';
import { createConnection, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import pino from 'pino';
import { FailbackQueues, QUEUE } from '../../src/jobs/queues';
import { REDIS_ENTRA_SCOPE } from '../../src/store/redis-entra-auth';
import { RedisConnections, type RedisClient } from '../../src/store/redis-connection';
import { startRedisCluster, startRedisNode } from '../support/redis-cluster';
import { uniquePrefix } from '../support/redis';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

const log = pino({ level: 'silent' });
/** The bot identity's object id: the Redis user. */
const USER = '0b6f4f1e-7a53-4d43-9c2b-5a1f0e2d3c4b';
/** Tokens live 4 s here (an hour and more in Azure); the bot replaces them at half their life. */
const LIFETIME_MS = 4000;

/**
 * Stands in for Microsoft Entra ID: numbered tokens that live LIFETIME_MS. Before it hands one out,
 * the servers learn it (`onIssue`), as Azure accepts a token once Entra issued it.
 */
class FakeEntraCredential implements TokenCredential {
  readonly issued: { token: string; at: number }[] = [];
  readonly scopes: string[] = [];
  failNext = 0;

  constructor(private readonly onIssue: (token: string, n: number) => Promise<void>) {}

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes.push(...[scopes].flat());
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('Entra is unreachable');
    }
    const n = this.issued.length + 1;
    const token = `entra-token-${n}-${Math.random().toString(36).slice(2)}`;
    await this.onIssue(token, n);
    this.issued.push({ token, at: Date.now() });
    return { token, expiresOnTimestamp: Date.now() + LIFETIME_MS };
  }
}

/** One Redis or a cluster, with an admin connection (the default user) to each node. */
interface Topology {
  readonly url: string;
  readonly cluster: boolean;
  readonly admins: Redis[];
  stop(): Promise<void>;
}

async function oneRedis(): Promise<Topology> {
  const node = await startRedisNode();
  const admin = new Redis(node.url);
  return {
    url: node.url,
    cluster: false,
    admins: [admin],
    stop: async () => {
      admin.disconnect();
      await node.stop();
    },
  };
}

async function aCluster(): Promise<Topology> {
  const cluster = await startRedisCluster({ masters: 3 });
  const admins = cluster.nodes.map((n) => new Redis(n.url));
  return {
    url: cluster.url,
    cluster: true,
    admins,
    stop: async () => {
      for (const a of admins) a.disconnect();
      await cluster.stop();
    },
  };
}

/**
 * The ACL as Azure behaves: a token is accepted once issued, and no longer once it has expired (here:
 * when the token after next is issued, LIFETIME_MS after it).
 */
function aclFollowingTokens(topology: Topology): (token: string, n: number) => Promise<void> {
  const tokens: string[] = [];
  return async (token) => {
    tokens.push(token);
    const expired = tokens.length > 2 ? [`<${tokens[tokens.length - 3]}`] : [];
    for (const admin of topology.admins) {
      await admin.call('ACL', 'SETUSER', USER, 'on', `>${token}`, ...expired, '~*', '&*', '+@all');
    }
  };
}

interface ClientInfo {
  readonly addr: string;
  readonly user: string;
  readonly name: string;
}

/** The bot's connections on every node (ioredis' short-lived slot refreshers left aside). */
async function botConnections(topology: Topology): Promise<ClientInfo[]> {
  const all: ClientInfo[] = [];
  for (const admin of topology.admins) {
    const text = (await admin.call('CLIENT', 'LIST')) as string;
    for (const line of text.trim().split('\n')) {
      const f = Object.fromEntries(
        line.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      if (f.user === USER && !String(f.name).includes('refresher')) {
        all.push({ addr: String(f.addr), user: String(f.user), name: String(f.name) });
      }
    }
  }
  return all;
}

/**
 * Every AUTH (or HELLO … AUTH) any node received, with the server's time and the client's address,
 * read from MONITOR on a plain socket per node (MONITOR shows AUTH with its arguments redacted).
 */
async function watchAuths(topology: Topology): Promise<{ auths: { at: number; source: string }[]; stop(): void }> {
  const auths: { at: number; source: string }[] = [];
  const sockets = await Promise.all(
    topology.admins.map(
      (admin) =>
        new Promise<Socket>((resolve, reject) => {
          const socket = createConnection({ host: '127.0.0.1', port: Number(admin.options.port) });
          let buffered = '';
          socket.once('error', reject);
          socket.once('connect', () => socket.write('MONITOR\r\n'));
          socket.on('data', (chunk) => {
            buffered += chunk.toString('utf8');
            const lines = buffered.split('\r\n');
            buffered = lines.pop() ?? '';
            for (const line of lines) {
              if (line === '+OK') resolve(socket);
              const m = /^\+(\d+\.\d+) \[\d+ ([^\]]+)\] "(\w+)"/.exec(line);
              const cmd = m?.[3]?.toLowerCase();
              if (m && (cmd === 'auth' || cmd === 'hello')) auths.push({ at: Number(m[1]) * 1000, source: m[2] ?? '' });
            }
          });
        }),
    ),
  );
  return { auths, stop: () => sockets.forEach((s) => s.destroy()) };
}

async function authFailures(topology: Topology): Promise<number> {
  let n = 0;
  for (const admin of topology.admins) {
    const entries = (await admin.call('ACL', 'LOG')) as unknown[][];
    n += entries.filter((e) => e.includes('auth') && e.includes(USER)).length;
  }
  return n;
}

describe.each([
  ['one Redis', oneRedis],
  ['a Redis Cluster (every node)', aCluster],
])('REDIS_AUTH=entra on %s', (_name, start) => {
  let topology: Topology;
  let credential: FakeEntraCredential;
  let connections: RedisConnections;

  beforeAll(async () => {
    topology = await start();
    credential = new FakeEntraCredential(aclFollowingTokens(topology));
    connections = await RedisConnections.open(
      { url: topology.url, cluster: topology.cluster, auth: { kind: 'entra', user: USER } },
      { log, credential, entra: { minIntervalMs: 100 } },
    );
  });

  afterAll(async () => {
    connections.close();
    await topology.stop();
  });

  it('authenticates every connection with the token, re-authenticates them before it expires, and reconnects with the current one', async () => {
    const prefix = uniquePrefix('entra');
    const store = connections.create('store');
    await store.connect();
    const queues = new FailbackQueues({ connection: connections.create('queue'), prefix, ownsConnection: true });
    const ran: string[] = [];
    const worker = new Worker(QUEUE.steps, async (job) => void ran.push(job.id ?? ''), {
      connection: connections.create('worker'),
      prefix,
      drainDelay: 1,
    });
    // Connection drops are reported here; the test looks at what the worker does.
    worker.on('error', () => undefined);
    let watcher: Awaited<ReturnType<typeof watchAuths>> | undefined;
    try {
      watcher = await watchAuths(topology);
      const { auths } = watcher;
      await store.set(`${prefix}:probe`, '1');
      await queues.enqueueStep('FB-1', 'failover');
      await waitFor(() => ran.length === 1, { message: 'a step ran' });
      const before = await botConnections(topology);
      expect(before.length).toBeGreaterThan(0);
      if (topology.cluster) {
        // Every node gets connections of the bot (each cluster client talks to every master; the
        // last ones may still be opening on a busy machine).
        let perNode: boolean[] = [];
        await waitFor(
          async () => {
            perNode = await Promise.all(
              topology.admins.map(async (a) => ((await a.call('CLIENT', 'LIST')) as string).includes(`user=${USER}`)),
            );
            return perNode.every(Boolean);
          },
          { timeoutMs: 10_000, message: 'connections of the bot on every node' },
        );
        expect(perNode).toEqual([true, true, true]);
      }

      // The token is replaced at half its life, well before it expires, and every connection —
      // the store's, the queues', BullMQ's worker connections, on every node — sends AUTH again.
      const issuedBefore = credential.issued.length;
      await waitFor(() => credential.issued.length > issuedBefore, { message: 'a new token' });
      const rotation = credential.issued[credential.issued.length - 1]!;
      expect(rotation.at - credential.issued[credential.issued.length - 2]!.at).toBeLessThan(LIFETIME_MS);
      await waitFor(
        async () => {
          const conns = await botConnections(topology);
          const reauthed = new Set(auths.filter((a) => a.at >= rotation.at - 5).map((a) => a.source));
          return conns.length > 0 && conns.every((c) => reauthed.has(c.addr));
        },
        { timeoutMs: 15_000, message: 'every bot connection sent AUTH after the new token came' },
      );

      // Tokens keep coming, old ones are refused, and nothing of the bot was ever refused.
      await waitFor(() => credential.issued.length >= 4, { timeoutMs: 20_000, message: 'tokens 3 and 4' });
      await store.set(`${prefix}:probe`, '2');
      await queues.enqueueStep('FB-2', 'failover');
      await waitFor(() => ran.length === 2, { message: 'a step ran with the later token' });
      expect(await authFailures(topology)).toBe(0);

      // Only the current token is accepted now; every connection of the bot is dropped: each
      // reconnects with the current token (the one it started with expired long ago).
      const current = credential.issued[credential.issued.length - 1]!.token;
      for (const admin of topology.admins) {
        await admin.call('ACL', 'SETUSER', USER, 'resetpass', `>${current}`);
        await admin.call('CLIENT', 'KILL', 'USER', USER);
      }
      await waitFor(async () => (await store.get(`${prefix}:probe`).catch(() => null)) === '2', {
        timeoutMs: 15_000,
        message: 'the store reconnected',
      });
      // (A command the queue's cluster connection gets while it reconnects fails at once: retried.)
      await waitFor(
        () =>
          queues.enqueueStep('FB-3', 'failover').then(
            () => true,
            () => false,
          ),
        {
          timeoutMs: 15_000,
          message: 'the queue reconnected',
        },
      );
      await waitFor(() => ran.length === 3, { timeoutMs: 15_000, message: 'the worker reconnected' });
      // A connection made now uses the current token as well.
      const fresh: RedisClient = connections.create('store');
      await fresh.connect();
      expect(await fresh.get(`${prefix}:probe`)).toBe('2');
      fresh.disconnect();
      expect(await authFailures(topology)).toBe(0);
      expect(new Set(credential.scopes)).toEqual(new Set([REDIS_ENTRA_SCOPE]));
    } finally {
      watcher?.stop();
      await worker.close();
      await queues.close();
      store.disconnect();
    }
  });
});

describe('REDIS_AUTH=entra when Entra cannot be reached at start', () => {
  it('keeps trying: the connection works once a token comes', async () => {
    const topology = await oneRedis();
    const credential = new FakeEntraCredential(aclFollowingTokens(topology));
    credential.failNext = 1;
    const connections = await RedisConnections.open(
      { url: topology.url, cluster: false, auth: { kind: 'entra', user: USER } },
      { log, credential, entra: { minIntervalMs: 100, retryMs: 200 } },
    );
    const store = connections.create('store');
    store.on('error', () => undefined);
    try {
      await store.connect().catch(() => undefined);
      await waitFor(() => credential.issued.length === 1, { message: 'a token after the failure' });
      await waitFor(async () => (await store.ping().catch(() => '')) === 'PONG', {
        timeoutMs: 15_000,
        message: 'the store connects with the token',
      });
    } finally {
      connections.close();
      await topology.stop();
    }
  });
});
