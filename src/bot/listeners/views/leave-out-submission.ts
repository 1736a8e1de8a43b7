import type { App } from '@slack/bolt';
import { z } from 'zod';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { isFailbackError } from '../../../errors';
import type { BotDeps } from '../../deps';
import { ACTION, BLOCK, CALLBACK } from '../../ids';
import { leaveOutNotice, leftOutVm } from '../../views';
import { verdictFor } from '../commit-guard';

const values = z.object({
  [BLOCK.leaveOutVm]: z.object({ [ACTION.leaveOutVm]: z.object({ selected_option: z.object({ value: z.string() }).nullish() }) }),
  [BLOCK.leaveOutReason]: z.object({ [ACTION.leaveOutReason]: z.object({ value: z.string().nullish() }) }),
});

/** Records that the run goes on without a failed VM, with who decided it and why; the VM is released. */
export function registerLeaveOutSubmission(app: App, deps: BotDeps): void {
  app.view(CALLBACK.leaveOut, async ({ ack, body, view }) => {
    const update = (text: string) => ack({ response_action: 'update', view: leaveOutNotice(text) });
    const parsed = values.safeParse(view.state.values);
    if (!parsed.success) return update('This form is out of date. Nothing changed.');
    const reason = (parsed.data[BLOCK.leaveOutReason][ACTION.leaveOutReason].value ?? '').trim();
    if (reason === '') return ack({ response_action: 'errors', errors: { [BLOCK.leaveOutReason]: 'Say why the run goes on without this VM.' } });
    try {
      const run = await deps.store.get(view.private_metadata);
      if (!run) return update('This run no longer exists.');
      const verdict = await verdictFor(deps, run, body.user.id, 'handle-failed');
      if (!verdict.allowed) return update(verdict.reason);
      const vm = leftOutVm(run, parsed.data[BLOCK.leaveOutVm][ACTION.leaveOutVm].selected_option?.value ?? '');
      if (!vm) return update('That VM is no longer waiting for a decision. Nothing changed.');
      const at = new Date(deps.now()).toISOString();
      const result = await deps.store.apply(run.id, { type: 'vm-left-out', vmId: vm.id, by: body.user.id, at, reason });
      if (!result.applied) return update(`Nothing changed: ${escapeMrkdwn(result.reason)}.`);
      await deps.effects.run(result.run, result.effects);
      deps.log.info({ runId: run.id, user: body.user.id, vm: vm.name }, 'VM left out of the run');
      return ack({ response_action: 'clear' });
    } catch (e) {
      deps.log.error({ err: e }, 'leave-out submission failed');
      return update(isFailbackError(e) ? e.userMessage : 'Something went wrong; nothing changed.');
    }
  });
}
