import type { RecoveryPointChoice, ReplicatedPlan, VmFacts } from './vm';

export interface PreflightProblem {
  readonly vmId: string;
  readonly vmName: string;
  readonly reason: string;
}

export type PreflightResult =
  { readonly ok: true } | { readonly ok: false; readonly problems: readonly PreflightProblem[] };

/** The most VMs one run may fail back unless configured otherwise (`FAILBACK_MAX_VMS_PER_RUN`). */
export const DEFAULT_MAX_VMS_PER_RUN = 100;
/** The highest `FAILBACK_MAX_VMS_PER_RUN` accepted: every Slack message of a run is designed for this many VMs. */
export const MAX_VMS_PER_RUN_LIMIT = 500;

export interface PreflightOptions {
  /** The most VMs one run may take (`FAILBACK_MAX_VMS_PER_RUN`); default {@link DEFAULT_MAX_VMS_PER_RUN}. */
  readonly maxVms?: number | undefined;
}

/** Names the limit a selection or a plan exceeds, and what to do instead. */
function tooMany(count: number, max: number, instead: string): string {
  return `has ${count} VMs, more than the ${max} one run may fail back (FAILBACK_MAX_VMS_PER_RUN): ${instead}`;
}

/**
 * The failback tutorial's prerequisites, checked before anything is queued: at most `options.maxVms` VMs (the
 * request form allows no more, but a Slack client could send more; more is the only problem
 * reported), each VM replicates from Azure to AVS and ASR allows the failback, nothing already runs
 * on it (in ASR or in another run), and it has a recovery point of the chosen kind. Every problem is
 * reported, not just the first.
 */
export function preflight(
  vms: readonly VmFacts[],
  choice: RecoveryPointChoice,
  activeRunOf: (vmId: string) => string | undefined,
  options: PreflightOptions = {},
): PreflightResult {
  const max = options.maxVms ?? DEFAULT_MAX_VMS_PER_RUN;
  // Alone: what else is wrong with hundreds of VMs matters once the selection is a run's size.
  if (vms.length > max) {
    const reason = tooMany(vms.length, max, 'choose fewer VMs and fail the others back in another run');
    return { ok: false, problems: [{ vmId: '', vmName: 'The selection', reason }] };
  }
  const problems: PreflightProblem[] = [];
  for (const vm of vms) {
    const reason = problemOf(vm, choice, activeRunOf(vm.id));
    if (reason) problems.push({ vmId: vm.id, vmName: vm.name, reason });
  }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/**
 * A recovery plan's preflight: the plan itself (it has at most `options.maxVms` VMs — else that is
 * the only problem reported —, ASR allows its failback, nothing runs on it, the recovery-point choice
 * suits a plan) and every member VM as in {@link preflight}. Every offending VM is named; a member
 * the vault does not list is a problem too.
 */
export function preflightPlan(
  plan: ReplicatedPlan,
  members: readonly VmFacts[],
  choice: RecoveryPointChoice,
  activeRunOf: (vmId: string) => string | undefined,
  options: PreflightOptions = {},
): PreflightResult {
  const max = options.maxVms ?? DEFAULT_MAX_VMS_PER_RUN;
  // A plan fails over as one ASR job, so it cannot be split: its VMs go in runs of their own.
  if (plan.vmIds.length > max) {
    const reason = tooMany(plan.vmIds.length, max, 'choose its VMs instead, in several runs');
    return { ok: false, problems: [{ vmId: plan.id, vmName: `Recovery plan ${plan.name}`, reason }] };
  }
  const problems: PreflightProblem[] = [];
  const planProblem = (reason: string) =>
    problems.push({ vmId: plan.id, vmName: `Recovery plan ${plan.name}`, reason });
  if (plan.vmIds.length === 0) planProblem('has no VMs');
  if (plan.runningOperation) planProblem(`has an ASR operation running (${plan.runningOperation.scenario})`);
  else if (!plan.failback.ready) planProblem(plan.failback.reason);
  if (!plan.pointChoices.includes(choice.kind)) {
    planProblem(
      choice.kind === 'specific'
        ? 'cannot fail back to a specific recovery point: choose it for a single VM'
        : `does not support “${choice.kind}” recovery points`,
    );
  }
  const byId = new Map(members.map((m) => [m.id.toLowerCase(), m]));
  for (const id of plan.vmIds) {
    const vm = byId.get(id.toLowerCase());
    if (!vm) {
      problems.push({
        vmId: id,
        vmName: id.split('/').at(-1) ?? id,
        reason: 'is in the plan but not a replicated item of this vault',
      });
      continue;
    }
    const reason = problemOf(vm, choice, activeRunOf(vm.id), false);
    if (reason) problems.push({ vmId: vm.id, vmName: vm.name, reason });
  }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

function problemOf(
  vm: VmFacts,
  choice: RecoveryPointChoice,
  activeRun: string | undefined,
  checkChoice = true,
): string | undefined {
  if (activeRun) return `is already in run ${activeRun}`;
  if (vm.runningOperation) return `has an ASR operation running (${vm.runningOperation.scenario})`;
  if (!vm.failback.ready) return vm.failback.reason;
  if (checkChoice && !vm.pointChoices.includes(choice.kind)) {
    return choice.kind === 'specific'
      ? 'cannot fail back to a specific recovery point (its replication supports only the latest points)'
      : `does not support “${choice.kind}” recovery points`;
  }
  if (!vm.points) return 'has not been checked for recovery points yet; submit again in a moment';
  if (vm.points.count === 0) return 'has no recovery point (ASR needs at least one to fail back)';
  if (choice.kind === 'latest-app-consistent' && !vm.points.latestAppConsistent) {
    return 'has no app-consistent recovery point; choose Latest (crash-consistent)';
  }
  return undefined;
}

/** One line per problem, for the modal's inline error. */
export function describeProblems(problems: readonly PreflightProblem[]): string {
  return problems.map((p) => `${p.vmName} ${p.reason}.`).join(' ');
}
