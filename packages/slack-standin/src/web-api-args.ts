import { SlackApiRefusal } from './errors';
import type { JsonObject } from './types';

/**
 * Reading Web API arguments the way Slack does: @slack/web-api sends form-encoded fields and
 * JSON-encodes every object/array (`blocks`, `view`, `files`), so they arrive as strings; a JSON
 * body (other clients) arrives already parsed. Both are accepted.
 */

/** A required string argument; missing or empty → `invalid_arguments`. */
export function requireString(args: JsonObject, name: string): string {
  const value = args[name];
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value === '') {
    throw new SlackApiRefusal('invalid_arguments', {
      response_metadata: { messages: [`[ERROR] missing required field: ${name}`] },
    });
  }
  return value;
}

/** An optional string argument. */
export function optionalString(args: JsonObject, name: string): string | undefined {
  const value = args[name];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An optional boolean argument (`true`/`1` as form strings). */
export function optionalBoolean(args: JsonObject, name: string): boolean | undefined {
  const value = args[name];
  if (value === undefined || value === '') return undefined;
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** An optional JSON argument: string → parsed; parse failure → `refusal` (e.g. invalid_blocks_format). */
export function optionalJson(args: JsonObject, name: string, refusal: string): unknown {
  const value = args[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new SlackApiRefusal(refusal, { response_metadata: { messages: [`[ERROR] ${name} is not valid JSON`] } });
  }
}

/** An optional JSON array of objects (`blocks`, `attachments`). */
export function optionalObjectArray(args: JsonObject, name: string, refusal: string): JsonObject[] | undefined {
  const value = optionalJson(args, name, refusal);
  if (value === undefined) return undefined;
  if (!Array.isArray(value))
    throw new SlackApiRefusal(refusal, { response_metadata: { messages: [`[ERROR] ${name} must be an array`] } });
  return value as JsonObject[];
}

/** A required JSON object (`view`). */
export function requireObject(args: JsonObject, name: string, refusal: string): JsonObject {
  const value = optionalJson(args, name, refusal);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SlackApiRefusal(value === undefined ? 'invalid_arguments' : refusal, {
      response_metadata: { messages: [`[ERROR] missing or invalid field: ${name}`] },
    });
  }
  return value as JsonObject;
}

/** The `invalid_blocks` refusal with Slack's error list. */
export function refuseBlocks(errors: string[]): never {
  throw new SlackApiRefusal('invalid_blocks', {
    errors,
    response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) },
  });
}
