/**
 * ASR jobs: one per accepted operation. Tasks run one after another on real timers (`taskMs`
 * each); the job's outcome (success, a failing task, a failing shutdown task) is decided when the
 * operation is accepted, and applied to the item when the last task ends.
 */
import type { OperationKind } from './types';

/** One job/task error (ASR's JobErrorDetails, flattened). */
export interface JobError {
  readonly code: string;
  readonly message: string;
  readonly possibleCauses: string;
  readonly recommendedAction: string;
  readonly errorLevel: 'Error' | 'Warning';
  readonly creationTime: Date;
  readonly taskId?: string;
}

export type RunState = 'NotStarted' | 'InProgress' | 'Succeeded' | 'Failed' | 'Cancelled';

export interface TaskState {
  readonly taskId: string;
  /** Plan jobs: the VM (friendly name) this task acts on. */
  readonly target?: string;
  /** Plan jobs: the plan group this task belongs to (rendered as a group task with child tasks). */
  readonly group?: PlanTaskGroup;
  readonly name: string;
  readonly friendlyName: string;
  state: RunState;
  stateDescription: string;
  startTime?: Date;
  endTime?: Date;
  errors: JobError[];
}

export interface JobState {
  readonly name: string;
  readonly activityId: string;
  readonly kind: OperationKind;
  readonly scenarioName: 'UnplannedFailover' | 'PlannedFailover' | 'Commit' | 'Reprotect';
  readonly friendlyName: string;
  state: RunState;
  stateDescription: string;
  readonly tasks: TaskState[];
  errors: JobError[];
  readonly startTime: Date;
  endTime?: Date;
  /** The item's ARM name and friendly name. */
  readonly targetObjectId: string;
  readonly targetObjectName: string;
  readonly targetInstanceType: 'ProtectionEntity' | 'RecoveryPlan';
  readonly affectedObjectDetails: Readonly<Record<string, string>>;
}

/** An error to raise at a task; `level: 'Warning'` marks the task Failed but lets the job succeed. */
export interface TaskFault {
  readonly task: string;
  /** Plan jobs: only the task acting on this VM (default: every task named `task`). */
  readonly target?: string;
  readonly level: 'Error' | 'Warning';
  readonly code: string;
  readonly message: string;
  readonly possibleCauses?: string;
  readonly recommendedAction?: string;
}

/** A task template: stable `name`, display `friendlyName`, and for plan jobs the VM it acts on. */
export interface TaskTemplate {
  readonly name: string;
  readonly friendlyName: string;
  readonly target?: string;
  readonly group?: PlanTaskGroup;
}

/** A recovery-plan group as ASR shows it in a plan job (`groupTaskCustomDetails`). */
export interface PlanTaskGroup {
  readonly instanceType: 'RecoveryPlanGroupTaskDetails' | 'RecoveryPlanShutdownGroupTaskDetails';
  readonly name: string;
  readonly groupId: string;
  readonly rpGroupType: 'Shutdown' | 'Boot' | 'Failover';
}

/** Stable task names (`name`) of each job, in order. The app may look for `ShutdownVmTask`. */
export const JOB_TASKS: Readonly<Record<OperationKind, readonly { name: string; friendlyName: string }[]>> = {
  unplannedFailover: [
    { name: 'FailoverPrerequisitesCheckTask', friendlyName: 'Prerequisites check for failover' },
    { name: 'ShutdownVmTask', friendlyName: 'Shut down the virtual machine in Azure' },
    { name: 'DataSyncTask', friendlyName: 'Synchronize the latest changes to the on-premises site' },
    { name: 'StartVmOnPrimaryTask', friendlyName: 'Start the virtual machine on the primary (AVS) site' },
  ],
  plannedFailover: [
    { name: 'FailoverPrerequisitesCheckTask', friendlyName: 'Prerequisites check for planned failover' },
    { name: 'ShutdownVmTask', friendlyName: 'Shut down the virtual machine in Azure' },
    { name: 'DataSyncTask', friendlyName: 'Synchronize the latest changes to the on-premises site' },
    { name: 'StartVmOnPrimaryTask', friendlyName: 'Start the virtual machine on the primary (AVS) site' },
  ],
  failoverCommit: [
    { name: 'CommitPrerequisitesCheckTask', friendlyName: 'Prerequisites check for commit' },
    { name: 'FailoverCommitTask', friendlyName: 'Commit the failover and delete the virtual machine in Azure' },
  ],
  reprotect: [
    { name: 'ReprotectPrerequisitesCheckTask', friendlyName: 'Prerequisites check for reprotect' },
    { name: 'ReprotectTask', friendlyName: 'Enable replication from the primary (AVS) site to Azure' },
    { name: 'StartInitialReplicationTask', friendlyName: 'Start initial replication' },
  ],
};

