import type { Run, RunVm } from '../../src/domain/run';
import { decide, type RunEvent } from '../../src/domain/run-machine';
import type { VmFacts } from '../../src/domain/vm';

export const T0 = '2026-11-28T10:00:00.000Z';

export function vmInRun(name: string, over: Partial<RunVm> = {}): RunVm {
  return { id: `/items/${name}`, name, failover: { status: 'pending' }, ...over };
}

export function aRun(over: Partial<Run> = {}): Run {
  return {
    id: 'FB-7',
    version: 1,
    createdAt: T0,
    requesterId: 'UREQ',
    channelId: 'CINC',
    incident: 'INC-1',
    reason: 'AVS is healthy again',
    recoveryPoint: { kind: 'latest' },
    vms: [vmInRun('app-01')],
    ...over,
  };
}

export function facts(name: string, over: Partial<VmFacts> = {}): VmFacts {
  return {
    id: `/items/${name}`,
    name,
    failback: { ready: true },
    pointChoices: ['latest', 'latest-app-consistent', 'specific'],
    points: { count: 3, latestCrashConsistent: T0, latestAppConsistent: T0 },
    ...over,
  };
}

/** Drives a run through the state machine; throws on an event it rejects. */
export function play(run: Run, ...events: RunEvent[]): Run {
  return events.reduce((r, e) => {
    const d = decide(r, e);
    if (!d.accepted) throw new Error(`rejected: ${d.reason}`);
    return d.run;
  }, run);
}
