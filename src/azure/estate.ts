import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient, PipelinePolicy } from '@azure/core-rest-pipeline';
import { SiteRecoveryManagementClient } from '@azure/arm-recoveryservices-siterecovery';
import type { Logger } from 'pino';
import { parseVaultId, tagOf, vaultArmId, vaultKey, type VaultRef, type VaultTag } from '../domain/vault';
import { isFailbackError, UnknownVaultError } from '../errors';
import { armGet, armGetAll } from './arm-get';
import type { AsrGateway, CallOptions } from './gateway';
import { armScope, SdkAsrGateway } from './sdk-gateway';

/** How the bot's last read of a vault went: a vault it cannot read is one clear line, never a failed run. */
export interface VaultAccess {
  readonly vault: VaultTag;
  readonly ok: boolean;
  /** ISO time of that read. */
  readonly at: string;
  /** ARM's own message when it was refused (403: a missing role assignment) or failed. */
  readonly error?: string | undefined;
}

/**
 * Every Recovery Services vault the bot serves, each behind its own gateway. Anything the bot holds
 * names its vault in its ARM id (items, plans), so `of(id)` finds the gateway — also for a vault no
 * longer configured, so a run in flight there goes on. `vaults()` is what is offered for new runs.
 */
export interface AsrEstate {
  /** The vaults served now: configured, then discovered (with their regions once read). */
  vaults(): readonly VaultRef[];
  /** The gateway of the vault an ARM id lies under. Throws UnknownVaultError for an id outside any vault. */
  of(armId: string): AsrGateway;
  /** The gateway of a vault. */
  gateway(vault: VaultRef): AsrGateway;
  /** How the last read of each served vault went. */
  access(): readonly VaultAccess[];
  /** Records the outcome of a read of a vault (the lists, the digest, the refresh). */
  noteAccess(vault: VaultRef, error?: unknown): void;
  /** Reads the vaults' regions and access, and discovers vaults (see SdkAsrEstate.refresh). */
  refresh(options?: CallOptions): Promise<void>;
}

