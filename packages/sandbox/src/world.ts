import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import pino from 'pino';
import {
  defaultVault,
  secondVault,
  startAsrEmulator,
  trustEmulatorPolicy,
  type AsrEmulator,
  type EmulatorOptions,
  type VaultInfo,
} from '@failback/asr-emulator';
import { startSlackStandIn, type SlackStandIn } from '@failback/slack-standin';
import { loadConfig, startRuntime, type Config, type Runtime, type RuntimeOptions } from './product';
import { startRedisServer, type RedisServerHandle } from './redis-server';

/** The people of the sandbox workspace. */
export const PEOPLE = {
  requester: { id: 'U0RILEY', name: 'riley' },
  approver: { id: 'U0ALEX', name: 'alex' },
  groupApprover: { id: 'U0SAM', name: 'sam' },
  bystander: { id: 'U0JO', name: 'jo' },
} as const;
export const APPROVER_GROUP = 'S0DRLEADS';
export const INCIDENT_CHANNEL = 'C0INCIDENT';
/** A second channel the bot is in (App Home requests may choose it). */
export const SECOND_CHANNEL = 'C0SECOND';

export const SANDBOX_BOT_TOKEN = 'xoxb-sandbox-not-a-secret';
export const SANDBOX_SIGNING_SECRET = 'sandbox-signing-secret-not-a-secret';

export interface SandboxWorld {
  readonly emulator: AsrEmulator;
  readonly slack: SlackStandIn;
  readonly redisUrl: string;
  /** The emulated vaults, the default one (AZURE_SUBSCRIPTION_ID / AZURE_RESOURCE_GROUP / AZURE_RECOVERY_VAULT) first. */
  readonly vaults: readonly VaultInfo[];
  /** Environment a bot process needs to run against this world (also what `config` was built from). */
  readonly env: Record<string, string>;
  readonly config: Config;
  /** Starts a bot (in this process) on the world; stop it with `runtime.stop()`. */
  startBot(options?: Partial<RuntimeOptions>): Promise<Runtime>;
  stop(): Promise<void>;
}

/**
 * How the emulated ARM behaves. `slow` is what real ARM is like on a bad day: hundreds of ms per
 * read, small pages, and a 429 with Retry-After every few reads. The integration suite runs under
 * both (`SANDBOX_ARM_PROFILE=slow`).
 */
export type ArmProfile = 'fast' | 'slow';
const ARM_PROFILES: Record<ArmProfile, EmulatorOptions> = {
  fast: {},
  slow: { latencyMs: 250, pageSize: 3, throttle: { readEvery: 7, retryAfterSeconds: 1 } },
};

/**
 * The estate: `one` vault (the default scenario), or `two` — the default vault and the second one
 * (northeurope, another subscription: SECOND_SCENARIO), both listed in AZURE_RECOVERY_VAULTS.
 */
export type SandboxVaults = 'one' | 'two';

export interface SandboxWorldOptions {
  /**
   * Default: `SANDBOX_VAULTS` from the environment (`two`), else `one`. With 'two', `emulator.vault`
   * (if given) replaces the default vault as the first; `emulator.vaults` (if given) wins.
   */
  readonly vaults?: SandboxVaults;
  readonly emulator?: EmulatorOptions;
  /** Default: `SANDBOX_ARM_PROFILE` from the environment, else `fast`. */
  readonly armProfile?: ArmProfile;
  /** Use this Redis instead of starting a private redis-server. */
  readonly redisUrl?: string;
  /** Extra or overriding bot environment (e.g. FAILBACK_FOUR_EYES). */
  readonly env?: Record<string, string>;
  readonly log?: Logger;
  /** Redis/BullMQ prefix of this world's bot(s). */
  readonly prefix?: string;
}

/**
 * A whole rehearsal world on loopback: the emulated vault (HTTPS + managed identity), the Slack
 * stand-in with a requester, approvers and a bystander, and Redis. Used by `npm run demo`, the
 * integration tests and the benchmark, so they all exercise the same wiring as production.
 */
