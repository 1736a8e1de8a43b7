/**
 * The standalone emulator (`npm run emulator`, the compose `sandbox` profile) as a bot in another
 * container sees it: every URL it hands out names the configured host, its certificate is valid for
 * that name, and a client that trusts nothing but the written CA file gets a token and reads the vault.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SCENARIO, SECOND_SCENARIO } from '../src';
import {
  EmulatorConfigError,
  type StandaloneEmulator,
  standaloneOptionsFromEnv,
  startStandaloneEmulator,
} from '../src/main';

const HOST = 'asr-emulator';

/** Resolves every name to loopback, like compose's DNS resolves the service name to the emulator's container. */
const toLoopback = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

interface Answer {
  readonly status: number;
  readonly body: string;
}

function get(url: string, options: https.RequestOptions = {}): Promise<Answer> {
  const transport = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.get(url, { lookup: toLoopback, agent: false, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

let dir: string;
let standalone: StandaloneEmulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emulator-main-'));
  standalone = await startStandaloneEmulator({
    port: 0,
    identityPort: 0,
    hostnames: [HOST, 'sandbox.example.test'],
    caFile: join(dir, 'shared', 'emulator-ca.pem'),
    identityHeader: 'compose-fixed-header',
  });
});

afterAll(async () => {
  await standalone?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('writes its CA to the file and hands out the environment a bot needs, naming the configured host', () => {
  expect(readFileSync(standalone.caFile, 'utf8')).toBe(standalone.emulator.caCertPem);
  const env = standalone.botEnv;
  expect(env.AZURE_ARM_ENDPOINT).toMatch(new RegExp(`^https://${HOST}:\\d+$`));
  expect(env.IDENTITY_ENDPOINT).toMatch(new RegExp(`^http://${HOST}:\\d+/msi/token$`));
  expect(env.IDENTITY_HEADER).toBe('compose-fixed-header');
  expect(env.NODE_EXTRA_CA_CERTS).toBe(standalone.caFile);
  expect([env.AZURE_SUBSCRIPTION_ID, env.AZURE_RESOURCE_GROUP, env.AZURE_RECOVERY_VAULT]).toEqual([
    DEFAULT_SCENARIO.subscriptionId,
    DEFAULT_SCENARIO.resourceGroup,
    DEFAULT_SCENARIO.vault,
  ]);
  expect(env.AZURE_RECOVERY_VAULTS).toBeUndefined();
});

it('serves the second vault too with EMULATOR_VAULTS=two, and lists both vaults for the bot', async () => {
  expect(standaloneOptionsFromEnv({ EMULATOR_VAULTS: 'two' }).vaults).toBe('two');
  expect(() => standaloneOptionsFromEnv({ EMULATOR_VAULTS: 'three' })).toThrow(
    /EMULATOR_VAULTS must be 'one' or 'two'/,
  );
  const two = await startStandaloneEmulator({
    port: 0,
    identityPort: 0,
    caFile: join(dir, 'two-ca.pem'),
    vaults: 'two',
  });
  try {
    expect(two.botEnv.AZURE_RECOVERY_VAULT).toBe(DEFAULT_SCENARIO.vault);
    expect(two.botEnv.AZURE_RECOVERY_VAULTS).toBe(`${DEFAULT_SCENARIO.vaultId},${SECOND_SCENARIO.vaultId}`);
    expect(two.emulator.item('ne-app-01')?.vault).toBe(SECOND_SCENARIO.vault);
  } finally {
    await two.stop();
  }
});

it('has a certificate for every configured name (and still for loopback), and only those', async () => {
  const altNames = new X509Certificate(readFileSync(standalone.caFile)).subjectAltName ?? '';
  for (const name of [`DNS:${HOST}`, 'DNS:sandbox.example.test', 'DNS:localhost', 'IP Address:127.0.0.1'])
    expect(altNames).toContain(name);
  // The TLS handshake itself checks the name: trusted for a configured one, refused for any other.
  const ca = readFileSync(standalone.caFile);
  const port = new URL(standalone.botEnv.AZURE_ARM_ENDPOINT!).port;
  expect((await get(`https://sandbox.example.test:${port}/`, { ca })).status).toBe(401);
  await expect(get(`https://not-the-emulator:${port}/`, { ca })).rejects.toMatchObject({
    code: 'ERR_TLS_CERT_ALTNAME_INVALID',
  });
});

it('gives a client that trusts only the CA file a token, and the vault’s replicated items for it, every page', async () => {
  const env = standalone.botEnv;
  const ca = readFileSync(standalone.caFile);
  // Without the CA the emulator is not trusted at all.
  await expect(get(`${env.AZURE_ARM_ENDPOINT}/`)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });

  expect(
    (await get(`${env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://management.azure.com`)).status,
  ).toBe(401);
  const tokenAnswer = await get(
    `${env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://management.azure.com`,
    {
      headers: { 'X-IDENTITY-HEADER': env.IDENTITY_HEADER },
    },
  );
  expect(tokenAnswer.status).toBe(200);
  const token = (JSON.parse(tokenAnswer.body) as { access_token: string }).access_token;

  // Small pages, so the nextLinks the emulator hands out (absolute URLs) are followed too.
  standalone.emulator.settings.pageSize = 3;
  const vault = `/subscriptions/${env.AZURE_SUBSCRIPTION_ID}/resourceGroups/${env.AZURE_RESOURCE_GROUP}/providers/Microsoft.RecoveryServices/vaults/${env.AZURE_RECOVERY_VAULT}`;
  let next: string | undefined = `${env.AZURE_ARM_ENDPOINT}${vault}/replicationProtectedItems?api-version=2023-06-01`;
  const names: string[] = [];
  let pages = 0;
  while (next) {
    const page = await get(next, { ca, headers: { Authorization: `Bearer ${token}` } });
    expect(page.status).toBe(200);
    const body = JSON.parse(page.body) as { value: { properties: { friendlyName: string } }[]; nextLink?: string };
    names.push(...body.value.map((i) => i.properties.friendlyName));
    next = body.nextLink;
    if (next) expect(new URL(next).hostname).toBe(HOST);
    pages += 1;
  }
  expect(pages).toBeGreaterThan(1);
  expect(names).toEqual(expect.arrayContaining([...DEFAULT_SCENARIO.readyVms, ...DEFAULT_SCENARIO.modernizedVms]));
  expect(names).toHaveLength(standalone.emulator.items().length);
});

it('reads its settings from EMULATOR_* variables and names every bad one', () => {
  expect(
    standaloneOptionsFromEnv({
      EMULATOR_HOST: '0.0.0.0',
      EMULATOR_PORT: '8443',
      EMULATOR_HOSTNAMES: 'asr-emulator, asr-emulator.local',
      EMULATOR_CA_FILE: '/app/sandbox-ca/emulator-ca.pem',
      EMULATOR_IDENTITY_HEADER: 'h',
    }),
  ).toEqual({
    host: '0.0.0.0',
    port: 8443,
    identityPort: undefined,
    hostnames: ['asr-emulator', 'asr-emulator.local'],
    caFile: '/app/sandbox-ca/emulator-ca.pem',
    identityHeader: 'h',
  });
  expect(() => standaloneOptionsFromEnv({ EMULATOR_PORT: 'https', EMULATOR_IDENTITY_PORT: '70000' })).toThrow(
    EmulatorConfigError,
  );
  expect(() => standaloneOptionsFromEnv({ EMULATOR_PORT: 'https', EMULATOR_IDENTITY_PORT: '70000' })).toThrow(
    /EMULATOR_PORT[\s\S]*EMULATOR_IDENTITY_PORT/,
  );
});
