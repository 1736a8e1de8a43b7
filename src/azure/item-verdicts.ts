/**
 * Pure readings of ASR items and plans: whether a VM can fail back, and what an item says about one
 * of our operations before any job is read. Decided from `allowedOperations` with the recorded
 * names, the protection state, the provider and where the item is active — never one name alone.
 */
import type { RecoveryPlan, ReplicationProtectedItem } from '@azure/arm-recoveryservices-siterecovery';
import type { OpKind } from '../domain/run';
import type { ReplicatedPlan, ReplicatedVm } from '../domain/vm';
import { allowedOf, isCommitted, jobTargetIds, runningJobOfItem, runningJobOfPlan } from './asr-facts';
import {
  notReadyReason,
  PLAN_POINT_CHOICES,
  planStrategyFor,
  protectedToAzure,
  strategyFor,
  type ProviderStrategy,
} from './providers';
import { healthOf } from './vm-health';

/** What an item says about an operation, before the job it may run is read. */
export type ItemVerdict =
  | { readonly verdict: 'ready' }
  | { readonly verdict: 'done' }
  | { readonly verdict: 'waiting'; readonly reason: string }
  | { readonly verdict: 'blocked'; readonly reason: string }
  /** Something runs on the item: the job says what. */
  | { readonly verdict: 'in-progress'; readonly jobName: string; readonly scenario: string };

const blocked = (reason: string): ItemVerdict => ({ verdict: 'blocked', reason });

function stateWords(item: ReplicationProtectedItem): string {
  const p = item.properties ?? {};
  return p.protectionStateDescription ?? p.protectionState ?? 'unknown state';
}

/**
 * The failback has happened: ASR offers the commit, or shows the failover committed. (A classic
 * item between failback and commit was never recorded; `Commit` is assumed listed, as it is for a
 * modernized one.)
 */
function failedBack(item: ReplicationProtectedItem): boolean {
  return allowedOf(item).includes('Commit') || isCommitted(item);
}

/** Why the VM cannot fail back now, or undefined when it can (nothing running is checked apart). */
export function failbackProblem(
  item: ReplicationProtectedItem,
  strategy: ProviderStrategy | undefined,
): string | undefined {
  if (!strategy) return notReadyReason(item);
  if (failedBack(item)) return 'has already failed back (ASR offers the commit)';
  if (!allowedOf(item).includes(strategy.failbackOperation)) {
    return `is not ready to fail back: ASR does not allow ${strategy.failbackOperation} now (${stateWords(item)})`;
  }
  if (strategy.onAzureSide(item) === false)
    return 'runs on premises already (ASR shows it active on the on-premises site)';
  return undefined;
}

/** What the item says about `op` right now. */
export function itemVerdict(item: ReplicationProtectedItem, op: OpKind): ItemVerdict {
  const running = runningJobOfItem(item);
  if (running) return { verdict: 'in-progress', ...running };
  const strategy = strategyFor(item);
  const allowed = allowedOf(item);
  switch (op) {
    case 'failover': {
      if (strategy && failedBack(item)) return { verdict: 'done' };
      const problem = failbackProblem(item, strategy);
      return problem ? blocked(`${problem}`) : { verdict: 'ready' };
    }
    case 'commit':
      // Reprotected to Azure already: the commit came before.
      if (protectedToAzure(item)) return { verdict: 'done' };
      if (!strategy) return blocked(notReadyReason(item));
      if (isCommitted(item)) return { verdict: 'done' };
      if (allowed.includes('Commit')) return { verdict: 'ready' };
      if (allowed.includes(strategy.failbackOperation))
        return blocked('has not failed back: ASR offers the failback, not the commit');
      return blocked(`ASR does not allow Commit now (${stateWords(item)})`);
    case 'reprotect':
      if (protectedToAzure(item)) return { verdict: 'done' };
      if (!strategy) return blocked(notReadyReason(item));
      // A modernized item lists SwitchProtection before its commit (recorded): committed first.
      if (!isCommitted(item))
        return blocked(
          allowed.includes('Commit')
            ? 'is not committed yet: ASR still offers the commit'
            : `ASR does not show the failover committed (${stateWords(item)})`,
        );
      if (!allowed.includes('SwitchProtection'))
        return blocked(`ASR does not allow the reprotect (SwitchProtection) now (${stateWords(item)})`);
      if (strategy.agentReady(item) === false)
        return {
          verdict: 'waiting',
          reason: `the VM’s agent to register with the ${strategy.fabricRole.toLowerCase()}`,
        };
      return { verdict: 'ready' };
  }
}

export function toVm(item: ReplicationProtectedItem): ReplicatedVm {
  const p = item.properties ?? {};
  const strategy = strategyFor(item);
  const running = runningJobOfItem(item);
  const problem = failbackProblem(item, strategy);
  return {
    id: item.id ?? '',
    name: p.friendlyName ?? item.name ?? 'unnamed VM',
    failback: problem ? { ready: false, reason: problem } : { ready: true },
    runningOperation: running,
    osType: strategy?.osType(item),
    pointChoices: strategy?.pointChoices ?? [],
    jobTargetIds: jobTargetIds(item),
    health: healthOf(item),
  };
}

/** The plan's protected items, group by group (a VM listed in two groups counts once). */
export function planMemberIds(plan: RecoveryPlan): string[] {
  const ids = (plan.properties?.groups ?? []).flatMap((g) =>
    (g.replicationProtectedItems ?? []).map((i) => i.id ?? ''),
  );
  return [...new Set(ids.filter((id) => id !== ''))];
}

export function toPlan(plan: RecoveryPlan): ReplicatedPlan {
  const p = plan.properties ?? {};
  const strategy = planStrategyFor(plan);
  let failback: ReplicatedPlan['failback'];
  if ('reason' in strategy) failback = { ready: false, reason: strategy.reason };
  else if (!(p.allowedOperations ?? []).includes(strategy.strategy.failbackOperation)) {
    failback = { ready: false, reason: 'is not ready to fail back: ASR does not allow it now (check each VM below)' };
  } else failback = { ready: true };
  return {
    id: plan.id ?? '',
    name: p.friendlyName ?? plan.name ?? 'unnamed plan',
    vmIds: planMemberIds(plan),
    failsBack: !('reason' in strategy),
    failback,
    // A plan keeps its last scenario after the job ended (recorded): only a running one counts.
    runningOperation: runningJobOfPlan(plan),
    pointChoices: PLAN_POINT_CHOICES,
  };
}
