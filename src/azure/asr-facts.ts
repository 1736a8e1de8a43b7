/**
 * What ASR's resources say, read the way the real service writes them. Every rule here is grounded
 * in recorded traffic of the real service (docs/asr-generations.md lists the source of each); where
 * a fact was never recorded the rule says so and is written to be safe when the guess is wrong.
 */
import type { Job, RecoveryPlan, ReplicationProtectedItem } from '@azure/arm-recoveryservices-siterecovery';
import type { OpKind } from '../domain/run';
import { jobNameFromUrl } from './arm-ids';

type Row = Readonly<Record<string, unknown>>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const lower = (v: string | undefined) => (v ?? '').toLowerCase();

export function detailsOf(item: ReplicationProtectedItem): Row {
  return (item.properties?.providerSpecificDetails ?? {}) as Row;
}

export function allowedOf(item: { properties?: { allowedOperations?: string[] } }): readonly string[] {
  return item.properties?.allowedOperations ?? [];
}

/**
 * Job scenario names as recorded (job GETs and a recovery plan's kept `currentScenario`):
 * `UnplannedFailover`, `PlannedFailover`, `CommitFailover`, `SwitchReplicationGroupProtection` (an
 * item's reprotect, friendlyName "Reprotect") and `ReverseReplication` (a plan's reprotect). Any other
 * name is not one of our operations.
 */
const JOB_SCENARIOS: Readonly<Record<string, OpKind>> = {
  unplannedfailover: 'failover',
  plannedfailover: 'failover',
  commitfailover: 'commit',
  switchreplicationgroupprotection: 'reprotect',
  reversereplication: 'reprotect',
};

/** Which of our operations a job (or a plan's scenario) is, by its recorded scenario name. */
export function opOfScenario(scenarioName: string | undefined | null): OpKind | undefined {
  return JOB_SCENARIOS[lower(scenarioName ?? undefined)];
}

/**
 * The job an item's `currentScenario` names while something runs on it. An item's scenario resets to
 * `None` (jobId …/replicationJobs/None) when its job ends (recorded). Which scenarioName an item shows
 * WHILE a job runs was never recorded: callers read the job to learn what it is.
 */
export function runningJobOfItem(
  item: ReplicationProtectedItem,
): { readonly jobName: string; readonly scenario: string } | undefined {
  const s = item.properties?.currentScenario;
  const scenario = s?.scenarioName ?? 'None';
  const jobName = jobNameFromUrl(s?.jobId ?? '');
  return lower(scenario) !== 'none' && jobName ? { jobName, scenario } : undefined;
}

/**
 * A recovery plan KEEPS its last scenario after the job ended, with `currentScenarioStatus`
 * `Succeeded`/`Failed` (recorded); only `InProgress`/`NotStarted` mean running. A scenario without a
 * status is not known to have ended: it is returned too (the caller reads the job).
 */
export function runningJobOfPlan(
  plan: RecoveryPlan,
): { readonly jobName: string; readonly scenario: string } | undefined {
  const p = plan.properties ?? {};
  const scenario = p.currentScenario?.scenarioName ?? 'None';
  const jobName = jobNameFromUrl(p.currentScenario?.jobId ?? '');
  if (lower(scenario) === 'none' || !jobName) return undefined;
  const status = lower(p.currentScenarioStatus);
  if (
    status === 'succeeded' ||
    status === 'failed' ||
    status === 'cancelled' ||
    status === 'canceled' ||
    status === 'completed'
  )
    return undefined;
  return { jobName, scenario };
}

/**
 * "Commit already done": a protection state that says committed (recorded `UnplannedFailoverCommitted`
 * after a classic failback + commit; the modernized name after a planned failover's commit is not
 * recorded) AND `Commit` no longer allowed — never one of the two alone, since a modernized item that
 * failed back but is not committed already lists `SwitchProtection` (recorded).
 */
export function isCommitted(item: ReplicationProtectedItem): boolean {
  const state = item.properties?.protectionState ?? '';
  return /committed$/i.test(state) && !allowedOf(item).includes('Commit');
}

/** The GUIDs ASR names this item by in jobs (`targetObjectId`): classic `vmId`, modernized `internalIdentifier`. */
export function jobTargetIds(item: ReplicationProtectedItem): string[] {
  const d = detailsOf(item);
  return [str(d.vmId), str(d.internalIdentifier)]
    .filter((id): id is string => id !== undefined)
    .map((id) => id.toLowerCase());
}

/**
 * The direction of an operation on a classic item: always from the side it is active on to the
 * other (recorded: a reprotected `InMage` item is active in `Primary` and fails back
 * `PrimaryToRecovery`; after failback and commit it is active in `Recovery` and reprotects
 * `RecoveryToPrimary`). Undefined when ASR does not say where the item is active.
 */
export function directionFrom(item: ReplicationProtectedItem): 'PrimaryToRecovery' | 'RecoveryToPrimary' | undefined {
  const at = lower(item.properties?.activeLocation);
  return at === 'primary' ? 'PrimaryToRecovery' : at === 'recovery' ? 'RecoveryToPrimary' : undefined;
}

/** What a job says about itself; a job read right after its POST can be blank (recorded). */
export interface JobFacts {
  readonly op: OpKind | undefined;
  /** Lower-cased `targetObjectId` (a GUID), when ASR has filled it in. */
  readonly targetId: string | undefined;
  readonly targetName: string | undefined;
  readonly targetIsPlan: boolean;
  /** False while ASR has not filled the job in yet (`NotStarted`, no scenario or target). */
  readonly known: boolean;
}

export function jobFacts(job: Job): JobFacts {
  const p = job.properties ?? {};
  const scenario = p.scenarioName ?? undefined;
  const targetId = str(p.targetObjectId)?.toLowerCase();
  return {
    op: opOfScenario(scenario),
    targetId,
    targetName: str(p.targetObjectName),
    targetIsPlan: lower(p.targetInstanceType) === 'recoveryplan',
    known: scenario !== undefined && scenario !== '' && targetId !== undefined,
  };
}
