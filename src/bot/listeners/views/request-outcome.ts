import type { ViewOutput } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { cachedChannelAccess } from '../../../slack/channel-access';
import { describeProblems, preflight, preflightPlan, type PreflightResult } from '../../../domain/preflight';
import { pointsAtRequest, type Run, type RunPlan } from '../../../domain/run';
import { NEW_RUN_EFFECTS } from '../../../domain/run-machine';
import type { RecoveryPointChoice, ReplicatedVm, VmFacts } from '../../../domain/vm';
import { byVault, vaultLabel } from '../../../domain/vault';
import { isFailbackError, StoreUnavailableError } from '../../../errors';
import { setRunId } from '../../../observability/log-context';
import type { BotDeps } from '../../deps';
import { BLOCK } from '../../ids';
import { optionKey } from '../../views';
import { decodeRequestMetadata } from '../../views/request-metadata';
import { requestVerdict } from '../commit-guard';
import { cachedPointOptions } from '../options/point-options';
import { parseRequestForm, selectedVms, targetChoiceError } from '../request-form';
import { requestChannel } from '../request-channel';
import { pointsWithin } from '../actions/points-of';

/** How a request submission ended. Only `started` and `recorded` created a run. */
export type RequestOutcome =
  | { readonly kind: 'invalid'; readonly block?: string | undefined; readonly text: string }
  | {
      readonly kind: 'started';
      readonly run: Run;
      /** VMs chosen in several vaults: one run per vault, these after the first. */
      readonly others?: readonly Run[] | undefined;
      /** What kept a later vault's run from being created (the first ones stand). */
      readonly notes?: readonly string[] | undefined;
    }
  /** Created, but its first step could not be queued now: the outbox queues it (nothing sent to Azure yet). */
  | { readonly kind: 'recorded'; readonly run: Run }
  | { readonly kind: 'failed'; readonly text: string }
  /** The store did not answer the create in time: the run may yet appear (then the outbox starts it). */
  | { readonly kind: 'unknown'; readonly channelId: string };

/**
 * Recovery points of chosen VMs missing from the cache (the selection event was lost, or the modal
 * stayed open past the cache's life) are read now, for at most this long; a read still going on
 * keeps going and fills the cache for the next Submit.
 */
const POINTS_BUDGET_MS = 1_200;

const invalid = (text: string, block?: string): RequestOutcome => ({ kind: 'invalid', text, block });

/**
 * Decides a request submission: who asks, what, where; preflight from facts gathered while the
 * modal was open (missing recovery points read now, within a budget); then the run, created with its
 * first step in one outcome. Never throws: every end is an outcome the person is told truthfully.
 */
export async function decideRequest(
  deps: BotDeps,
  client: WebClient,
  userId: string,
  view: ViewOutput,
): Promise<RequestOutcome> {
  try {
    const form = parseRequestForm(view.state.values);
    const meta = decodeRequestMetadata(view.private_metadata);
    if (!form || !meta) return invalid('This form is out of date. Close it and run /failback again.');
    const where = requestChannel(meta, view.state.values, deps.policy.allowedChannels);
    if ('error' in where) return invalid(where.error, where.block);
    const mayRequest = await requestVerdict(deps, userId);
    if (!mayRequest.allowed) return invalid(mayRequest.reason);
    // A run nobody can see must not start: its card, prompt and Commit live in that channel.
    const access = await cachedChannelAccess(deps, client, where.channelId);
    if (!access.ok) return invalid(access.reason, meta.channelId === undefined ? BLOCK.channel : undefined);
    const choiceError = targetChoiceError(form);
    if (choiceError) return invalid(choiceError.text, choiceError.block);

    const known = (await deps.facts.vms()) ?? [];
    const target = await chosenTarget(deps, form, known);
    if ('error' in target) return invalid(target.error, target.block);
    const { vms, plan } = target;
    const point = await chosenPoint(deps, form, vms, plan);
    if ('error' in point) return invalid(point.error, BLOCK.specificPoint);
    const recoveryPoint = point.choice;

    const points = await pointsWithin(deps, vms, POINTS_BUDGET_MS);
    // A run fails back the VMs of one vault: VMs chosen in several vaults make one run per vault.
    const groups = [...byVault(vms, (v) => v.id).values()];
    const busy = await deps.store.activeRunsOf(vms.map((v) => v.id));
    for (const group of groups) {
      const facts: VmFacts[] = group.map((v) => ({ ...v, points: points.get(v.id) }));
      const check: PreflightResult = plan
        ? preflightPlan(plan.facts, facts, recoveryPoint, (id) => busy.get(id), { maxVms: deps.policy.maxVmsPerRun })
        : preflight(facts, recoveryPoint, (id) => busy.get(id), { maxVms: deps.policy.maxVmsPerRun });
      if (!check.ok) return invalid(describeProblems(check.problems), plan ? BLOCK.plan : BLOCK.vms);
    }
    const common = { userId, channelId: where.channelId, form, plan, recoveryPoint, points };
    const first = await createRun(deps, { ...common, vms: groups[0] ?? [] });
    if (groups.length === 1 || first.kind !== 'started') return first;
    const others: Run[] = [];
    const notes: string[] = [];
    for (const group of groups.slice(1)) {
      const next = await createRun(deps, { ...common, vms: group });
      if (next.kind === 'started' || next.kind === 'recorded') others.push(next.run);
      else notes.push(`${group.map((v) => v.name).join(', ')}: ${'text' in next ? next.text : 'not confirmed yet'}`);
    }
    return { kind: 'started', run: first.run, others, notes };
  } catch (e) {
    deps.log.error({ err: e }, 'request submission failed');
    return {
      kind: 'failed',
      text: isFailbackError(e) ? e.userMessage : 'Something went wrong; nothing was started. Try again.',
    };
  }
}

