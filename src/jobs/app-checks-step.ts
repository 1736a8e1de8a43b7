import type { Logger } from 'pino';
import {
  checksFor,
  initialCheckState,
  summarizeChecks,
  type CheckAttempt,
  type ChecksConfig,
} from '../domain/app-checks';
import type { Run, RunVm } from '../domain/run';
import type { RunEvent } from '../domain/run-machine';
import type { CheckRunner } from '../checks';
import type { RunStore } from '../store/run-store';

export interface ChecksStepDeps {
  readonly store: Pick<RunStore, 'get'>;
  readonly change: (runId: string, event: RunEvent) => Promise<unknown>;
  readonly config: ChecksConfig;
  readonly runner: CheckRunner;
  readonly now: () => number;
  readonly log: Logger;
  readonly signal?: AbortSignal | undefined;
}

/** What the next round of a VM's checks should be: none (settled, or no longer of use), or after `delayMs`. */
export type ChecksRound =
  { readonly again: false } | { readonly again: true; readonly delayMs: number; readonly round: number };

const stillMatters = (run: Run, vm: RunVm) => !run.closedAt && !run.commit && vm.failover.status === 'succeeded';

/**
 * One round of a VM's application checks: the first round records which checks apply (from the
 * checks file: the VM's name, or the run's recovery plan), then each round tries the checks not
 * settled yet and records what they answered. Rounds go on every `intervalMs` until every check has
 * passed or its window (from the VM's failover end) is over — or the commit is approved.
 * Targets come from the file only: nothing a person typed becomes a URL or a host.
 */
export async function runChecksRound(deps: ChecksStepDeps, runId: string, vmId: string): Promise<ChecksRound> {
  let run = await deps.store.get(runId);
  let vm = run?.vms.find((v) => v.id === vmId);
  if (!run || !vm || !stillMatters(run, vm)) return { again: false };
  const definitions = checksFor(deps.config, { name: vm.name }, run.plan ? [run.plan.name] : []);
  if (definitions.length === 0) return { again: false };
  if (!vm.checks) {
    const startedAt = vm.failover.endedAt ?? new Date(deps.now()).toISOString();
    await deps.change(runId, {
      type: 'checks-started',
      vmId,
      at: new Date(deps.now()).toISOString(),
      checks: definitions.map((d) => initialCheckState(d, startedAt)),
    });
    run = await deps.store.get(runId);
    vm = run?.vms.find((v) => v.id === vmId);
    if (!run || !vm?.checks || !stillMatters(run, vm)) return { again: false };
  }
  const open = new Set(vm.checks.filter((c) => c.status === 'pending' || c.status === 'trying').map((c) => c.name));
  const due = definitions.filter((d) => open.has(d.name));
  if (due.length > 0) {
    const attempts = await deps.runner.runOnce(due, deps.signal ? { signal: deps.signal } : {});
    const byName: Record<string, CheckAttempt> = Object.fromEntries(attempts);
    await deps.change(runId, {
      type: 'checks-attempted',
      vmId,
      at: new Date(deps.now()).toISOString(),
      attempts: byName,
      windowMs: deps.config.defaults.windowMs,
    });
  }
  const after = (await deps.store.get(runId))?.vms.find((v) => v.id === vmId);
  if (!after?.checks || summarizeChecks(after.checks).settled) return { again: false };
  const round = after.checks.reduce((n, c) => Math.max(n, c.attempts), 0) + 1;
  return { again: true, delayMs: deps.config.defaults.intervalMs, round };
}
