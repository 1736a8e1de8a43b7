import { isRestError } from '@azure/core-rest-pipeline';
import { AsrOutcomeUnknownError, AsrRefusedError, AsrTransientError, isFailbackError } from '../errors';

const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);

function retryAfterMs(e: unknown): number | undefined {
  if (!isRestError(e)) return undefined;
  const h = e.response?.headers.get('retry-after');
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return s * 1000;
  const at = Date.parse(h);
  // An HTTP-date Retry-After is measured against this machine's real clock, as the server meant it.
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** Maps an error from a read (GET) to our typed errors. */
export function mapReadError(e: unknown): Error {
  if (isFailbackError(e)) return e;
  if (isRestError(e)) {
    const status = e.statusCode;
    if (status === undefined || TRANSIENT_STATUS.has(status)) {
      return new AsrTransientError(`ARM read failed: ${e.message}`, retryAfterMs(e), { cause: e });
    }
    return new AsrRefusedError(e.code ?? String(status), e.message, status, { cause: e });
  }
  return new AsrTransientError(`ARM read failed: ${String((e as Error)?.message ?? e)}`, undefined, { cause: e });
}

/**
 * Maps an error from an operation POST. A 4xx other than 408/429 means ASR did not start it
 * (refused, with ASR's message). 429 means it was not accepted either (transient). Anything else —
 * 5xx, a timeout, a dropped connection — leaves the outcome unknown: the caller must read the item
 * before it may issue again.
 */
export function mapOperationError(e: unknown): Error {
  if (isFailbackError(e)) return e;
  if (isRestError(e) && e.statusCode !== undefined) {
    const status = e.statusCode;
    if (status === 429)
      return new AsrTransientError(`ARM throttled the operation: ${e.message}`, retryAfterMs(e), { cause: e });
    if (status >= 400 && status < 500 && status !== 408) {
      return new AsrRefusedError(e.code ?? String(status), e.message, status, { cause: e });
    }
  }
  return new AsrOutcomeUnknownError(`Operation outcome unknown: ${String((e as Error)?.message ?? e)}`, { cause: e });
}