type Form = NonNullable<ReturnType<typeof parseRequestForm>>;
type ChosenPlan = RunPlan & {
  readonly vmIds: readonly string[];
  readonly facts: Awaited<ReturnType<BotDeps['facts']['plans']>>[number];
};

async function chosenTarget(
  deps: BotDeps,
  form: Form,
  known: readonly ReplicatedVm[],
): Promise<{ vms: ReplicatedVm[]; plan?: ChosenPlan } | { error: string; block: string }> {
  if (form.planKey) {
    const found = (await deps.facts.plans()).find((p) => optionKey(p.id) === form.planKey);
    if (!found)
      return { error: 'The plan list has expired. Close this form and run /failback again.', block: BLOCK.plan };
    const ids = new Set(found.vmIds.map((id) => id.toLowerCase()));
    return {
      vms: known.filter((v) => ids.has(v.id.toLowerCase())),
      plan: { id: found.id, name: found.name, vmIds: found.vmIds, facts: found },
    };
  }
  const vms = selectedVms(known, form.vmKeys);
  if (vms.length !== form.vmKeys.length)
    return { error: 'The VM list has expired. Close this form and run /failback again.', block: BLOCK.vms };
  return { vms };
}

async function chosenPoint(
  deps: BotDeps,
  form: Form,
  vms: readonly ReplicatedVm[],
  plan: ChosenPlan | undefined,
): Promise<{ choice: RecoveryPointChoice } | { error: string }> {
  if (!form.specificPointKey) return { choice: form.recoveryPoint };
  const only = vms.length === 1 && !plan ? vms[0] : undefined;
  if (!only) return { error: 'A specific recovery point can be chosen for one VM only.' };
  const point = (await cachedPointOptions(deps, only.id))[form.specificPointKey];
  if (!point) return { error: 'Choose the recovery point again.' };
  return { choice: { kind: 'specific', recoveryPointId: point.id, time: point.time } };
}

/**
 * Creates the run (its VMs taken atomically, and an outbox entry in the same step) and queues its
 * first step. If queuing fails — the queue's connection still reconnecting after Redis came back —
 * the run is not half-made: the outbox entry makes a worker queue it shortly, and the person is told so.
 */
async function createRun(
  deps: BotDeps,
  r: {
    userId: string;
    channelId: string;
    form: Form;
    vms: readonly ReplicatedVm[];
    plan: ChosenPlan | undefined;
    recoveryPoint: RecoveryPointChoice;
    points: ReadonlyMap<string, VmFacts['points']>;
  },
): Promise<RequestOutcome> {
  const now = new Date(deps.now()).toISOString();
  const { vms, plan, recoveryPoint } = r;
  const draft: Omit<Run, 'id'> = {
    version: 1,
    createdAt: now,
    requesterId: r.userId,
    channelId: r.channelId,
    incident: r.form.incident,
    reason: r.form.reason,
    recoveryPoint,
    ...(plan ? { plan: { id: plan.id, name: plan.name } } : {}),
    ...(vms[0]?.vault ? { vault: vms[0].vault } : {}),
    vms: vms.map((v) => ({
      id: v.id,
      name: v.name,
      osType: v.osType,
      failover: { status: 'pending', ...(plan ? { viaPlan: true } : {}) },
      points: pointsAtRequest(r.points.get(v.id), recoveryPoint),
      ...(v.jobTargetIds && v.jobTargetIds.length > 0 ? { asrIds: v.jobTargetIds } : {}),
    })),
  };
  const what = vms.map((v) => v.name).join(', ');
  const created = await deps.store
    .create(draft, [
      {
        at: now,
        what: 'failback requested',
        actor: r.userId,
        detail: `${plan ? `recovery plan ${plan.name}: ${what}` : what}${vms[0]?.vault ? ` (vault ${vaultLabel(vms[0].vault)})` : ''}`,
      },
      { at: now, what: 'preflight passed', detail: `${vms.length} VM(s)` },
    ])
    .catch((e: unknown) => {
      if (e instanceof StoreUnavailableError && e.timedOut) return 'unknown' as const;
      throw e;
    });
  if (created === 'unknown') {
    deps.log.warn({ user: r.userId }, 'the store did not answer the create in time; the run may yet be created');
    return { kind: 'unknown', channelId: r.channelId };
  }
  if (!created.created) {
    const name = vms.find((v) => v.id === created.vmId)?.name ?? 'A VM';
    return invalid(`${name} is already in run ${created.otherRunId}.`, plan ? BLOCK.plan : BLOCK.vms);
  }
  const run = created.run;
  setRunId(run.id);
  try {
    await deps.effects.run(run, NEW_RUN_EFFECTS);
  } catch (e) {
    deps.log.warn({ err: e, runId: run.id }, 'run created; its first step is left to the outbox');
    return { kind: 'recorded', run };
  }
  await deps.store
    .outboxDone(run.id)
    .catch((err: unknown) => deps.log.info({ err, runId: run.id }, 'outbox entry left; the sweep clears it'));
  deps.log.info({ runId: run.id, user: r.userId, vms: vms.length }, 'failback run created');
  return { kind: 'started', run };
}
