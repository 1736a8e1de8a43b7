/**
 * What each ASR job is called and which tasks it runs: recorded names where recorded
 * (classic-failback.json, modernized-failback.json), assumptions otherwise (said per table).
 */
import type { OperationKind } from './types';

/** A task template: stable `name`, display `friendlyName`, and for plan jobs the VM it acts on. */
export interface TaskTemplate {
  readonly name: string;
  readonly friendlyName: string;
  /** Plan jobs: the VM (friendly name) this task acts on. */
  readonly target?: string;
  /** Plan jobs: the plan group this task belongs to (rendered as a group task with child tasks). */
  readonly group?: PlanTaskGroup;
  /** The task is not needed (e.g. the source-side shutdown with sourceSiteOperations NotRequired): state Skipped. */
  readonly skipped?: boolean;
}

/** A recovery-plan group as ASR shows it in a plan job (`groupTaskCustomDetails`). */
export interface PlanTaskGroup {
  readonly instanceType: 'RecoveryPlanGroupTaskDetails' | 'RecoveryPlanShutdownGroupTaskDetails';
  readonly name: string;
  readonly groupId: string;
  readonly rpGroupType: 'Shutdown' | 'Boot' | 'Failover';
}

/**
 * Task `name`s of each item job, in order. Recorded (classic-failback.json step 3 and 4,
 * modernized-failback.json step 3): the failovers and the commit. Reprotect: NOT recorded
 * (assumption). The friendlyNames are not recorded either.
 */
export const JOB_TASKS: Readonly<Record<OperationKind, readonly TaskTemplate[]>> = {
  unplannedFailover: [
    { name: 'VmUfoPrerequisitesCheck', friendlyName: 'Prerequisites check for failover' },
    { name: 'VmShutdownVmOnPrimary', friendlyName: 'Shut down the virtual machine' },
    { name: 'VmPrepareForUnPlannedFailover', friendlyName: 'Prepare for failover' },
    { name: 'VmFailover', friendlyName: 'Fail over the virtual machine' },
    { name: 'VmFoStartVmOnSecondary', friendlyName: 'Start the virtual machine' },
  ],
  plannedFailover: [
    { name: 'VmPfoPrerequisitesCheck', friendlyName: 'Prerequisites check for planned failover' },
    { name: 'VmPrepareForFailover', friendlyName: 'Shut down the virtual machine and synchronize the latest data' },
    { name: 'VmFailover', friendlyName: 'Fail over the virtual machine' },
    { name: 'VmPrepareProtectedEntitiesTask', friendlyName: 'Prepare the protected virtual machine' },
    { name: 'VmFoStartVmOnSecondary', friendlyName: 'Start the virtual machine' },
  ],
  failoverCommit: [
    { name: 'VmCommitPrerequisitesCheck', friendlyName: 'Prerequisites check for commit' },
    { name: 'VmCommit', friendlyName: 'Commit the failover' },
  ],
  reprotect: [
    { name: 'VmReprotectPrerequisitesCheck', friendlyName: 'Prerequisites check for reprotect' },
    { name: 'VmSwitchProtection', friendlyName: 'Switch the replication direction' },
    { name: 'VmStartInitialReplication', friendlyName: 'Start initial replication' },
  ],
};

/** The task in which ASR shuts the source (Azure) VM down: the target of `shutdown-task-fails`. */
export const SHUTDOWN_TASK: Readonly<Partial<Record<OperationKind, string>>> = {
  unplannedFailover: 'VmShutdownVmOnPrimary',
  plannedFailover: 'VmPrepareForFailover',
};

/** Job scenarioName / friendlyName per operation (recorded: classic-failback.json, modernized-failback.json). */
export const SCENARIO: Readonly<Record<OperationKind, { scenarioName: string; friendlyName: string }>> = {
  unplannedFailover: { scenarioName: 'UnplannedFailover', friendlyName: 'Failover' },
  plannedFailover: { scenarioName: 'PlannedFailover', friendlyName: 'Planned failover' },
  failoverCommit: { scenarioName: 'CommitFailover', friendlyName: 'Commit' },
  reprotect: { scenarioName: 'SwitchReplicationGroupProtection', friendlyName: 'Reprotect' },
};

/** The job scenarioName of an operation. */
export function scenarioNameOf(kind: OperationKind): string {
  return SCENARIO[kind].scenarioName;
}
