import type { IncomingMessage } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { JsonObject } from './types';

/** Reads a request body fully. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Parses a Web API request body: form-encoded (what @slack/web-api sends), JSON, or multipart
 * (what it sends when an argument is binary). Multipart file parts come back as Buffers.
 */
export async function parseApiBody(contentType: string | undefined, raw: Buffer): Promise<JsonObject> {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length === 0) return {};
  if (type === 'application/json') {
    const parsed = JSON.parse(raw.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JsonObject) : {};
  }
  if (type === 'multipart/form-data') {
    // Node's fetch Request parses multipart bodies for us.
    const form = await new Request('http://stand-in.local/', {
      method: 'POST',
      headers: { 'content-type': contentType ?? '' },
      body: raw,
    }).formData();
    const out: JsonObject = {};
    for (const [key, value] of form.entries()) {
      out[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
    }
    return out;
  }
  const query = parseQuery(raw.toString('utf8'));
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(query)) out[key] = Array.isArray(value) ? value[value.length - 1] : value;
  return out;
}

/** The token of a Web API call: `Authorization: Bearer …` wins over a `token` field, as in Slack. */
export function tokenOf(req: IncomingMessage, args: JsonObject): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  return typeof args.token === 'string' ? args.token : undefined;
}
