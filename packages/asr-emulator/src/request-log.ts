/** The log of every ARM request the emulator received. */
import { OPERATION_KINDS, type OperationKind, type RequestRecord } from './types';

const OPERATION_POST = /\/(?:replicationProtectedItems|replicationRecoveryPlans)\/[^/]+\/([^/]+)$/i;

/** Every request, in arrival order, with helpers for the questions tests ask. */
export class RequestLog {
  private readonly records: RequestRecord[] = [];

  /** All requests so far (a copy). */
  all(): RequestRecord[] {
    return [...this.records];
  }

  add(record: RequestRecord): void {
    this.records.push(record);
  }

  /**
   * The POSTs of item and recovery-plan operations that reached the server (whatever they were
   * answered, including those whose answer was dropped), optionally of one kind. A plan's POST
   * path contains `/replicationRecoveryPlans/`.
   */
  operationPosts(kind?: OperationKind): RequestRecord[] {
    return this.records.filter((r) => {
      if (r.method !== 'POST') return false;
      const op = OPERATION_POST.exec(r.path)?.[1]?.toLowerCase();
      const known = OPERATION_KINDS.find((k) => k.toLowerCase() === op);
      return known !== undefined && (kind === undefined || known === kind);
    });
  }

  /** Forgets everything. */
  clear(): void {
    this.records.length = 0;
  }
}
