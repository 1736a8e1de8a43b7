import type { Job } from '@azure/arm-recoveryservices-siterecovery';
import type { ShutdownOutcome } from '../domain/run';
import type { AsrJobView } from './gateway';

const SUCCEEDED = new Set(['succeeded', 'completedwithinformation', 'skipped']);
const FAILED = new Set(['failed', 'cancelled', 'canceled', 'suspended']);
const SHUTDOWN_TASK = /shut\s*down|shutdown/i;

/** Reduces an ASR job to what a run card shows: state, current task, ASR's error, the shutdown outcome. */
export function summarizeJob(jobName: string, job: Job): AsrJobView {
  const p = job.properties ?? {};
  const state = (p.state ?? '').toLowerCase();
  const tasks = p.tasks ?? [];
  const done = tasks.filter((t) => SUCCEEDED.has((t.state ?? '').toLowerCase()) || FAILED.has((t.state ?? '').toLowerCase())).length;
  const current = tasks.find((t) => !SUCCEEDED.has((t.state ?? '').toLowerCase()) && !FAILED.has((t.state ?? '').toLowerCase()));
  const shutdownTask = tasks.find((t) => SHUTDOWN_TASK.test(`${t.name ?? ''} ${t.friendlyName ?? ''}`));
  let shutdown: ShutdownOutcome | undefined;
  if (shutdownTask) {
    const s = (shutdownTask.state ?? '').toLowerCase();
    shutdown = SUCCEEDED.has(s) ? 'succeeded' : FAILED.has(s) ? 'failed' : 'unknown';
  }
  const view = {
    name: jobName,
    progress: { task: current?.friendlyName ?? current?.name ?? p.stateDescription ?? p.state ?? '', done, total: tasks.length },
    shutdown,
  };
  if (SUCCEEDED.has(state)) return { ...view, state: 'succeeded' };
  if (FAILED.has(state)) return { ...view, state: 'failed', error: jobError(job) };
  return { ...view, state: 'running' };
}

/** ASR's own message for a failed job: the job's errors, else its failed task's errors. */
export function jobError(job: Job): string {
  const p = job.properties ?? {};
  const errors = [...(p.errors ?? []), ...(p.tasks ?? []).flatMap((t) => t.errors ?? [])];
  const messages = errors
    .map((e) => {
      const s = e.serviceErrorDetails;
      const prov = e.providerErrorDetails;
      const msg = s?.message ?? prov?.errorMessage;
      const code = s?.code ?? (prov?.errorCode !== undefined ? String(prov.errorCode) : undefined);
      return msg ? (code ? `${msg} (${code})` : msg) : undefined;
    })
    .filter((m): m is string => !!m);
  return [...new Set(messages)].join(' ') || `ASR job ${p.state ?? 'failed'} without an error message`;
}
