import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort, findRedisServerBinary } from '@failback/sandbox';
import type { TestCertificates } from './tls-certs';

const run = promisify(execFile);

/** One private redis-server on loopback, started with the options a test needs (TLS, cluster mode). */
export interface RedisNodeHandle {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, or `rediss://<tlsHost>:<port>` with TLS. */
  readonly url: string;
  /** Runs redis-cli against this node (TLS flags included) and returns what it printed. */
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export interface RedisNodeOptions {
  /** Serve TLS only (no plain port), with this certificate. */
  readonly tls?: TestCertificates | undefined;
  /** The host name in `url` with TLS (the certificate's name). Default `localhost`. */
  readonly tlsHost?: string | undefined;
  /** Cluster mode, its bus on this port (port + 10000 may be past 65535). */
  readonly clusterBusPort?: number | undefined;
  readonly extraArgs?: readonly string[] | undefined;
}

function redisCliBinary(): string {
  const beside = join(dirname(findRedisServerBinary()), 'redis-cli');
  return existsSync(beside) ? beside : 'redis-cli';
}

function tlsCliArgs(tls: TestCertificates | undefined): string[] {
  return tls ? ['--tls', '--cacert', tls.caFile] : [];
}

/** Starts redis-server on a free loopback port; resolves once it answers PING. */
export async function startRedisNode(options: RedisNodeOptions = {}): Promise<RedisNodeHandle> {
  const binary = findRedisServerBinary();
  const cliBinary = redisCliBinary();
  const dir = mkdtempSync(join(tmpdir(), 'failback-redis-node-'));
  const port = await findFreePort();
  const { tls } = options;
  const args = [
    ...(tls
      ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile]
      : ['--port', String(port)]),
    ...(tls ? ['--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no'] : []),
    ...['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
    ...['--protected-mode', 'no', '--maxmemory-policy', 'noeviction'],
    ...(options.clusterBusPort === undefined
      ? []
      : [
          ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'],
          ...['--cluster-port', String(options.clusterBusPort)],
          ...(tls ? ['--tls-cluster', 'yes', '--tls-replication', 'yes'] : []),
        ]),
    ...(options.extraArgs ?? []),
  ];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => (log = (log + chunk.toString('utf8')).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const cli = async (...cliArgs: string[]): Promise<string> => {
    const { stdout } = await run(cliBinary, [...tlsCliArgs(tls), '-h', '127.0.0.1', '-p', String(port), ...cliArgs], {
      timeout: 20_000,
    });
    return stdout;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server did not start:\n${log}`);
    if ((await cli('PING').catch(() => '')).trim() === 'PONG') break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not answer PING within 10 s:\n${log}`);
    }
    // A poll interval between PINGs; the deadline decides.
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = tls ? `rediss://${options.tlsHost ?? 'localhost'}:${port}` : `redis://127.0.0.1:${port}`;
  return { port, url, cli, stop };
}

/** A Redis Cluster of masters on loopback (no replicas). */
export interface RedisClusterHandle {
  /** The first node's address: the seed the bot is given (REDIS_URL with REDIS_CLUSTER=true). */
  readonly url: string;
  readonly nodes: readonly RedisNodeHandle[];
  stop(): Promise<void>;
}

/**
 * Starts `masters` redis-servers in cluster mode (each in its own temporary directory, on free
 * loopback ports), joins them with `redis-cli --cluster create … --cluster-replicas 0`, and resolves
 * once every node says `cluster_state:ok`. With `tls`, the nodes speak TLS only, to clients and to
 * each other.
 */
export async function startRedisCluster(
  options: { readonly masters?: number; readonly tls?: TestCertificates; readonly tlsHost?: string } = {},
): Promise<RedisClusterHandle> {
  const nodes: RedisNodeHandle[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    for (let i = 0; i < (options.masters ?? 3); i++) {
      nodes.push(await startRedisNode({ ...options, clusterBusPort: await findFreePort() }));
    }
    const [first] = nodes;
    if (!first) throw new Error('a cluster needs at least one node');
    await first.cli(
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    );
    const deadline = Date.now() + 30_000;
    for (;;) {
      const infos = await Promise.all(nodes.map((n) => n.cli('CLUSTER', 'INFO').catch(() => '')));
      if (infos.every((info) => info.includes('cluster_state:ok'))) break;
      if (Date.now() > deadline) throw new Error(`the cluster did not come up:\n${infos.join('\n')}`);
      // A poll interval; the deadline decides.
      await new Promise((r) => setTimeout(r, 100));
    }
    return { url: first.url, nodes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
