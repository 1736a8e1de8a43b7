import type { TokenCredential } from '@azure/core-auth';
import type { Logger } from 'pino';
import type { VaultAccess } from '../azure/estate';

export interface ReadinessOptions {
  /** Resolves when Redis answers (PING). */
  readonly pingRedis: () => Promise<unknown>;
  readonly credential: TokenCredential;
  /** The ARM scope the bot asks tokens for (`https://management.azure.com/.default`). */
  readonly scope: string;
  readonly log: Logger;
  readonly now?: () => number;
  /** How long a token check result is reused: probes must not hammer the token endpoint. */
  readonly okTtlMs?: number;
  readonly failTtlMs?: number;
  /** A probe waits this long for a token check in flight (Kubernetes' probe timeout is short). */
  readonly waitMs?: number;
  /** How the bot's last read of each vault went (never read now: probes must not cost ARM reads). */
  readonly vaults?: () => readonly VaultAccess[];
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly body: {
    status: 'ready' | 'degraded';
    redis: string;
    azure: string;
    /**
     * One line per vault: `ok`, or why it cannot be read (a missing role assignment, say). A vault
     * that cannot be read does not make the bot unready: its other vaults work, and runs there go on.
     */
    vaults?: Record<string, string>;
  };
}

interface TokenCheck {
  readonly ok: boolean;
  /** `ok` or `no token: <short reason>`; never the token. */
  readonly text: string;
  readonly at: number;
}

const REASON_MAX = 160;

/** /readyz: ready when Redis answers and an Azure token for ARM can be obtained. */
export class Readiness {
  private last: TokenCheck | undefined;
  private inFlight: Promise<TokenCheck> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ReadinessOptions) {
    this.now = options.now ?? Date.now;
  }

  async check(): Promise<ReadinessReport> {
    const [redis, azure] = await Promise.all([
      this.options.pingRedis().then(
        () => 'ok',
        () => 'unreachable',
      ),
      this.azure(),
    ]);
    const ready = redis === 'ok' && azure === 'ok';
    const access = this.options.vaults?.() ?? [];
    const vaults =
      access.length > 0
        ? Object.fromEntries(
            access.map((a) => [
              a.vault.location ? `${a.vault.name} (${a.vault.location})` : a.vault.name,
              a.ok ? 'ok' : `cannot read: ${(a.error ?? 'unknown error').slice(0, REASON_MAX)}`,
            ]),
          )
        : undefined;
    return { ready, body: { status: ready ? 'ready' : 'degraded', redis, azure, ...(vaults ? { vaults } : {}) } };
  }

  /** Starts a token check now (at start-up), so the first probe finds an answer. */
  warm(): void {
    void this.azure();
  }

  private async azure(): Promise<string> {
    const last = this.last;
    const ttl = last?.ok ? (this.options.okTtlMs ?? 30_000) : (this.options.failTtlMs ?? 5_000);
    if (last && this.now() - last.at < ttl) return last.text;
    this.inFlight ??= this.getToken().finally(() => (this.inFlight = undefined));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.options.waitMs ?? 2_500);
      timer.unref();
    });
    const result = await Promise.race([this.inFlight, timeout]).finally(() => clearTimeout(timer));
    return (result ?? last)?.text ?? 'no token: still asking for one';
  }

  private async getToken(): Promise<TokenCheck> {
    let check: TokenCheck;
    try {
      const token = await this.options.credential.getToken(this.options.scope, {
        abortSignal: AbortSignal.timeout(15_000),
      });
      check = token
        ? { ok: true, text: 'ok', at: this.now() }
        : { ok: false, text: 'no token: the credential returned none', at: this.now() };
    } catch (e) {
      const reason =
        (e instanceof Error ? e.message : String(e)).split('\n')[0]?.trim().slice(0, REASON_MAX) || 'unknown error';
      check = { ok: false, text: `no token: ${reason}`, at: this.now() };
      // Only on a change: a probe every few seconds must not flood the log.
      if (this.last?.ok !== false) this.options.log.warn({ err: e }, 'cannot obtain an Azure token for ARM');
    }
    if (check.ok && this.last && !this.last.ok) this.options.log.info('Azure token obtainable again');
    this.last = check;
    return check;
  }
}
