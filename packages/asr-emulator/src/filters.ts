/**
 * `$filter` as Azure PowerShell sends it (recorded: plans-and-jobs.json): clauses `Name eq 'value'`
 * joined by `and`, property names case-insensitive. Jobs: `StartTime` (jobs started at or after),
 * `EndTime` (jobs started at or before), `JobStatus` (the job's state). Items: `RecoveryPlanName`
 * (the plan's members). Other JobQueryParameter properties (fabricId, affectedObjectTypes, …) are
 * accepted and ignored.
 */
import type { JobState } from './jobs';
import type { ItemState, VaultState } from './model';
import { armError, type Reply } from './reply';

type Clauses = ReadonlyMap<string, string>;
type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Reply };

const FORM = "use the form `StartTime eq '<ISO time>' and EndTime eq '<ISO time>' and JobStatus eq '<state>'`";

/** Splits `A eq 'x' and B eq 'y'` into lower-cased names → values. */
export function parseClauses(filter: string | undefined, form: string = FORM): Parsed<Clauses> {
  const clauses = new Map<string, string>();
  if (!filter?.trim()) return { ok: true, value: clauses };
  for (const part of filter.trim().split(/\s+and\s+/i)) {
    const m = /^\s*([A-Za-z]+)\s+eq\s+'([^']*)'\s*$/i.exec(part);
    if (!m?.[1])
      return {
        ok: false,
        error: armError(400, 'InvalidParameter', `The $filter clause "${part}" is not understood; ${form}.`),
      };
    clauses.set(m[1].toLowerCase(), m[2] ?? '');
  }
  return { ok: true, value: clauses };
}

/** An ISO time, with any number of fractional digits (PowerShell sends 7, e.g. 2021-04-04T05:28:32.1338170Z). */
export function parseIsoTime(text: string): number {
  return Date.parse(text.trim().replace(/(\.\d{3})\d+/, '$1'));
}

/** The jobs a PowerShell-style `$filter` selects (newest first, as given). */
export function filterJobs(jobs: readonly JobState[], filter: string | undefined): Parsed<readonly JobState[]> {
  const parsed = parseClauses(filter);
  if (!parsed.ok) return parsed;
  const c = parsed.value;
  const times: Record<'starttime' | 'endtime', number | undefined> = { starttime: undefined, endtime: undefined };
  for (const key of ['starttime', 'endtime'] as const) {
    const text = c.get(key);
    if (text === undefined) continue;
    const t = parseIsoTime(text);
    if (Number.isNaN(t))
      return {
        ok: false,
        error: armError(
          400,
          'InvalidParameter',
          `The $filter value '${text}' of ${key === 'starttime' ? 'StartTime' : 'EndTime'} is not an ISO 8601 time.`,
        ),
      };
    times[key] = t;
  }
  const status = c.get('jobstatus')?.toLowerCase();
  const value = jobs.filter((j) => {
    const start = j.startTime.getTime();
    if (times.starttime !== undefined && start < times.starttime) return false;
    if (times.endtime !== undefined && start > times.endtime) return false;
    return status === undefined || j.state.toLowerCase() === status;
  });
  return { ok: true, value };
}

/** The items a `$filter=RecoveryPlanName eq '<plan>'` selects (PowerShell lists a plan's items so); no filter: all. An unknown plan selects none. */
export function filterItems(v: VaultState, filter: string | undefined): Parsed<readonly ItemState[]> {
  const parsed = parseClauses(filter, "use the form `RecoveryPlanName eq '<plan name>'`");
  if (!parsed.ok) return parsed;
  const planName = parsed.value.get('recoveryplanname');
  if (planName === undefined) return { ok: true, value: v.items };
  const plan = v.plan(planName);
  const members = new Set(plan ? v.membersOf(plan) : []);
  return { ok: true, value: v.items.filter((i) => members.has(i)) };
}
