/** A fault that applies to one Web API method (or `*` for all). */
interface MethodFault {
  rateLimit?: { remaining: number; retryAfterSeconds: number };
  latencyMs?: number;
  error?: { remaining: number; error: string };
}

/**
 * Fault injection for the Web API stand-in: rate limits (HTTP 429 + Retry-After, as Slack sends),
 * latency and Slack errors, per method.
 */
export class StandInFaults {
  private readonly byMethod = new Map<string, MethodFault>();

  /** The next `times` calls to `method` (or `*`) answer 429 with `Retry-After: retryAfterSeconds`. */
  rateLimit(method: string, times: number, retryAfterSeconds = 1): void {
    this.fault(method).rateLimit = { remaining: times, retryAfterSeconds };
  }

  /** Every call to `method` (or `*`) waits `ms` before it is answered; 0 removes it. */
  latency(method: string, ms: number): void {
    this.fault(method).latencyMs = ms;
  }

  /** The next `times` calls to `method` answer `{ ok: false, error }`. */
  error(method: string, error: string, times = 1): void {
    this.fault(method).error = { remaining: times, error };
  }

  /** Removes every fault. */
  clear(): void {
    this.byMethod.clear();
  }

  /** Consumes and returns the fault that applies to this call, if any. */
  take(method: string): { retryAfterSeconds?: number; latencyMs: number; error?: string } {
    const result: { retryAfterSeconds?: number; latencyMs: number; error?: string } = { latencyMs: 0 };
    for (const key of [method, '*']) {
      const f = this.byMethod.get(key);
      if (!f) continue;
      result.latencyMs = Math.max(result.latencyMs, f.latencyMs ?? 0);
      if (result.retryAfterSeconds === undefined && f.rateLimit && f.rateLimit.remaining > 0) {
        f.rateLimit.remaining -= 1;
        result.retryAfterSeconds = f.rateLimit.retryAfterSeconds;
      } else if (
        result.error === undefined &&
        result.retryAfterSeconds === undefined &&
        f.error &&
        f.error.remaining > 0
      ) {
        f.error.remaining -= 1;
        result.error = f.error.error;
      }
    }
    return result;
  }

  private fault(method: string): MethodFault {
    let f = this.byMethod.get(method);
    if (!f) {
      f = {};
      this.byMethod.set(method, f);
    }
    return f;
  }
}
