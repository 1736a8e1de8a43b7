import { z } from 'zod';
import { DEFAULT_MAX_VMS_PER_RUN, MAX_VMS_PER_RUN_LIMIT } from './domain/preflight';
import { ConfigError } from './errors/config-error';
import { parseVaultId, vaultKey, type VaultRef } from './domain/vault';

export { ConfigError };

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
const SLACK_GROUP_ID = /^S[A-Z0-9]{2,}$/;
const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().trim().optional());
const requiredString = (what: string) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string({ error: `is required (${what})` })
      .trim()
      .min(1),
  );

const boolean = (dflt: boolean) =>
  z.preprocess(
    emptyToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .default(dflt ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  );

/** Positive durations; decimals are allowed so rehearsals and tests can run on short intervals. */
const count = (dflt: number, max: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(max, `must be at most ${max}`)
      .default(dflt),
  );

const duration = (dflt: number, max: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a number' })
      .positive('must be greater than 0')
      .max(max, `must be at most ${max}`)
      .default(dflt),
  );

const httpsUrl = (dflt: string) =>
  z.preprocess(
    emptyToUndefined,
    z
      .url({ error: 'must be a URL' })
      .default(dflt)
      .refine((u) => u.startsWith('https://') || u.startsWith('http://'), 'must be an http(s) URL'),
  );

const commaList = (pattern: RegExp, what: string) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s.length > 0)
        : v,
    z.array(z.string().regex(pattern, `entries must be ${what}`)),
  );

const schema = z.object({
  SLACK_BOT_TOKEN: requiredString('the bot token, xoxb-…'),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_MODE: z.preprocess(
    emptyToUndefined,
    z.enum(['socket', 'http'], { error: 'must be socket or http' }).optional(),
  ),
  PORT: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535, 'must be a port number').default(3000),
  ),
  SLACK_API_URL: httpsUrl('https://slack.com/api/'),
  REDIS_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default('redis://127.0.0.1:6379')
      .refine((u) => /^rediss?:\/\/|^unix:\/\//.test(u), 'must be a redis:// or rediss:// URL'),
  ),
  REDIS_CLUSTER: boolean(false),
  REDIS_AUTH: z.preprocess(
    emptyToUndefined,
    z.enum(['password', 'entra'], { error: 'must be password or entra' }).default('password'),
  ),
  REDIS_ENTRA_USER: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .regex(GUID, 'must be the object id (a GUID) of the bot’s managed identity or service principal')
      .optional(),
  ),
  REDIS_TLS_CA_FILE: optionalString,
  AZURE_SUBSCRIPTION_ID: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[0-9a-fA-F-]{36}$/, 'must be a subscription GUID')
      .optional(),
  ),
  AZURE_RESOURCE_GROUP: optionalString,
  AZURE_RECOVERY_VAULT: optionalString,
  AZURE_RECOVERY_VAULTS: z.preprocess(
    emptyToUndefined,
    commaList(
      /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.RecoveryServices\/vaults\/[^/]+$/i,
      'vault ARM ids (/subscriptions/{id}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name})',
    ).optional(),
  ),
  AZURE_VAULT_SUBSCRIPTIONS: z.preprocess(
    emptyToUndefined,
    commaList(/^[0-9a-fA-F-]{36}$/, 'subscription GUIDs').optional(),
  ),
  AZURE_VAULT_REFRESH_MINUTES: duration(15, 24 * 60),
  AZURE_ARM_ENDPOINT: httpsUrl('https://management.azure.com'),
  FAILBACK_APPROVERS: z.preprocess(
    emptyToUndefined,
    commaList(/^[UWS][A-Z0-9]{2,}$/, 'Slack user ids (U…, W…) or user-group ids (S…)').refine(
      (l) => l.length > 0,
      'needs at least one approver',
    ),
  ),
  FAILBACK_ALLOWED_CHANNELS: z.preprocess(
    emptyToUndefined,
    commaList(SLACK_CHANNEL_ID, 'Slack channel ids (C…, G…)').optional(),
  ),
  FAILBACK_REQUESTERS: z.preprocess(
    emptyToUndefined,
    commaList(/^[UWS][A-Z0-9]{2,}$/, 'Slack user ids (U…, W…) or user-group ids (S…)').optional(),
  ),
  FAILBACK_FOUR_EYES: boolean(true),
  FAILBACK_COMMIT_REMINDER_MINUTES: duration(15, 24 * 60),
  FAILBACK_RETENTION_DAYS: duration(90, 3650),
  FAILBACK_AUTO_REPROTECT: boolean(false),
  FAILBACK_DEFAULT_PROCESS_SERVER: optionalString,
  FAILBACK_MAX_VMS_PER_RUN: count(DEFAULT_MAX_VMS_PER_RUN, MAX_VMS_PER_RUN_LIMIT),
  FAILBACK_CHECKS_FILE: optionalString,
  FAILBACK_READINESS_DIGEST_CHANNEL: z.preprocess(
    emptyToUndefined,
    z.string().trim().regex(SLACK_CHANNEL_ID, 'must be a Slack channel id (C…, G…)').optional(),
  ),
  FAILBACK_READINESS_DIGEST_AT: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day in UTC, HH:MM (e.g. 07:30)')
      .default('07:30'),
  ),
  ASR_POLL_INTERVAL_SECONDS: duration(15, 3600),
  ASR_JOB_READS_PER_POLL: count(5, 1000),
  REPROTECT_RETRY_INTERVAL_SECONDS: duration(60, 3600),
  REPROTECT_RETRY_WINDOW_MINUTES: duration(20, 24 * 60),
  SHUTDOWN_TIMEOUT_SECONDS: duration(25, 600),
  JOB_LOCK_SECONDS: duration(30, 600),
  FAILBACK_ROLE: z.preprocess(
    emptyToUndefined,
    z.enum(['web', 'worker', 'all'], { error: 'must be web, worker or all' }).default('all'),
  ),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
  ),
});

