/** What a route answers, and ARM's error body. */

/** A route's answer before the server writes it. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * An ARM error: `{ error: { code, message } }`. @azure/core-client copies `error.code` and
 * `error.message` into the RestError it throws, so callers see ASR's code and message.
 */
export function armError(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return { status, body: { error: { code, message } }, ...(headers ? { headers } : {}) };
}

export function ok(body: unknown): Reply {
  return { status: 200, body };
}
