/**
 * ASR jobs: one per accepted operation. A new job reads blank (NotStarted, no scenario or target)
 * for `blankJobMs` — recorded: a job read right after its POST is blank — then its tasks run one
 * after another on real timers (`taskMs` each). The job's outcome (success, a failing task, a
 * failing shutdown task, a suspension) is decided when the operation is accepted, and applied to
 * the item when the last task ends.
 */
import { SCENARIO, JOB_TASKS, type TaskTemplate } from './job-tasks';
import type { OperationKind } from './types';

export { JOB_TASKS, SHUTDOWN_TASK, scenarioNameOf, type PlanTaskGroup, type TaskTemplate } from './job-tasks';

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

export type RunState = 'NotStarted' | 'InProgress' | 'Suspended' | 'Succeeded' | 'Failed' | 'Cancelled' | 'Skipped';

export interface TaskState extends TaskTemplate {
  readonly taskId: string;
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
  readonly scenarioName: string;
  readonly friendlyName: string;
  state: RunState;
  stateDescription: string;
  readonly tasks: TaskState[];
  errors: JobError[];
  readonly startTime: Date;
  endTime?: Date;
  /** A GUID (recorded): classic vmId, modernized internalIdentifier at job start, or the plan's GUID. */
  readonly targetObjectId: string;
  readonly targetObjectName: string;
  readonly targetInstanceType: 'ProtectionEntity' | 'RecoveryPlan';
  /** What the job acts on, by ARM name (internal, for the operation result). */
  readonly target: { readonly type: 'item' | 'plan'; readonly name: string };
  /** `customDetails` as served (instanceType, provider details, affectedObjectDetails). */
  readonly customDetails: Readonly<Record<string, unknown>>;
  /** True while the job reads blank (right after the POST, before it starts). */
  blank: boolean;
  /** Set while the job is Suspended: lets it go on. */
  resume?: () => void;
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

export interface JobRunnerOptions {
  readonly taskMs: number;
  /** Read when a job starts (a live setting). */
  readonly blankJobMs: () => number;
  readonly now: () => number;
  readonly newId: () => string;
}

export interface JobInput {
  readonly kind: OperationKind;
  readonly targetObjectId: string;
  readonly targetObjectName: string;
  readonly targetInstanceType?: 'ProtectionEntity' | 'RecoveryPlan';
  readonly target: JobState['target'];
  /** Default: JOB_TASKS[kind]. */
  readonly tasks?: readonly TaskTemplate[];
  readonly customDetails: Readonly<Record<string, unknown>>;
  readonly faults: readonly TaskFault[];
  /** Stop at this task (job and task Suspended) until resumed. */
  readonly suspendAt?: { readonly task: string; readonly target?: string };
  readonly done: (job: JobState) => void;
}

interface Run {
  readonly job: JobState;
  readonly input: JobInput;
  suspended: boolean;
}

/** Starts jobs and drives their tasks; `stop()` clears every pending timer. */
export class JobRunner {
  readonly jobs = new Map<string, JobState>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: JobRunnerOptions) {}

  /** Creates a job (blank and NotStarted for blankJobMs, then InProgress) and schedules its tasks. `done` runs once, at the end. */
  start(input: JobInput): JobState {
    const { now, newId } = this.options;
    const blankMs = Math.max(0, this.options.blankJobMs());
    const job: JobState = {
      name: newId(),
      activityId: `${newId()} ActivityId: ${newId()}`,
      kind: input.kind,
      ...SCENARIO[input.kind],
      state: 'NotStarted',
      stateDescription: 'NotStarted',
      tasks: (input.tasks ?? JOB_TASKS[input.kind]).map((t) => ({
        taskId: newId(),
        ...t,
        state: 'NotStarted',
        stateDescription: 'NotStarted',
        errors: [],
      })),
      errors: [],
      startTime: new Date(now()),
      targetObjectId: input.targetObjectId,
      targetObjectName: input.targetObjectName,
      targetInstanceType: input.targetInstanceType ?? 'ProtectionEntity',
      target: input.target,
      customDetails: input.customDetails,
      blank: blankMs > 0,
    };
    this.jobs.set(job.name.toLowerCase(), job);
    const run: Run = { job, input, suspended: false };
    const begin = () => {
      job.blank = false;
      setState(job, 'InProgress');
      this.runTask(run, 0);
    };
    if (blankMs > 0) this.later(blankMs, begin);
    else begin();
    return job;
  }

  get(name: string): JobState | undefined {
    return this.jobs.get(name.toLowerCase());
  }

  /** Jobs, newest first. */
  list(): JobState[] {
    return [...this.jobs.values()].sort(
      (a, b) => b.startTime.getTime() - a.startTime.getTime() || (a.name < b.name ? 1 : -1),
    );
  }

  /** Lets a Suspended job go on; throws when it is not suspended. */
  resume(name: string): void {
    const job = this.get(name);
    if (!job?.resume)
      throw new Error(`ASR emulator: job '${name}' is not suspended (state ${job?.state ?? 'unknown'})`);
    job.resume();
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private runTask(run: Run, index: number): void {
    const { job, input } = run;
    const task = job.tasks[index];
    if (!task) return this.finish(run);
    const now = () => new Date(this.options.now());
    const at = input.suspendAt;
    if (at && !run.suspended && task.name === at.task && (at.target === undefined || at.target === task.target)) {
      run.suspended = true;
      setState(task, 'Suspended');
      setState(job, 'Suspended');
      task.startTime = now();
      job.resume = () => {
        job.resume = undefined;
        setState(job, 'InProgress');
        this.runTask(run, index);
      };
      return;
    }
    if (task.skipped) {
      setState(task, 'Skipped');
      task.startTime = now();
      task.endTime = task.startTime;
      return this.runTask(run, index + 1);
    }
    setState(task, 'InProgress');
    task.startTime ??= now();
    this.later(this.options.taskMs, () => {
      const fault = input.faults.find(
        (f) => f.task === task.name && (f.target === undefined || f.target === task.target),
      );
      task.endTime = now();
      if (!fault) {
        setState(task, 'Succeeded', 'Completed');
        return this.runTask(run, index + 1);
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
      setState(task, 'Failed');
      task.errors.push(error);
      job.errors.push(error);
      if (fault.level === 'Warning') return this.runTask(run, index + 1);
      setState(job, 'Failed');
      job.endTime = task.endTime;
      input.done(job);
    });
  }

  private finish(run: Run): void {
    const { job } = run;
    // ASR finishes a job whose non-critical task failed (e.g. the source VM shutdown) as
    // succeeded "with information"; the failed task and a Warning-level error stay visible.
    setState(job, 'Succeeded', job.errors.length > 0 ? 'CompletedWithInformation' : 'Completed');
    job.endTime = new Date(this.options.now());
    run.input.done(job);
  }
}

function setState(
  x: { state: RunState; stateDescription: string },
  state: RunState,
  description: string = state,
): void {
  x.state = state;
  x.stateDescription = description;
}
