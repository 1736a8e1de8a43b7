import type { CheckEvidence } from '../domain/app-checks';

/** What one kind of probe found; the attempt adds its time and latency. */
export interface ProbeOutcome {
  readonly ok: boolean;
  readonly evidence: Omit<CheckEvidence, 'latencyMs'>;
}
