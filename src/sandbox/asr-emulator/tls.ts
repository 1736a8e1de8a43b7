/** A self-signed TLS certificate for 127.0.0.1 and localhost, made at start. */
import { generate } from 'selfsigned';

export interface TlsMaterial {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * Generates a self-signed certificate valid for 7 days for `localhost` and `127.0.0.1`. It is its
 * own CA: a client trusts the emulator by trusting `certPem`.
 */
export async function generateLoopbackCertificate(): Promise<TlsMaterial> {
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
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}
