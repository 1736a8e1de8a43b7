/**
 * The emulated vault on its own, for a bot in another process or container (the compose `sandbox`
 * profile): the ARM-compatible ASR emulator (HTTPS) and its managed-identity token endpoint, seeded
 * with the demo's vault, paced like `npm run sandbox`. It writes its self-signed CA certificate to a
 * file (the bot trusts it with NODE_EXTRA_CA_CERTS), prints the environment a bot needs, and stops
 * on SIGTERM / SIGINT.
 *
 *   npm run emulator            (from the repository root; it builds this package first)
 *   failback-asr-emulator       (this package's bin, once built: npm run build -w @failback/asr-emulator)
 *
 * Its own environment (not the bot's):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `EMULATOR_HOST` | `127.0.0.1` | listen address of both servers (`0.0.0.0` in a container) |
 * | `EMULATOR_PORT` | `8443` | ARM (HTTPS) port |
 * | `EMULATOR_IDENTITY_PORT` | `8081` | managed-identity endpoint (HTTP) port |
 * | `EMULATOR_HOSTNAMES` | — | comma list of names a bot reaches it by (e.g. `asr-emulator`): all go into the certificate (with `localhost` and `127.0.0.1`); the first is the host of the URLs it hands out (ARM endpoint, Azure-AsyncOperation, nextLink, IDENTITY_ENDPOINT). Default: `127.0.0.1` |
 * | `EMULATOR_CA_FILE` | `<tmpdir>/failback-emulator-ca.pem` | where the CA certificate is written |
 * | `EMULATOR_IDENTITY_HEADER` | random | the IDENTITY_HEADER a bot must send (fixed for compose) |
 * | `EMULATOR_VAULTS` | `one` | `two`: also the second vault (northeurope, another subscription); the bot's environment then lists both in `AZURE_RECOVERY_VAULTS` |
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startAsrEmulator, type AsrEmulator } from './index';
import { defaultVault, secondVault } from './scenario';
import { generateCertificate } from './tls';

export interface StandaloneEmulatorOptions {
  /** Listen address (default 127.0.0.1). */
  readonly host?: string;
  /** ARM HTTPS port; 0 = a free one (default 8443). */
  readonly port?: number;
  /** Identity endpoint port; 0 = a free one (default 8081). */
  readonly identityPort?: number;
  /** Names in the certificate; the first is the host of every URL handed out (default 127.0.0.1). */
  readonly hostnames?: readonly string[];
  /** Where the CA certificate is written (default in the OS temp dir). */
  readonly caFile?: string;
  /** Fixed IDENTITY_HEADER (default random). */
  readonly identityHeader?: string;
  /** `two`: the default vault and the second one (default `one`). */
  readonly vaults?: 'one' | 'two';
}

