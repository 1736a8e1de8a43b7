import type { ASRTask, Job } from '@azure/arm-recoveryservices-siterecovery';
import type { ShutdownOutcome } from '../domain/run';
import type { AsrJobView, JobMember, JobState, MemberProgress } from './gateway';

const SUCCEEDED = new Set(['succeeded', 'completedwithinformation', 'skipped']);
const FAILED = new Set(['failed', 'cancelled', 'canceled']);
/** A suspended job can be resumed in the portal: it waits for a person, it has not failed. */
const SUSPENDED = 'suspended';
const SHUTDOWN_TASK = /shut\s*down|shutdown/i;

/** A task that does work: a plan job's group tasks are replaced by their child tasks, named with the group. */
interface Leaf {
  readonly task: ASRTask;
  readonly label: string;
}

const ended = (t: ASRTask) => SUCCEEDED.has((t.state ?? '').toLowerCase()) || FAILED.has((t.state ?? '').toLowerCase());

function leavesOf(tasks: readonly ASRTask[]): Leaf[] {
  return tasks.flatMap((t) => {
    const children = t.groupTaskCustomDetails?.childTasks;
    if (!children || children.length === 0) return [{ task: t, label: t.friendlyName ?? t.name ?? '' }];
    const group = t.friendlyName ?? t.name ?? '';
    return children.map((c) => ({ task: c, label: `${group} · ${c.friendlyName ?? c.name ?? ''}` }));
  });
}

function progressOf(leaves: readonly Leaf[], fallback: string) {
  const current = leaves.find((l) => !ended(l.task));
  return { task: current?.label ?? fallback, done: leaves.filter((l) => ended(l.task)).length, total: leaves.length };
}

function shutdownOf(leaves: readonly Leaf[]): ShutdownOutcome | undefined {
  const task = leaves.find((l) => SHUTDOWN_TASK.test(`${l.task.name ?? ''} ${l.task.friendlyName ?? ''}`))?.task;
  if (!task) return undefined;
  const s = (task.state ?? '').toLowerCase();
  return SUCCEEDED.has(s) ? 'succeeded' : FAILED.has(s) ? 'failed' : 'unknown';
}

/** A VM's name as a whole word in a task's name ("…: app-01" matches app-01, not app-010). */
function names(member: JobMember): RegExp {
  const escaped = member.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w-])${escaped}($|[^\\w-])`, 'i');
}

/**
 * Reduces an ASR job to what a run card shows: state, current task, ASR's error, the shutdown
 * outcome — and for a plan job, the same per member VM, from the child tasks of the plan's groups.
 */
export function summarizeJob(jobName: string, job: Job, members?: readonly JobMember[]): AsrJobView {
  const p = job.properties ?? {};
  const state = (p.state ?? '').toLowerCase();
  const leaves = leavesOf(p.tasks ?? []);
  const fallback = p.stateDescription ?? p.state ?? '';
  let perVm: Record<string, MemberProgress> | undefined;
  if (members && members.length > 0) {
    perVm = {};
    for (const m of members) {
      const re = names(m);
      const own = leaves.filter((l) => re.test(l.task.friendlyName ?? ''));
      if (own.length === 0) continue;
      const messages = own.flatMap((l) => messagesOf(l.task.errors ?? []));
      perVm[m.id] = {
        progress: progressOf(
          own.map((l) => ({ ...l, label: l.label.replace(re, '$1').replace(/[:\s]+$/, '') })),
          'its tasks are done — the rest of the plan is still running',
        ),
        shutdown: shutdownOf(own),
        error: messages.length > 0 ? [...new Set(messages)].join(' ') : undefined,
      };
    }
  }
  const view = { name: jobName, progress: progressOf(leaves, fallback), shutdown: shutdownOf(leaves), members: perVm };
  if (SUCCEEDED.has(state)) return { ...view, state: 'succeeded' };
  if (FAILED.has(state)) return { ...view, state: 'failed', error: jobError(job) };
  if (state === SUSPENDED)
    return {
      ...view,
      state: 'suspended',
      progress: {
        ...view.progress,
        task: `suspended in ASR at “${view.progress.task}” — resume the job in the Azure portal`,
      },
    };
  // Right after its POST a job can read blank (recorded): not an answer yet.
  if (state === 'notstarted' || (!p.scenarioName && !p.targetObjectId)) return { ...view, state: 'pending' };
  return { ...view, state: 'running' };
}

/** A job's state alone (what the job list carries); suspended and not-yet-known jobs still run. */
export function jobState(job: Job): JobState {
  const state = (job.properties?.state ?? '').toLowerCase();
  return SUCCEEDED.has(state) ? 'succeeded' : FAILED.has(state) ? 'failed' : 'running';
}

type JobErrors = NonNullable<NonNullable<Job['properties']>['errors']>;

function messagesOf(errors: JobErrors): string[] {
  return errors
    .map((e) => {
      const s = e.serviceErrorDetails;
      const prov = e.providerErrorDetails;
      const msg = s?.message ?? prov?.errorMessage;
      const code = s?.code ?? (prov?.errorCode !== undefined ? String(prov.errorCode) : undefined);
      return msg ? (code ? `${msg} (${code})` : msg) : undefined;
    })
    .filter((m): m is string => !!m);
}

/** ASR's own message for a failed job: the job's errors, else its failed tasks' errors. */
export function jobError(job: Job): string {
  const p = job.properties ?? {};
  const errors = [...(p.errors ?? []), ...leavesOf(p.tasks ?? []).flatMap((l) => l.task.errors ?? [])];
  return [...new Set(messagesOf(errors))].join(' ') || `ASR job ${p.state ?? 'failed'} without an error message`;
}