export async function startSandboxWorld(options: SandboxWorldOptions = {}): Promise<SandboxWorld> {
  const log = options.log ?? pino({ level: 'silent' });
  let redis: RedisServerHandle | undefined;
  const redisUrl = options.redisUrl ?? (redis = await startRedisServer()).url;
  const profile = options.armProfile ?? (process.env.SANDBOX_ARM_PROFILE === 'slow' ? 'slow' : 'fast');
  const emulator = await startAsrEmulator(emulatorOptions(profile, options));
  const slack = await startSlackStandIn({
    botToken: SANDBOX_BOT_TOKEN,
    signingSecret: SANDBOX_SIGNING_SECRET,
    users: Object.values(PEOPLE).map((p) => ({ id: p.id, name: p.name })),
    channels: { [INCIDENT_CHANNEL]: 'incident-avs', [SECOND_CHANNEL]: 'war-room' },
    userGroups: { [APPROVER_GROUP]: [PEOPLE.groupApprover.id] },
  });
  // The bot finds the emulator's managed identity the way it finds Azure's: through the environment.
  process.env.IDENTITY_ENDPOINT = emulator.identity.endpoint;
  process.env.IDENTITY_HEADER = emulator.identity.header;
  const caDir = mkdtempSync(join(tmpdir(), 'failback-ca-'));
  const caFile = join(caDir, 'emulator-ca.pem');
  writeFileSync(caFile, emulator.caCertPem);

  const env = botEnv(emulator, slack, redisUrl, caFile, options.env);
  const config = loadConfig(env);
  return {
    emulator,
    slack,
    redisUrl,
    vaults: emulator.vaults,
    env,
    config,
    async startBot(overrides = {}) {
      const runtime = await startRuntime(config, {
        log,
        prefix: options.prefix,
        azurePolicies: [trustEmulatorPolicy(emulator.caCertPem)],
        minCardIntervalMs: 100,
        ...overrides,
      });
      slack.botUrl = `http://127.0.0.1:${runtime.port}/slack/events`;
      return runtime;
    },
    async stop() {
      await slack.stop();
      await emulator.stop();
      await redis?.stop();
    },
  };
}

/** The emulator's options: the ARM profile, the caller's options, and with `vaults: 'two'` both vaults. */
function emulatorOptions(profile: ArmProfile, options: SandboxWorldOptions): EmulatorOptions {
  const base: EmulatorOptions = { ...ARM_PROFILES[profile], ...options.emulator };
  const vaults = options.vaults ?? (process.env.SANDBOX_VAULTS === 'two' ? 'two' : 'one');
  if (vaults === 'one' || base.vaults) return base;
  const { vault, ...rest } = base;
  const now = base.now ?? Date.now;
  return { ...rest, vaults: [vault ?? defaultVault(now()), secondVault(now())] };
}

/** The bot's environment on this world; AZURE_RECOVERY_VAULTS (the vaults' ARM ids) when there are several vaults. */
function botEnv(
  emulator: AsrEmulator,
  slack: SlackStandIn,
  redisUrl: string,
  caFile: string,
  overrides: Record<string, string> | undefined,
): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: SANDBOX_BOT_TOKEN,
    SLACK_SIGNING_SECRET: SANDBOX_SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    REDIS_URL: redisUrl,
    AZURE_SUBSCRIPTION_ID: emulator.vault.subscriptionId,
    AZURE_RESOURCE_GROUP: emulator.vault.resourceGroup,
    AZURE_RECOVERY_VAULT: emulator.vault.name,
    ...(emulator.vaults.length > 1 ? { AZURE_RECOVERY_VAULTS: emulator.vaults.map((v) => v.id).join(',') } : {}),
    AZURE_ARM_ENDPOINT: emulator.url,
    // riley is an approver too: four-eyes still keeps them from committing their own run.
    FAILBACK_APPROVERS: `${PEOPLE.approver.id},${PEOPLE.requester.id},${APPROVER_GROUP}`,
    FAILBACK_ALLOWED_CHANNELS: INCIDENT_CHANNEL,
    ASR_POLL_INTERVAL_SECONDS: '0.2',
    JOB_LOCK_SECONDS: '2',
    REPROTECT_RETRY_INTERVAL_SECONDS: '0.5',
    LOG_LEVEL: 'silent',
    IDENTITY_ENDPOINT: emulator.identity.endpoint,
    IDENTITY_HEADER: emulator.identity.header,
    NODE_EXTRA_CA_CERTS: caFile,
    ...overrides,
  };
}
