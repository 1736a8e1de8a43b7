import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { TokenCredential } from '@azure/core-auth';
import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { EntraTokenAuth, type EntraTokenAuthOptions } from './redis-entra-auth';

/** A connection to one Redis or to a Redis Cluster: the stores and BullMQ take either. */
export type RedisClient = Redis | Cluster;

/** How to reach Redis (from REDIS_URL, REDIS_CLUSTER, REDIS_AUTH, REDIS_ENTRA_USER, REDIS_TLS_CA_FILE). */
export interface RedisSettings {
  /** `redis://` or `rediss://` (TLS); a password in it is used with `auth.kind: 'password'`. */
  readonly url: string;
  /** The URL names one node (the seed) of a Redis Cluster. */
  readonly cluster: boolean;
  readonly auth: { readonly kind: 'password' } | { readonly kind: 'entra'; readonly user: string };
  /** PEM file of the CA(s) a rediss:// server's certificate is checked against (default: the system's). */
  readonly tlsCaFile?: string | undefined;
}

/**
 * Who a connection is for. `store`: the run store, ledger, facts cache and watch list (web-facing:
 * fails fast). `queue`: the BullMQ queues (producers; `queue.add` fails fast too). `worker`: what
 * BullMQ workers are given: they send their commands on it and duplicate it for their blocking
 * fetches (those copies are theirs to close; this one is not).
 */
export type RedisRole = 'store' | 'queue' | 'worker';

interface RoleOptions {
  readonly offlineQueue: boolean;
  readonly lazyConnect: boolean;
  readonly node: RedisOptions;
}

const ROLES: Record<RedisRole, RoleOptions> = {
  // Without the offline queue a command fails at once while Redis is away instead of waiting past
  // Slack's 3 s; a command that got no answer fails after 2 s.
  store: { offlineQueue: false, lazyConnect: true, node: { maxRetriesPerRequest: 1, commandTimeout: 2000 } },
  queue: { offlineQueue: false, lazyConnect: false, node: { maxRetriesPerRequest: 1 } },
  // BullMQ requires maxRetriesPerRequest null on a worker's connections (they block and wait). It
  // waits for a connection that is connecting, but gives up on a lazy one whose first connect fails.
  worker: { offlineQueue: true, lazyConnect: false, node: { maxRetriesPerRequest: null } },
};

export interface RedisConnectionsOptions {
  readonly log: Logger;
  /** Hands out Microsoft Entra ID tokens; required when `auth.kind` is `entra`. */
  readonly credential?: TokenCredential | undefined;
  /** Token refresh timing (tests use tokens that live seconds). */
  readonly entra?: Pick<EntraTokenAuthOptions, 'refreshAheadMs' | 'retryMs' | 'minIntervalMs' | 'scope' | 'now'>;
}

/** Thrown when the settings cannot make a connection (an unreadable CA file, no credential for Entra). */
export class RedisSettingsError extends Error {
  override readonly name = 'RedisSettingsError';
}

/**
 * The one place the bot's Redis connections are made, for a single Redis or a Redis Cluster, over
 * TLS or not, with a password (in the URL) or Microsoft Entra ID tokens. Every connection — the
 * store's, the queues', the workers' and every copy BullMQ makes of them — comes from here, so they
 * all get the same TLS settings and authentication.
 */
export class RedisConnections {
  /** What `create` made and is still open (BullMQ closes the copies it makes, not what it was given). */
  private readonly made = new Set<RedisClient>();

  private constructor(
    private readonly settings: RedisSettings,
    private readonly ca: Buffer | undefined,
    private readonly auth: EntraTokenAuth | undefined,
  ) {}

