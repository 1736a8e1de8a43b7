import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { parseVaultId } from '../domain/vault';

export const ARM_METRICS_POLICY = 'failbackArmMetrics';

/** What the policy reports about each HTTP attempt to ARM. */
export interface ArmRequestObserver {
  armRequest(request: ArmRequestFacts): void;
}

/** One HTTP attempt to ARM. */
export interface ArmRequestFacts {
  readonly method: string;
  readonly operation: string;
  readonly status: number | undefined;
  readonly seconds: number;
  /** The vault's name ('-' for a request outside one, like discovery), and its subscription. */
  readonly vault: string;
  readonly subscription: string;
}

const TYPE_SEGMENT = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/**
 * A bounded label for an ARM request: the resource types of its path, never its names (VM, job and
 * fabric names would make one series per VM). The path after the last `/providers/<namespace>/`
 * alternates type and name, with an action or child collection at the end:
 *   …/replicationProtectedItems/{vm}/unplannedFailover → `replicationProtectedItems/unplannedFailover`
 *   …/replicationProtectedItems/{vm}                   → `replicationProtectedItems/{name}`
 *   …/vaults/{vault}/replicationJobs                    → `vaults/replicationJobs`
 */
export function armOperation(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return 'other';
  }
  const segments = path.split('/').filter(Boolean);
  const providers = segments.map((s) => s.toLowerCase()).lastIndexOf('providers');
  if (providers < 0 || providers + 2 >= segments.length) return 'other';
  const rest = segments.slice(providers + 2);
  const types = rest.filter((_, i) => i % 2 === 0);
  if (!types.every((t) => TYPE_SEGMENT.test(t))) return 'other';
  const endsWithName = rest.length % 2 === 0;
  return endsWithName ? `${types.at(-1)}/{name}` : types.slice(-2).join('/');
}

/** The vault and subscription a request is about, for per-vault and per-subscription series (bounded by the estate). */
export function armScopeOf(url: string): { vault: string; subscription: string } {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return { vault: '-', subscription: '-' };
  }
  const vault = parseVaultId(path);
  const subscription = vault?.subscriptionId ?? /^\/subscriptions\/([^/]+)/i.exec(path)?.[1] ?? '-';
  return { vault: vault?.name ?? '-', subscription: subscription.toLowerCase() };
}

/**
 * Times every attempt sent to ARM (add it after the retry phase, so a 429 the SDK retries by
 * itself is still seen). A request that gets no response reports `status: undefined`.
 */
export function armMetricsPolicy(observer: ArmRequestObserver): PipelinePolicy {
  return {
    name: ARM_METRICS_POLICY,
    async sendRequest(request, next) {
      const started = performance.now();
      const report = (status: number | undefined) =>
        observer.armRequest({
          method: request.method,
          operation: armOperation(request.url),
          status,
          seconds: (performance.now() - started) / 1000,
          ...armScopeOf(request.url),
        });
      try {
        const response = await next(request);
        report(response.status);
        return response;
      } catch (e) {
        // A RestError with a response is an HTTP answer; anything else never got one.
        const status = (e as { response?: { status?: unknown } }).response?.status;
        report(typeof status === 'number' ? status : undefined);
        throw e;
      }
    },
  };
}