/** Mode-dependent requirements, checked on the raw env so they are reported with every other problem. */
function modeProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const set = (k: string) => (env[k] ?? '').trim() !== '';
  const declared = (env.SLACK_MODE ?? '').trim();
  const mode = declared === 'socket' || declared === 'http' ? declared : set('SLACK_APP_TOKEN') ? 'socket' : 'http';
  const problems: string[] = [];
  if (mode === 'http' && !set('SLACK_SIGNING_SECRET')) problems.push('SLACK_SIGNING_SECRET is required in HTTP mode');
  if (mode === 'socket' && !set('SLACK_APP_TOKEN'))
    problems.push('SLACK_APP_TOKEN is required in Socket Mode (xapp-…)');
  if (/^(true|1|yes)$/.test((env.FAILBACK_AUTO_REPROTECT ?? '').trim()) && !set('FAILBACK_DEFAULT_PROCESS_SERVER')) {
    problems.push('FAILBACK_DEFAULT_PROCESS_SERVER is required when FAILBACK_AUTO_REPROTECT is true');
  }
  return problems;
}

/** Which vaults: the one-vault shorthand (all three variables), a list of vault ids, or discovery. */
function vaultProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const set = (k: string) => (env[k] ?? '').trim() !== '';
  const one = ['AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP', 'AZURE_RECOVERY_VAULT'] as const;
  const what: Record<(typeof one)[number], string> = {
    AZURE_SUBSCRIPTION_ID: 'the vault’s subscription id',
    AZURE_RESOURCE_GROUP: 'the vault’s resource group',
    AZURE_RECOVERY_VAULT: 'the Recovery Services vault name',
  };
  const others = set('AZURE_RECOVERY_VAULTS') || set('AZURE_VAULT_SUBSCRIPTIONS');
  const given = one.filter(set);
  // One vault by its three parts, unless the vaults are listed or discovered (then the three are optional, but whole).
  if (given.length === one.length || (others && given.length === 0)) return [];
  return one
    .filter((k) => !set(k))
    .map((k) =>
      others
        ? `${k} is required with the other two (${what[k]}), or leave all three empty`
        : `${k} is required (${what[k]}), unless AZURE_RECOVERY_VAULTS lists the vaults or AZURE_VAULT_SUBSCRIPTIONS discovers them`,
    );
}