export interface SdkEstateOptions {
  readonly credential: TokenCredential;
  readonly endpoint: string;
  readonly vaults: readonly VaultRef[];
  /** Subscriptions whose every Recovery Services vault the identity can read is served too. */
  readonly discoverIn?: readonly string[] | undefined;
  readonly extraPolicies?: readonly PipelinePolicy[] | undefined;
  readonly attemptPolicies?: readonly PipelinePolicy[] | undefined;
  readonly httpClient?: HttpClient | undefined;
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * The Recovery Services vault reads (a configured vault's region, discovery) are not in the recorded
 * traffic, which covers Site Recovery calls only: only `id` and `location` are used, and a vault read
 * that fails or lacks them leaves the vault served without a region or marked unreadable — never a
 * run started on a guess (docs/asr-generations.md, "Vaults").
 */
const VAULTS_API = '2023-04-01';

interface VaultResource {
  readonly id?: string;
  readonly name?: string;
  readonly location?: string;
}

export class SdkAsrEstate implements AsrEstate {
  private readonly options: SdkEstateOptions;
  private readonly gateways = new Map<string, SdkAsrGateway>();
  private served: VaultRef[];
  private readonly lastAccess = new Map<string, VaultAccess>();
  /** For reads outside the Site Recovery SDK (vault resources, discovery): absolute URLs, same pipeline. */
  private readonly arm: SiteRecoveryManagementClient;

  constructor(options: SdkEstateOptions) {
    this.options = options;
    this.served = [...options.vaults];
    this.arm = new SiteRecoveryManagementClient(options.credential, options.vaults[0]?.subscriptionId ?? 'discovery', {
      endpoint: options.endpoint,
      credentialScopes: [armScope(options.endpoint)],
      ...(options.httpClient ? { httpClient: options.httpClient } : {}),
    });
    for (const p of options.extraPolicies ?? []) this.arm.pipeline.addPolicy(p);
    for (const p of options.attemptPolicies ?? []) this.arm.pipeline.addPolicy(p, { afterPhase: 'Sign' });
  }

  vaults(): readonly VaultRef[] {
    return this.served;
  }

  of(armId: string): AsrGateway {
    const vault = parseVaultId(armId);
    if (!vault) throw new UnknownVaultError(armId);
    return this.gateway(vault);
  }

  gateway(vault: VaultRef): SdkAsrGateway {
    const key = vaultKey(vault);
    let gateway = this.gateways.get(key);
    if (!gateway) {
      const known = this.served.find((v) => vaultKey(v) === key) ?? vault;
      gateway = new SdkAsrGateway({
        credential: this.options.credential,
        subscriptionId: known.subscriptionId,
        resourceGroup: known.resourceGroup,
        vault: known.name,
        location: known.location,
        endpoint: this.options.endpoint,
        extraPolicies: this.options.extraPolicies,
        attemptPolicies: this.options.attemptPolicies,
        httpClient: this.options.httpClient,
      });
      this.gateways.set(key, gateway);
    }
    return gateway;
  }

  access(): readonly VaultAccess[] {
    return this.served.flatMap((v) => this.lastAccess.get(vaultKey(v)) ?? []);
  }

  noteAccess(vault: VaultRef, error?: unknown): void {
    const message = error === undefined ? undefined : isFailbackError(error) ? error.userMessage : String(error);
    this.lastAccess.set(vaultKey(vault), {
      vault: tagOf(this.served.find((v) => vaultKey(v) === vaultKey(vault)) ?? vault),
      ok: error === undefined,
      at: new Date(this.options.now()).toISOString(),
      ...(message ? { error: message } : {}),
    });
  }

  /**
   * Reads what the configuration cannot say: each configured vault's region (and whether the
   * identity may read it), and the vaults of the discovery subscriptions. A vault that cannot be read
   * stays served — its line in /readyz, the modal and App Home says why — and discovery that fails
   * keeps the vaults found before.
   */
  async refresh(options?: CallOptions): Promise<void> {
    const endpoint = this.options.endpoint.replace(/\/+$/, '');
    const configured = await Promise.all(
      this.options.vaults.map(async (v) => {
        try {
          const res = await armGet<VaultResource>(
            this.arm,
            `${endpoint}${vaultArmId(v)}?api-version=${VAULTS_API}`,
            options,
          );
          this.noteAccess(v);
          return { ...v, ...(res.location ? { location: res.location } : {}) };
        } catch (e) {
          this.noteAccess(v, e);
          return this.served.find((s) => vaultKey(s) === vaultKey(v)) ?? v;
        }
      }),
    );
    const discovered: VaultRef[] = [];
    for (const sub of this.options.discoverIn ?? []) {
      try {
        const found = await armGetAll<VaultResource>(
          this.arm,
          `${endpoint}/subscriptions/${encodeURIComponent(sub)}/providers/Microsoft.RecoveryServices/vaults?api-version=${VAULTS_API}`,
          options,
        );
        for (const r of found) {
          const v = r.id ? parseVaultId(r.id) : undefined;
          if (v) discovered.push({ ...v, ...(r.location ? { location: r.location } : {}) });
        }
      } catch (e) {
        this.options.log.warn({ err: e, subscription: sub }, 'could not discover the vaults of a subscription');
        discovered.push(...this.served.filter((v) => v.subscriptionId.toLowerCase() === sub.toLowerCase()));
      }
    }
    const all = [...configured];
    for (const v of discovered) if (!all.some((w) => vaultKey(w) === vaultKey(v))) all.push(v);
    this.served = all;
    // A gateway made before the region was known is made again with it (they hold no state).
    for (const v of all) {
      const g = this.gateways.get(vaultKey(v));
      if (g && g.vaultTag.location !== v.location) this.gateways.delete(vaultKey(v));
    }
  }
}
