import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** The scope of Microsoft Entra ID tokens for Azure Managed Redis and Azure Cache for Redis. */
export const REDIS_ENTRA_SCOPE = 'https://redis.azure.com/.default';

export interface EntraTokenAuthOptions {
  /** Hands out tokens (DefaultAzureCredential in production; tests give a fake). */
  readonly credential: TokenCredential;
  /** The Redis user: the object id of the identity the tokens are for. */
  readonly user: string;
  readonly log: Logger;
  readonly scope?: string | undefined;
  /** A token is replaced this long before it expires (at most half its lifetime). Default 5 minutes. */
  readonly refreshAheadMs?: number | undefined;
  /** After a failed refresh, try again after this long (sooner when the token runs out). Default 30 s. */
  readonly retryMs?: number | undefined;
  /** Never refresh more often than this (a credential that hands out its cached token again). Default 10 s. */
  readonly minIntervalMs?: number | undefined;
  readonly now?: (() => number) | undefined;
}

/**
 * Microsoft Entra ID authentication for Redis connections: the password is a token, and Azure closes
 * a connection whose token expired. So a fresh token is fetched before the current one expires and
 * every live connection sends `AUTH <user> <token>` again; a connection that (re)connects reads the
 * current token as its password (a getter on its options), so reconnections and new connections —
 * duplicates BullMQ makes, every node of a cluster — use it too.
 */
export class EntraTokenAuth {
  private token: AccessToken | undefined;
  /** Counts token changes: a connection that started connecting before the last one re-authenticates. */
  private generation = 0;
  private readonly live = new Set<Redis>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private closed = false;
  /** When the current token came (its lifetime is counted from there). */
  private issuedAt = 0;
  private readonly now: () => number;

  constructor(private readonly options: EntraTokenAuthOptions) {
    this.now = options.now ?? Date.now;
  }

  get user(): string {
    return this.options.user;
  }

  /** The current token ('' until the first one came: the server then refuses, and ioredis retries). */
  get password(): string {
    return this.token?.token ?? '';
  }

  /**
   * Fetches the first token, waiting for it at most `waitMs` (start-up must not hang on Entra). A
   * failure is logged and retried; Redis connections are refused and retry meanwhile.
   */
  async start(waitMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    });
    await Promise.race([this.refresh(), waited]).finally(() => clearTimeout(timer));
  }

  /**
   * Makes a Redis connection authenticate with the current token, now and whenever it reconnects,
   * and re-authenticate when the token is replaced. Call it right after creating the connection.
   */
  watch(conn: Redis): void {
    const options = conn.options as { username?: string; password?: string };
    options.username = this.options.user;
    // ioredis reads options.password at each (re)connect; duplicate() copies the value it reads now.
    Object.defineProperty(options, 'password', {
      get: () => this.password,
      set: () => undefined,
      enumerable: true,
      configurable: true,
    });
    let connectedWith = this.generation;
    conn.on('connecting', () => {
      connectedWith = this.generation;
      this.live.add(conn);
      this.schedule();
    });
    conn.on('ready', () => {
      if (connectedWith !== this.generation) void this.reauth(conn);
    });
    conn.on('end', () => this.live.delete(conn));
  }

  /** Stops refreshing (connections keep the token they have). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs?: number): void {
    if (this.closed || this.refreshing) return;
    if (delayMs === undefined && this.timer) return;
    clearTimeout(this.timer);
    const delay = delayMs ?? this.nextRefreshIn();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Nobody connected: nothing to keep authenticated (the next connection schedules again).
      if (this.live.size === 0) return;
      void this.refresh();
    }, delay);
    this.timer.unref();
  }

  private nextRefreshIn(): number {
    const token = this.token;
    const minMs = this.options.minIntervalMs ?? 10_000;
    if (!token) return minMs;
    const lifetime = token.expiresOnTimestamp - this.issuedAt;
    const ahead = Math.min(this.options.refreshAheadMs ?? 5 * 60_000, lifetime / 2);
    const at = Math.min(token.expiresOnTimestamp - ahead, token.refreshAfterTimestamp ?? Infinity);
    return Math.max(minMs, at - this.now());
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.fetchAndApply().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async fetchAndApply(): Promise<void> {
    let next: AccessToken | null;
    try {
      next = await this.options.credential.getToken(this.options.scope ?? REDIS_ENTRA_SCOPE, {
        abortSignal: AbortSignal.timeout(30_000),
      });
      if (!next) throw new Error('the credential returned no token');
    } catch (err) {
      const left = (this.token?.expiresOnTimestamp ?? 0) - this.now();
      const retry = Math.max(this.options.minIntervalMs ?? 10_000, Math.min(this.options.retryMs ?? 30_000, left / 4));
      this.options.log.warn({ err, retryInMs: Math.round(retry) }, 'cannot obtain a Microsoft Entra token for Redis');
      this.refreshing = undefined;
      this.schedule(retry);
      return;
    }
    const changed = next.token !== this.token?.token;
    this.token = next;
    this.issuedAt = this.now();
    if (changed) {
      this.generation++;
      const ready = [...this.live].filter((c) => c.status === 'ready');
      // Not awaited: a worker's connection answers AUTH only after its blocking fetch returns, and a
      // connection that hangs must not hold up the next refresh.
      for (const conn of ready) void this.reauth(conn);
      this.options.log.info(
        { connections: ready.length, expiresAt: new Date(next.expiresOnTimestamp).toISOString() },
        'Redis connections authenticated with a new Microsoft Entra token',
      );
    }
    this.refreshing = undefined;
    this.schedule(this.nextRefreshIn());
  }

  private async reauth(conn: Redis): Promise<void> {
    // A connection in subscriber or monitor mode cannot take AUTH (the bot opens none).
    if (conn.mode !== 'normal') return;
    try {
      await conn.auth(this.options.user, this.password);
    } catch (err) {
      // It keeps the previous token until that expires; the server then closes it and it reconnects
      // with the current one.
      this.options.log.warn({ err }, 'a Redis connection refused the new Microsoft Entra token');
    }
  }
}
