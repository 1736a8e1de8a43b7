import type { App } from '@slack/bolt';
import { describeProblems, preflight, preflightPlan, type PreflightResult } from '../../../domain/preflight';
import { pointsAtRequest, type Run, type RunPlan } from '../../../domain/run';
import type { ReplicatedVm, VmFacts } from '../../../domain/vm';
import { isFailbackError } from '../../../errors';
import { setRunId } from '../../../observability/log-context';
import type { BotDeps } from '../../deps';
import { BLOCK, CALLBACK } from '../../ids';
import { optionKey } from '../../views';
import { parseRequestForm, selectedVms, targetChoiceError } from '../request-form';
import { decodeRequestMetadata } from '../../views/request-metadata';
import { requestChannel } from '../request-channel';
import { requestVerdict } from '../commit-guard';
import { cachedPointOptions } from '../options/point-options';

/**
 * The request's Submit: answered from facts gathered while the modal was open (no ARM read here,
 * Slack gives 3 s). Preflight problems come back as inline errors and nothing is created; an
 * accepted request becomes a run (VMs taken atomically) with its failover step queued.
 */
export function registerRequestSubmission(app: App, deps: BotDeps): void {
  app.view(CALLBACK.request, async ({ ack, body, view }) => {
    // An inline error must name a block the view has (a vault with plans only has no VM select).
    const has = (id: string) => view.blocks.some((b) => b.block_id === id);
    const errorOn = (block: string, text: string) => {
      const target = has(block) ? block : has(BLOCK.vms) ? BLOCK.vms : BLOCK.plan;
      return ack({ response_action: 'errors', errors: { [target]: text } });
    };
    const errors = (text: string) => errorOn(BLOCK.vms, text);
    const form = parseRequestForm(view.state.values);
    const meta = decodeRequestMetadata(view.private_metadata);
    if (!form || !meta) return errors('This form is out of date. Close it and run /failback again.');
    const where = requestChannel(meta, view.state.values, deps.policy.allowedChannels);
    if ('error' in where) return where.block ? errorOn(where.block, where.error) : errors(where.error);
    const mayRequest = await requestVerdict(deps, body.user.id);
    if (!mayRequest.allowed) return errors(mayRequest.reason);
    const choiceError = targetChoiceError(form);
    if (choiceError) return errorOn(choiceError.block, choiceError.text);
    try {
      const known = (await deps.facts.vms()) ?? [];
      let vms: ReplicatedVm[];
      let plan: (RunPlan & { vmIds: readonly string[] }) | undefined;
      if (form.planKey) {
        const found = (await deps.facts.plans()).find((p) => optionKey(p.id) === form.planKey);
        if (!found) return errorOn(BLOCK.plan, 'The plan list has expired. Close this form and run /failback again.');
        const ids = new Set(found.vmIds.map((id) => id.toLowerCase()));
        vms = known.filter((v) => ids.has(v.id.toLowerCase()));
        plan = { id: found.id, name: found.name, vmIds: found.vmIds };
      } else {
        vms = selectedVms(known, form.vmKeys);
        if (vms.length !== form.vmKeys.length) return errors('The VM list has expired. Close this form and run /failback again.');
      }
      let recoveryPoint = form.recoveryPoint;
      if (form.specificPointKey) {
        const only = vms.length === 1 && !plan ? vms[0] : undefined;
        if (!only) {
          return ack({ response_action: 'errors', errors: { [BLOCK.specificPoint]: 'A specific recovery point can be chosen for one VM only.' } });
        }
        const point = (await cachedPointOptions(deps, only.id))[form.specificPointKey];
        if (!point) return ack({ response_action: 'errors', errors: { [BLOCK.specificPoint]: 'Choose the recovery point again.' } });
        recoveryPoint = { kind: 'specific', recoveryPointId: point.id, time: point.time };
      }
      const points = await deps.facts.points(vms.map((v) => v.id));
      const facts: VmFacts[] = vms.map((v) => ({ ...v, points: points.get(v.id) }));
      const busy = await deps.store.activeRunsOf(vms.map((v) => v.id));
      let check: PreflightResult;
      if (form.planKey) {
        const planFacts = (await deps.facts.plans()).find((p) => optionKey(p.id) === form.planKey);
        check = planFacts ? preflightPlan(planFacts, facts, recoveryPoint, (id) => busy.get(id)) : { ok: false, problems: [] };
      } else {
        check = preflight(facts, recoveryPoint, (id) => busy.get(id));
      }
      const problemBlock = form.planKey ? BLOCK.plan : BLOCK.vms;
      if (!check.ok) return errorOn(problemBlock, describeProblems(check.problems));

      const now = new Date(deps.now()).toISOString();
      const draft: Omit<Run, 'id'> = {
        version: 1,
        createdAt: now,
        requesterId: body.user.id,
        channelId: where.channelId,
        incident: form.incident,
        reason: form.reason,
        recoveryPoint,
        ...(plan ? { plan: { id: plan.id, name: plan.name } } : {}),
        vms: vms.map((v) => ({
          id: v.id,
          name: v.name,
          osType: v.osType,
          failover: { status: 'pending', ...(plan ? { viaPlan: true } : {}) },
          points: pointsAtRequest(points.get(v.id), recoveryPoint),
          ...(v.jobTargetIds && v.jobTargetIds.length > 0 ? { asrIds: v.jobTargetIds } : {}),
        })),
      };
      const what = vms.map((v) => v.name).join(', ');
      const created = await deps.store.create(draft, [
        { at: now, what: 'failback requested', actor: body.user.id, detail: plan ? `recovery plan ${plan.name}: ${what}` : what },
        { at: now, what: 'preflight passed', detail: `${vms.length} VM(s)` },
      ]);
      if (!created.created) {
        const name = vms.find((v) => v.id === created.vmId)?.name ?? 'A VM';
        return errorOn(problemBlock, `${name} is already in run ${created.otherRunId}.`);
      }
      const run = created.run;
      setRunId(run.id);
      await deps.effects.run(run, [{ kind: 'render-card' }, { kind: 'run-step', step: 'failover' }]);
      deps.log.info({ runId: run.id, user: body.user.id, vms: vms.length }, 'failback run created');
      return ack({ response_action: 'clear' });
    } catch (e) {
      deps.log.error({ err: e }, 'request submission failed');
      return errors(isFailbackError(e) ? e.userMessage : 'Something went wrong; nothing was started. Try again.');
    }
  });
}