/** How REDIS_URL, REDIS_CLUSTER, REDIS_AUTH and the CA file fit together. */
function redisProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const url = (env.REDIS_URL ?? '').trim();
  const problems: string[] = [];
  if (/^(true|1|yes)$/.test((env.REDIS_CLUSTER ?? '').trim()) && url.startsWith('unix://')) {
    problems.push('REDIS_URL must be a redis:// or rediss:// address of a cluster node when REDIS_CLUSTER is true');
  }
  if ((env.REDIS_AUTH ?? '').trim() === 'entra') {
    if ((env.REDIS_ENTRA_USER ?? '').trim() === '') {
      problems.push(
        'REDIS_ENTRA_USER is required when REDIS_AUTH is entra (the object id of the bot’s managed identity or service principal)',
      );
    }
    if (/^rediss?:\/\/[^/@]*:[^/@]*@/.test(url)) {
      problems.push('REDIS_URL must not carry a password when REDIS_AUTH is entra (the Entra token is the password)');
    }
  }
  if ((env.REDIS_TLS_CA_FILE ?? '').trim() !== '' && !url.startsWith('rediss://')) {
    problems.push('REDIS_TLS_CA_FILE needs a rediss:// REDIS_URL (TLS)');
  }
  return problems;
}

export interface Config {
  readonly slack: {
    readonly botToken: string;
    readonly signingSecret: string | undefined;
    readonly appToken: string | undefined;
    readonly mode: 'socket' | 'http';
    readonly apiUrl: string;
  };
  readonly port: number;
  readonly redisUrl: string;
  readonly redis: {
    /** REDIS_URL names one node of a Redis Cluster (Azure Managed Redis' OSS cluster policy). */
    readonly cluster: boolean;
    /** `entra`: a Microsoft Entra ID token (refreshed) is the password of the identity's object id. */
    readonly auth: { readonly kind: 'password' } | { readonly kind: 'entra'; readonly user: string };
    /** A PEM file of the CA(s) to trust for rediss:// (a private CA); default: the system's. */
    readonly tlsCaFile: string | undefined;
  };
  readonly azure: {
    /** The vaults named in the configuration (the one-vault shorthand first, then AZURE_RECOVERY_VAULTS). */
    readonly vaults: readonly VaultRef[];
    /** Subscriptions in which every Recovery Services vault the identity can read is served too. */
    readonly discoverIn: readonly string[];
    /** How often the discovered vaults (and every vault's region) are read again. */
    readonly refreshMs: number;
    readonly armEndpoint: string;
  };
  readonly policy: {
    readonly approverUsers: readonly string[];
    readonly approverGroups: readonly string[];
    readonly allowedChannels: readonly string[] | undefined;
    readonly fourEyes: boolean;
    /** Who may request a failback (user ids and user-group ids); undefined: everyone in an allowed channel. */
    readonly requesters: { readonly users: readonly string[]; readonly groups: readonly string[] } | undefined;
    /** Start the reprotect by itself after the commit, through this process server (name or id). */
    readonly autoReprotect: { readonly processServer: string } | undefined;
    /** The most VMs one run may fail back (a plan with more is refused; the request form allows no more). */
    readonly maxVmsPerRun: number;
  };
  /** FAILBACK_CHECKS_FILE: the application checks file (YAML), validated at start; undefined: no checks. */
  readonly checksFile: string | undefined;
  /** The daily readiness digest: to this channel at this time of day (UTC); undefined channel: none. */
  readonly readinessDigest: { readonly channel: string; readonly hour: number; readonly minute: number } | undefined;
  readonly timing: {
    readonly asrPollIntervalMs: number;
    /** Watched jobs read one by one per poll; beyond, one job list per poll says which ended. */
    readonly asrJobReadsPerPoll: number;
    readonly reprotectRetryIntervalMs: number;
    readonly reprotectRetryWindowMs: number;
    readonly shutdownTimeoutMs: number;
    /** A step whose process died is taken over by another worker after about this long. */
    readonly jobLockMs: number;
    /** The first reminder of a Commit that waits this long; later ones back off (doubling). */
    readonly commitReminderMs: number;
    /** A closed run and its audit trail are kept this long. */
    readonly retentionMs: number;
  };
  readonly role: 'web' | 'worker' | 'all';
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** The variables the bot reads, in the order the README documents them. */
export const CONFIG_VARIABLES = Object.keys(schema.shape) as readonly (keyof typeof schema.shape)[];

/**
 * Parses the environment into a frozen Config. Throws one ConfigError naming every bad or missing
 * variable, so an operator fixes them all in one go.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = schema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0] ?? 'environment')} ${i.message}`)),
    ...modeProblems(env),
    ...redisProblems(env),
    ...vaultProblems(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError([...new Set(problems)]);
  const e = parsed.data;
  const approvers = e.FAILBACK_APPROVERS;
  return deepFreeze({
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      mode: e.SLACK_MODE ?? (e.SLACK_APP_TOKEN ? 'socket' : 'http'),
      apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
    },
    port: e.PORT,
    redisUrl: e.REDIS_URL,
    redis: redisSettings(e),
    azure: {
      vaults: configuredVaults(e),
      discoverIn: e.AZURE_VAULT_SUBSCRIPTIONS ?? [],
      refreshMs: e.AZURE_VAULT_REFRESH_MINUTES * 60_000,
      armEndpoint: e.AZURE_ARM_ENDPOINT.replace(/\/+$/, ''),
    },
    policy: {
      approverUsers: approvers.filter((a) => SLACK_USER_ID.test(a)),
      approverGroups: approvers.filter((a) => SLACK_GROUP_ID.test(a)),
      allowedChannels: e.FAILBACK_ALLOWED_CHANNELS,
      fourEyes: e.FAILBACK_FOUR_EYES,
      requesters: e.FAILBACK_REQUESTERS && {
        users: e.FAILBACK_REQUESTERS.filter((a) => SLACK_USER_ID.test(a)),
        groups: e.FAILBACK_REQUESTERS.filter((a) => SLACK_GROUP_ID.test(a)),
      },
      autoReprotect:
        e.FAILBACK_AUTO_REPROTECT && e.FAILBACK_DEFAULT_PROCESS_SERVER
          ? { processServer: e.FAILBACK_DEFAULT_PROCESS_SERVER }
          : undefined,
      maxVmsPerRun: e.FAILBACK_MAX_VMS_PER_RUN,
    },
    checksFile: e.FAILBACK_CHECKS_FILE,
    readinessDigest: e.FAILBACK_READINESS_DIGEST_CHANNEL
      ? {
          channel: e.FAILBACK_READINESS_DIGEST_CHANNEL,
          hour: Number(e.FAILBACK_READINESS_DIGEST_AT.slice(0, 2)),
          minute: Number(e.FAILBACK_READINESS_DIGEST_AT.slice(3, 5)),
        }
      : undefined,
    timing: {
      asrPollIntervalMs: e.ASR_POLL_INTERVAL_SECONDS * 1000,
      asrJobReadsPerPoll: e.ASR_JOB_READS_PER_POLL,
      reprotectRetryIntervalMs: e.REPROTECT_RETRY_INTERVAL_SECONDS * 1000,
      reprotectRetryWindowMs: e.REPROTECT_RETRY_WINDOW_MINUTES * 60_000,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
      jobLockMs: e.JOB_LOCK_SECONDS * 1000,
      commitReminderMs: e.FAILBACK_COMMIT_REMINDER_MINUTES * 60_000,
      retentionMs: e.FAILBACK_RETENTION_DAYS * 24 * 3600_000,
    },
    role: e.FAILBACK_ROLE,
    logLevel: e.LOG_LEVEL,
  });
}

/** The shorthand's vault, then the listed ones, each once. */
function configuredVaults(e: z.infer<typeof schema>): VaultRef[] {
  const vaults: VaultRef[] = [];
  if (e.AZURE_SUBSCRIPTION_ID && e.AZURE_RESOURCE_GROUP && e.AZURE_RECOVERY_VAULT)
    vaults.push({
      subscriptionId: e.AZURE_SUBSCRIPTION_ID,
      resourceGroup: e.AZURE_RESOURCE_GROUP,
      name: e.AZURE_RECOVERY_VAULT,
    });
  for (const id of e.AZURE_RECOVERY_VAULTS ?? []) {
    const v = parseVaultId(id);
    if (v && !vaults.some((w) => vaultKey(w) === vaultKey(v))) vaults.push(v);
  }
  return vaults;
}

function redisSettings(e: z.infer<typeof schema>): Config['redis'] {
  return {
    cluster: e.REDIS_CLUSTER,
    auth:
      e.REDIS_AUTH === 'entra' && e.REDIS_ENTRA_USER
        ? { kind: 'entra', user: e.REDIS_ENTRA_USER }
        : { kind: 'password' },
    tlsCaFile: e.REDIS_TLS_CA_FILE,
  };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
