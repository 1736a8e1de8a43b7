/** A self-signed TLS certificate for the emulator (127.0.0.1 and localhost, plus any names asked for), made at start. */
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  readonly certPem: string;
  readonly keyPem: string;
}

/** The names every certificate carries: what a client on the same host uses. */
export const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1'];

/**
 * Generates a self-signed certificate valid for 7 days for `localhost`, `127.0.0.1` and each of
 * `extraNames` (DNS names or IP addresses, e.g. `asr-emulator`, the compose service a bot in another
 * container reaches). It is its own CA: a client trusts the emulator by trusting `certPem`.
 */
export async function generateCertificate(extraNames: readonly string[] = []): Promise<TlsMaterial> {
  const names = [...new Set([...LOOPBACK_NAMES, ...extraNames.map((n) => n.trim()).filter((n) => n !== '')])];
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 7 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      // type 2 = dNSName, type 7 = iPAddress (RFC 5280 GeneralName).
      { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}

/** A certificate for `localhost` and `127.0.0.1` only. */
export function generateLoopbackCertificate(): Promise<TlsMaterial> {
  return generateCertificate();
}
