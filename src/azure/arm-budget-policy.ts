import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { armScopeOf } from '../observability/arm-metrics-policy';

export const ARM_BUDGET_POLICY = 'failbackArmBudget';

/**
 * ARM limits reads per subscription and principal (a token bucket: about 250 at once, refilled by 25
 * a second per region). The bot's own budget stays well inside it whatever the estate: every read
 * to one subscription — from any vault, the watcher, the forms — takes a token from that
 * subscription's bucket, and waits for one when none is left. Writes are never held: they are few,
 * and an operation must not wait behind a burst of reads.
 */
export class ArmReadBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly options: {
      /** Reads a second per subscription, sustained. */
      readonly perSecond: number;
      /** Reads at once per subscription (the bucket's size). */
      readonly burst: number;
      readonly now?: () => number;
    },
  ) {}

  /** Milliseconds to wait before a read of `subscription` may go (0: at once); the token is taken. */
  take(subscription: string): number {
    const now = (this.options.now ?? Date.now)();
    const b = this.buckets.get(subscription) ?? { tokens: this.options.burst, at: now };
    b.tokens = Math.min(this.options.burst, b.tokens + ((now - b.at) / 1000) * this.options.perSecond);
    b.at = now;
    b.tokens -= 1;
    this.buckets.set(subscription, b);
    return b.tokens >= 0 ? 0 : Math.ceil((-b.tokens / this.options.perSecond) * 1000);
  }

  /** The pipeline policy that holds reads to the budget (add it before the SDK's retry phase). */
  policy(): PipelinePolicy {
    return {
      name: ARM_BUDGET_POLICY,
      sendRequest: async (request, next) => {
        if (request.method === 'GET') {
          const wait = this.take(armScopeOf(request.url).subscription);
          if (wait > 0) await sleep(wait, request.abortSignal as Abortable | undefined);
        }
        return next(request);
      },
    };
  }
}

type Abortable = Pick<AbortSignal, 'addEventListener' | 'removeEventListener'>;

function sleep(ms: number, signal: Abortable | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(new Error('the ARM read was aborted while it waited for the read budget'));
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** The bot's default: inside ARM's refill rate (25 a second) and bucket (250), with room for other tools of the identity. */
export const DEFAULT_ARM_READ_BUDGET = { perSecond: 20, burst: 200 } as const;
