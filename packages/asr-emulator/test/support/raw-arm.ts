import http from 'node:http';
import https from 'node:https';
import type { AsrEmulator } from '../../src';

/** An ARM answer as raw JSON. */
export interface RawAnswer {
  status: number;
  body: Record<string, unknown> & {
    properties?: Record<string, unknown>;
    value?: Record<string, unknown>[];
    nextLink?: string;
  };
}

function request(
  url: string,
  options: https.RequestOptions,
  secure: boolean,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(url, options, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A GET on the emulator, past the SDK: with a token from its managed-identity endpoint (or none), as
 * raw JSON; `pathAndQuery` may be a whole nextLink.
 */
export async function rawArm(emulator: AsrEmulator, pathAndQuery: string, withToken = true): Promise<RawAnswer> {
  let headers: Record<string, string> = {};
  if (withToken) {
    const token = await request(
      `${emulator.identity.endpoint}?api-version=2019-08-01&resource=https://management.azure.com`,
      { headers: { 'X-IDENTITY-HEADER': emulator.identity.header } },
      false,
    );
    headers = { Authorization: `Bearer ${(JSON.parse(token.text) as { access_token: string }).access_token}` };
  }
  const url = pathAndQuery.startsWith('https://') ? pathAndQuery : `${emulator.url}${pathAndQuery}`;
  const answer = await request(url, { ca: emulator.caCertPem, headers }, true);
  return { status: answer.status, body: JSON.parse(answer.text) as RawAnswer['body'] };
}
