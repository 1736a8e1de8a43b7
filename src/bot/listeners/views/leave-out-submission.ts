import type { Listeners } from '../../../slack/listener-router';
import type { ViewOutput } from '@slack/bolt';
import { z } from 'zod';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { isFailbackError } from '../../../errors';
import type { BotDeps } from '../../deps';
import { ACTION, BLOCK, CALLBACK } from '../../ids';
import { leaveOutNotice, leftOutVm } from '../../views';
import { changeRun } from '../../../jobs/change-run';
import { workingModal } from '../../views/notice-modals';
import { verdictFor } from '../commit-guard';
import { onSubmission, type ModalAnswer } from '../deadline';

const values = z.object({
  [BLOCK.leaveOutVm]: z.object({
    [ACTION.leaveOutVm]: z.object({ selected_option: z.object({ value: z.string() }).nullish() }),
  }),
  [BLOCK.leaveOutReason]: z.object({ [ACTION.leaveOutReason]: z.object({ value: z.string().nullish() }) }),
});

/** Records that the run goes on without a failed VM, with who decided it and why; the VM is released. */
export function registerLeaveOutSubmission(app: Listeners, deps: BotDeps): void {
  onSubmission(
    app,
    deps.log,
    CALLBACK.leaveOut,
    workingModal(CALLBACK.leaveOut, 'Leave out a VM', 'Recording the decision…'),
    (view, userId) => decideLeaveOut(deps, view, userId),
  );
}

async function decideLeaveOut(deps: BotDeps, view: ViewOutput, userId: string): Promise<ModalAnswer> {
  const update = (text: string): ModalAnswer => ({ kind: 'update', view: leaveOutNotice(text) });
  const parsed = values.safeParse(view.state.values);
  if (!parsed.success) return update('This form is out of date. Nothing changed.');
  const reason = (parsed.data[BLOCK.leaveOutReason][ACTION.leaveOutReason].value ?? '').trim();
  if (reason === '')
    return {
      kind: 'errors',
      errors: { [BLOCK.leaveOutReason]: 'Say why the run goes on without this VM.' },
      late: leaveOutNotice('Say why the run goes on without this VM. Nothing changed.'),
    };
  try {
    const run = await deps.store.get(view.private_metadata);
    if (!run) return update('This run no longer exists.');
    const verdict = await verdictFor(deps, run, userId, 'handle-failed');
    if (!verdict.allowed) return update(verdict.reason);
    const vm = leftOutVm(run, parsed.data[BLOCK.leaveOutVm][ACTION.leaveOutVm].selected_option?.value ?? '');
    if (!vm) return update('That VM is no longer waiting for a decision. Nothing changed.');
    const at = new Date(deps.now()).toISOString();
    const result = await changeRun(deps, run.id, { type: 'vm-left-out', vmId: vm.id, by: userId, at, reason });
    if (!result.applied) return update(`Nothing changed: ${escapeMrkdwn(result.reason)}.`);
    deps.log.info({ runId: run.id, user: userId, vm: vm.name }, 'VM left out of the run');
    return {
      kind: 'clear',
      late: leaveOutNotice(`${vm.name} is left out of ${run.id}; the reason is in its audit trail.`),
    };
  } catch (e) {
    deps.log.error({ err: e }, 'leave-out submission failed');
    return update(isFailbackError(e) ? e.userMessage : 'Something went wrong; nothing changed.');
  }
}
