import type { CheckAttempt, CheckSpec } from '../domain/app-checks';
import { describeError, type Probe, probe as realProbe } from './probes';
import { Semaphore } from '../domain/semaphore';

export interface CheckRunnerOptions {
  /** Probes in flight at once across every call of this runner. */
  readonly concurrency: number;
  /** The probe; the real one unless a test injects another. */
  readonly probe?: Probe;
  /** Epoch ms; `Date.now` unless injected. */
  readonly now?: () => number;
}

/**
 * Runs checks' attempts with bounded concurrency. One runner per process (or per worker) makes the
 * bound hold across all the runs it serves.
 */
export class CheckRunner {
  private readonly slots: Semaphore;
  private readonly probe: Probe;
  private readonly now: () => number;

  constructor(options: CheckRunnerOptions) {
    this.slots = new Semaphore(options.concurrency);
    this.probe = options.probe ?? realProbe;
    this.now = options.now ?? Date.now;
  }

  /** Probes currently in flight. */
  get inFlight(): number {
    return this.slots.inUse;
  }

  /**
   * One attempt of each check, keyed by check name (names are unique per VM: see `checksFor`).
   * Never rejects: a probe that throws counts as a failed attempt.
   */
  async runOnce(
    definitions: readonly CheckSpec[],
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<Map<string, CheckAttempt>> {
    const attempts = await Promise.all(
      definitions.map(
        async (spec) => [spec.name, await this.slots.run(() => this.attempt(spec, options.signal))] as const,
      ),
    );
    return new Map(attempts);
  }

  private async attempt(spec: CheckSpec, signal: AbortSignal | undefined): Promise<CheckAttempt> {
    const at = this.now();
    try {
      return await this.probe(spec, { now: this.now, ...(signal ? { signal } : {}) });
    } catch (e) {
      return { at: new Date(at).toISOString(), ok: false, evidence: { error: describeError(e) } };
    }
  }
}