const SCENARIO: Readonly<Record<OperationKind, { scenarioName: JobState['scenarioName']; friendlyName: string }>> = {
  unplannedFailover: { scenarioName: 'UnplannedFailover', friendlyName: 'Unplanned failover' },
  plannedFailover: { scenarioName: 'PlannedFailover', friendlyName: 'Planned failover' },
  failoverCommit: { scenarioName: 'Commit', friendlyName: 'Commit' },
  reprotect: { scenarioName: 'Reprotect', friendlyName: 'Reprotect' },
};

/** The scenario name ASR shows in the item's currentScenario and the job for an operation. */
export function scenarioNameOf(kind: OperationKind): JobState['scenarioName'] {
  return SCENARIO[kind].scenarioName;
}

export interface JobRunnerOptions {
  readonly taskMs: number;
  readonly now: () => number;
  readonly newId: () => string;
}

/** Starts jobs and drives their tasks; `stop()` clears every pending timer. */
export class JobRunner {
  readonly jobs = new Map<string, JobState>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: JobRunnerOptions) {}

  /** Creates a job (InProgress, first task running) and schedules its tasks. `done` runs once, at the end. */
  start(input: {
    kind: OperationKind;
    targetObjectId: string;
    targetObjectName: string;
    targetInstanceType?: 'ProtectionEntity' | 'RecoveryPlan';
    /** Default: JOB_TASKS[kind]. */
    tasks?: readonly TaskTemplate[];
    affectedObjectDetails: Record<string, string>;
    faults: readonly TaskFault[];
    done: (job: JobState) => void;
  }): JobState {
    const { now, newId } = this.options;
    const start = new Date(now());
    const job: JobState = {
      name: newId(),
      activityId: `${newId()} ActivityId: ${newId()}`,
      kind: input.kind,
      ...SCENARIO[input.kind],
      state: 'InProgress',
      stateDescription: 'InProgress',
      tasks: (input.tasks ?? JOB_TASKS[input.kind]).map((t) => ({ taskId: newId(), ...t, state: 'NotStarted', stateDescription: 'NotStarted', errors: [] })),
      errors: [],
      startTime: start,
      targetObjectId: input.targetObjectId,
      targetObjectName: input.targetObjectName,
      targetInstanceType: input.targetInstanceType ?? 'ProtectionEntity',
      affectedObjectDetails: input.affectedObjectDetails,
    };
    this.jobs.set(job.name.toLowerCase(), job);
    this.runTask(job, 0, input.faults, input.done);
    return job;
  }

  get(name: string): JobState | undefined {
    return this.jobs.get(name.toLowerCase());
  }

  /** Jobs, newest first. */
  list(): JobState[] {
    return [...this.jobs.values()].sort((a, b) => b.startTime.getTime() - a.startTime.getTime() || (a.name < b.name ? 1 : -1));
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private runTask(job: JobState, index: number, faults: readonly TaskFault[], done: (job: JobState) => void): void {
    const task = job.tasks[index];
    if (!task) return this.finish(job, done);
    task.state = 'InProgress';
    task.stateDescription = 'InProgress';
    task.startTime = new Date(this.options.now());
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const fault = faults.find((f) => f.task === task.name && (f.target === undefined || f.target === task.target));
      task.endTime = new Date(this.options.now());
      if (!fault) {
        task.state = 'Succeeded';
        task.stateDescription = 'Completed';
        return this.runTask(job, index + 1, faults, done);
      }
      const error: JobError = {
        code: fault.code,
        message: fault.message,
        possibleCauses: fault.possibleCauses ?? '',
        recommendedAction: fault.recommendedAction ?? '',
        errorLevel: fault.level,
        creationTime: task.endTime,
        taskId: task.taskId,
      };
      task.state = 'Failed';
      task.stateDescription = 'Failed';
      task.errors.push(error);
      job.errors.push(error);
      if (fault.level === 'Warning') return this.runTask(job, index + 1, faults, done);
      job.state = 'Failed';
      job.stateDescription = 'Failed';
      job.endTime = task.endTime;
      done(job);
    }, this.options.taskMs);
    this.timers.add(timer);
  }

  private finish(job: JobState, done: (job: JobState) => void): void {
    job.state = 'Succeeded';
    // ASR finishes a job whose non-critical task failed (e.g. the source VM shutdown) as
    // succeeded "with information"; the failed task and a Warning-level error stay visible.
    job.stateDescription = job.errors.length > 0 ? 'CompletedWithInformation' : 'Completed';
    job.endTime = new Date(this.options.now());
    done(job);
  }
}