export interface StandaloneEmulator {
  readonly emulator: AsrEmulator;
  /** Path of the written CA certificate (PEM). */
  readonly caFile: string;
  /** What a bot process needs to use this vault (with NODE_EXTRA_CA_CERTS = caFile). */
  readonly botEnv: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** A bad EMULATOR_* value; names every offending variable. */
export class EmulatorConfigError extends Error {
  override readonly name = 'EmulatorConfigError';
}

export const DEFAULT_ARM_PORT = 8443;
export const DEFAULT_IDENTITY_PORT = 8081;

/** Starts the emulator as described in this module's header and writes its CA file. */
export async function startStandaloneEmulator(options: StandaloneEmulatorOptions = {}): Promise<StandaloneEmulator> {
  const hostnames = (options.hostnames ?? []).map((n) => n.trim()).filter((n) => n !== '');
  const publicHost = hostnames[0] ?? '127.0.0.1';
  const emulator = await startAsrEmulator({
    host: options.host,
    port: options.port ?? DEFAULT_ARM_PORT,
    identityPort: options.identityPort ?? DEFAULT_IDENTITY_PORT,
    publicHost,
    identityHeader: options.identityHeader,
    ...(options.vaults === 'two' ? { vaults: [defaultVault(), secondVault()] } : {}),
    tls: await generateCertificate(hostnames),
    // The pace of `npm run sandbox`: a person can follow each job, the agent window is visible.
    taskMs: 1500,
    agentRegistrationDelayMs: 20_000,
  });
  const caFile = options.caFile ?? join(tmpdir(), 'failback-emulator-ca.pem');
  try {
    mkdirSync(dirname(caFile), { recursive: true });
    writeFileSync(caFile, emulator.caCertPem);
  } catch (e) {
    await emulator.stop();
    throw e;
  }
  const botEnv = {
    AZURE_ARM_ENDPOINT: emulator.url,
    AZURE_SUBSCRIPTION_ID: emulator.vault.subscriptionId,
    AZURE_RESOURCE_GROUP: emulator.vault.resourceGroup,
    AZURE_RECOVERY_VAULT: emulator.vault.name,
    ...(emulator.vaults.length > 1 ? { AZURE_RECOVERY_VAULTS: emulator.vaults.map((v) => v.id).join(',') } : {}),
    IDENTITY_ENDPOINT: emulator.identity.endpoint,
    IDENTITY_HEADER: emulator.identity.header,
    NODE_EXTRA_CA_CERTS: caFile,
  };
  return { emulator, caFile, botEnv, stop: () => emulator.stop() };
}

/** Reads the EMULATOR_* variables (see the header); throws EmulatorConfigError naming each bad one. */
export function standaloneOptionsFromEnv(env: NodeJS.ProcessEnv): StandaloneEmulatorOptions {
  const bad: string[] = [];
  const text = (key: string) => {
    const v = env[key]?.trim();
    return v ? v : undefined;
  };
  const port = (key: string) => {
    const v = text(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (Number.isInteger(n) && n >= 0 && n <= 65535) return n;
    bad.push(`${key} must be a port number (0-65535), got '${v}'`);
    return undefined;
  };
  const vaults = (v: string | undefined) => {
    if (v === undefined || v === 'one' || v === 'two') return v;
    bad.push(`EMULATOR_VAULTS must be 'one' or 'two', got '${v}'`);
    return undefined;
  };
  const options: StandaloneEmulatorOptions = {
    host: text('EMULATOR_HOST'),
    port: port('EMULATOR_PORT'),
    identityPort: port('EMULATOR_IDENTITY_PORT'),
    hostnames: text('EMULATOR_HOSTNAMES')
      ?.split(',')
      .map((n) => n.trim())
      .filter((n) => n !== ''),
    caFile: text('EMULATOR_CA_FILE'),
    identityHeader: text('EMULATOR_IDENTITY_HEADER'),
    vaults: vaults(text('EMULATOR_VAULTS')),
  };
  if (bad.length > 0) throw new EmulatorConfigError(bad.join('\n'));
  return options;
}

async function main(): Promise<void> {
  const standalone = await startStandaloneEmulator(standaloneOptionsFromEnv(process.env));
  const { emulator } = standalone;
  process.stdout.write(
    `ASR emulator: ARM ${emulator.url}, managed identity ${emulator.identity.endpoint}, CA certificate ${standalone.caFile}.\n` +
      'Vault: classic app-01, db-01, web-01; modernized crm-01, crm-02; plans avs-failback-plan, avs-rcm-failback-plan.\n' +
      (emulator.vaults.length > 1
        ? 'Second vault (northeurope): classic ne-app-01, ne-db-01; modernized ne-crm-01; plan ne-failback-plan.\n'
        : '') +
      'A bot uses it with this environment:\n' +
      Object.entries(standalone.botEnv)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    standalone.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** The `failback-asr-emulator` command: starts the emulator from the environment; exits 2 on a bad EMULATOR_* value. */
export function runStandaloneEmulator(): void {
  main().catch((e: unknown) => {
    const detail =
      e instanceof EmulatorConfigError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(`ASR emulator failed to start:\n${detail}\n`);
    process.exit(e instanceof EmulatorConfigError ? 2 : 1);
  });
}

if (require.main === module) runStandaloneEmulator();