  /** Reads the CA file and, with Entra, fetches the first token (a failure there is logged and retried). */
  static async open(settings: RedisSettings, options: RedisConnectionsOptions): Promise<RedisConnections> {
    let ca: Buffer | undefined;
    if (settings.tlsCaFile) {
      try {
        ca = readFileSync(settings.tlsCaFile);
      } catch (err) {
        throw new RedisSettingsError(`REDIS_TLS_CA_FILE ${settings.tlsCaFile} cannot be read`, { cause: err });
      }
    }
    let auth: EntraTokenAuth | undefined;
    if (settings.auth.kind === 'entra') {
      if (!options.credential) throw new RedisSettingsError('REDIS_AUTH=entra needs an Azure credential');
      if (!settings.url.startsWith('rediss://')) {
        options.log.warn('REDIS_AUTH=entra over redis:// — Azure accepts Entra tokens over TLS (rediss://) only');
      }
      auth = new EntraTokenAuth({
        ...options.entra,
        credential: options.credential,
        user: settings.auth.user,
        log: options.log,
      });
      await auth.start();
    }
    return new RedisConnections(settings, ca, auth);
  }

  /** A new connection for `role` (see {@link RedisRole}); `close()` closes it if its user did not. */
  create(role: RedisRole): RedisClient {
    const made = this.adopt(this.settings.cluster ? this.cluster(ROLES[role]) : this.standalone(ROLES[role]));
    this.made.add(made);
    made.once('end', () => this.made.delete(made));
    return made;
  }

  /** Closes every connection made here that is still open, and stops refreshing Entra tokens. */
  close(): void {
    this.auth?.close();
    for (const made of this.made) made.disconnect();
    this.made.clear();
  }

  private standalone(role: RoleOptions): Redis {
    const tls = this.tls();
    return new Redis(this.settings.url, {
      ...role.node,
      enableOfflineQueue: role.offlineQueue,
      lazyConnect: role.lazyConnect,
      ...(tls && { tls }),
      ...this.entraCredentials(),
    });
  }

  private cluster(role: RoleOptions): Cluster {
    const url = new URL(this.settings.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const seed: ClusterNode = { host, port: Number(url.port || 6379) };
    const tls = this.tls(isIP(host) === 0 ? host : undefined);
    return new Cluster([seed], {
      enableOfflineQueue: role.offlineQueue,
      lazyConnect: role.lazyConnect,
      // Connect to the seed by its name, not the address it resolves to: a TLS certificate names
      // hosts (Azure's: *.<region>.redis.azure.net), and a name can move to other addresses.
      dnsLookup: (address, callback) => callback(null, address),
      redisOptions: {
        ...role.node,
        ...(url.username && { username: decodeURIComponent(url.username) }),
        ...(url.password && { password: decodeURIComponent(url.password) }),
        ...(tls && { tls }),
        ...this.entraCredentials(),
      },
    });
  }

  /**
   * TLS options for rediss://. In a cluster the nodes are found by address (CLUSTER SLOTS answers
   * IPs), so every node's certificate is checked against the seed's name (`servername`) instead.
   */
  private tls(servername?: string): TlsOptions | undefined {
    if (!this.settings.url.startsWith('rediss://')) return undefined;
    return { ...(this.ca && { ca: this.ca }), ...(servername && { servername }) };
  }

  private entraCredentials(): { username?: string; password?: string } {
    return this.auth ? { username: this.auth.user, password: this.auth.password } : {};
  }

  /**
   * Connections BullMQ makes are copies (`duplicate()`) of the ones given to it: a copy is made here
   * too, connects at once (BullMQ waits for it and expects it to keep retrying, as its own do), and
   * is authenticated like the original. With Entra, every connection — each node of a cluster —
   * follows the token.
   */
  private adopt<C extends RedisClient>(made: C): C {
    if (made instanceof Cluster) {
      const duplicate = made.duplicate.bind(made);
      Object.assign(made, {
        duplicate: (nodes?: ClusterNode[], overrides?: ClusterOptions) =>
          this.adopt(duplicate(nodes, { lazyConnect: false, ...overrides })),
      });
      const auth = this.auth;
      if (auth) {
        for (const node of made.nodes('all')) auth.watch(node);
        made.on('+node', (node: Redis) => auth.watch(node));
      }
    } else {
      const redis = made as Redis;
      const duplicate = redis.duplicate.bind(redis);
      Object.assign(redis, {
        duplicate: (override?: Partial<RedisOptions>) => this.adopt(duplicate({ lazyConnect: false, ...override })),
      });
      this.auth?.watch(redis);
    }
    return made;
  }
}
