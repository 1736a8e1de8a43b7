/**
 * A managed-identity token endpoint speaking the App Service protocol, which @azure/identity 4.x
 * (through @azure/msal-node) uses when `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set:
 * `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://management.azure.com`
 * with the header `X-IDENTITY-HEADER: {IDENTITY_HEADER}` (plus `client_id`/`mi_res_id`/`principal_id`
 * for a user-assigned identity). It answers `{ access_token, expires_on, resource, token_type, client_id }`,
 * `expires_on` in epoch seconds (as a string, like App Service).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IdentityEndpoint {
  /** Value for `IDENTITY_ENDPOINT`, e.g. http://127.0.0.1:PORT/msi/token */
  readonly endpoint: string;
  /** Value for `IDENTITY_HEADER`. */
  readonly header: string;
  /** True when `token` was issued by an emulator of this process and has not expired. */
  isValid(token: string): boolean;
  /** Every token request seen (resource and whether it was answered 200). */
  readonly requests: { resource: string; status: number }[];
  stop(): Promise<void>;
}

const TOKEN_LIFETIME_S = 3600;

/** The identity the emulator's tokens stand for: its client (application) id and its object (principal) id. */
export const IDENTITY = {
  clientId: '00000000-0000-0000-0000-00000000c11e',
  objectId: '00000000-0000-0000-0000-0000000000b1',
} as const;

/**
 * Tokens are signed with a key of this process, so every emulator started in it accepts them:
 * msal-node caches managed-identity tokens process-wide, across credentials, so a bot rebuilt
 * against a fresh emulator in the same process (tests, rehearsals) presents a token it got earlier.
 */
const SIGNING_KEY = randomBytes(32);

function sign(payload: string): string {
  return createHmac('sha256', SIGNING_KEY).update(payload).digest('hex');
}

function issueToken(counter: number, expiresOn: number): string {
  const payload = `emulator-token.${counter}.${expiresOn}.${randomBytes(8).toString('hex')}`;
  return `${payload}.${sign(payload)}`;
}

function verifyToken(token: string): boolean {
  const cut = token.lastIndexOf('.');
  if (cut < 0) return false;
  const payload = token.slice(0, cut);
  const given = Buffer.from(token.slice(cut + 1), 'hex');
  const expected = Buffer.from(sign(payload), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  const expiresOn = Number(payload.split('.')[2]);
  return Number.isFinite(expiresOn) && expiresOn * 1000 > Date.now();
}

export interface IdentityEndpointOptions {
  /** Listen address (default 127.0.0.1). */
  readonly host?: string;
  /** Port (default 0: a free one). */
  readonly port?: number;
  /** Host name in `endpoint` (default 127.0.0.1). */
  readonly publicHost?: string;
  /** The expected X-IDENTITY-HEADER (default: random). */
  readonly header?: string;
}

/** Starts the token endpoint (plain HTTP, like App Service's), by default on a free loopback port. */
export async function startIdentityEndpoint(options: IdentityEndpointOptions = {}): Promise<IdentityEndpoint> {
  const header = options.header ?? randomBytes(16).toString('hex');
  // Token expiry uses the real clock: msal-node compares expires_on with Date.now().
  const requests: { resource: string; status: number }[] = [];
  let counter = 0;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const resource = url.searchParams.get('resource') ?? '';
    const send = (status: number, body: unknown) => {
      requests.push({ resource, status });
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || url.pathname !== '/msi/token')
      return send(404, { error: 'not_found', error_description: 'Unknown path' });
    if (req.headers['x-identity-header'] !== header)
      return send(401, {
        error: 'unauthorized_client',
        error_description: 'The X-IDENTITY-HEADER header is missing or wrong.',
      });
    if (!resource)
      return send(400, { error: 'invalid_request', error_description: 'The resource query parameter is required.' });
    counter += 1;
    const expiresOn = Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_S;
    const token = issueToken(counter, expiresOn);
    return send(200, {
      access_token: token,
      expires_on: String(expiresOn),
      resource,
      token_type: 'Bearer',
      client_id: IDENTITY.clientId,
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${options.publicHost ?? '127.0.0.1'}:${port}/msi/token`,
    header,
    requests,
    isValid: verifyToken,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
