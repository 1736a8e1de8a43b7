/**
 * Fault injection: a list of armed faults, each used up after `times` hits. HTTP faults are
 * taken per request by the server; job faults are taken by the operations when they accept one.
 */
import type { Fault, FaultMatch, OperationKind } from './types';

interface Armed {
  readonly fault: Fault;
  left: number;
}

/** Operation POSTs (items and plans): the default match of drop-after-accept. */
const OPERATION_POST =
  /\/(replicationProtectedItems|replicationRecoveryPlans)\/[^/]+\/(unplannedFailover|plannedFailover|failoverCommit|reprotect)$/i;

function matches(
  match: FaultMatch | undefined,
  method: string,
  path: string,
  fallback: (method: string, path: string) => boolean,
): boolean {
  if (!match) return fallback(method, path);
  if (match.method && match.method.toUpperCase() !== method.toUpperCase()) return false;
  return typeof match.path === 'string' ? path.toLowerCase().includes(match.path.toLowerCase()) : match.path.test(path);
}

/** The armed faults of one emulator. */
export class FaultRegistry {
  private armed: Armed[] = [];

  /** Arms a fault. `times` defaults to 1, except latency (unlimited). */
  add(fault: Fault): void {
    const left = fault.times ?? (fault.kind === 'latency' ? Number.POSITIVE_INFINITY : 1);
    this.armed.push({ fault, left });
  }

  /** Disarms every fault. */
  clear(): void {
    this.armed = [];
  }

  /** The faults still armed, with how many hits each has left. */
  list(): { fault: Fault; left: number }[] {
    return this.armed.map((a) => ({ fault: a.fault, left: a.left }));
  }

  /** Takes a fault of `kind` that matches (using it up once), or undefined. */
  private take<K extends Fault['kind']>(
    kind: K,
    test: (f: Extract<Fault, { kind: K }>) => boolean,
  ): Extract<Fault, { kind: K }> | undefined {
    const found = this.armed.find(
      (a) => a.fault.kind === kind && a.left > 0 && test(a.fault as Extract<Fault, { kind: K }>),
    );
    if (!found) return undefined;
    found.left -= 1;
    this.armed = this.armed.filter((a) => a.left > 0);
    return found.fault as Extract<Fault, { kind: K }>;
  }

  /** HTTP faults for one request. */
  takeStatus(method: string, path: string) {
    return this.take('status', (f) => matches(f.match, method, path, () => false));
  }

  takeLatency(method: string, path: string) {
    return this.take('latency', (f) => matches(f.match, method, path, () => true));
  }

  takeDrop(method: string, path: string) {
    return this.take('drop-after-accept', (f) =>
      matches(f.match, method, path, (m, p) => m === 'POST' && OPERATION_POST.test(p)),
    );
  }

  takeSlowAnswer(method: string, path: string) {
    return this.take('slow-answer-after-accept', (f) =>
      matches(f.match, method, path, (m, p) => m === 'POST' && OPERATION_POST.test(p)),
    );
  }

  /** Job faults, decided when an operation is accepted. */
  takeJobFailure(operation: OperationKind, item: string) {
    return this.take('job-fails', (f) => f.operation === operation && (f.item === undefined || f.item === item));
  }

  takeJobSuspend(operation: OperationKind, item: string) {
    return this.take('job-suspends', (f) => f.operation === operation && (f.item === undefined || f.item === item));
  }

  takeShutdownFailure(item: string) {
    return this.take('shutdown-task-fails', (f) => f.item === undefined || f.item === item);
  }

  takeAgentNotRegistered(item: string) {
    return this.take('agent-not-registered', (f) => f.item === undefined || f.item === item);
  }
}
