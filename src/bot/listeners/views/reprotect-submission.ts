import type { App } from '@slack/bolt';
import { z } from 'zod';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { choicesPerVm, missingChoices } from '../../../domain/reprotect-form';
import { isFailbackError } from '../../../errors';
import type { BotDeps } from '../../deps';
import { CALLBACK, parseReprotectBlockId } from '../../ids';
import { optionKey, reprotectNoticeModal } from '../../views';
import { reprotectVerdict } from '../commit-guard';

const stateSchema = z.record(
  z.string(),
  z.record(z.string(), z.object({ selected_option: z.object({ value: z.string() }).nullish() }).passthrough()),
);

/** Reprotect submitted: one reprotect per VM with the chosen inputs, exactly once per run round. */
export function registerReprotectSubmission(app: App, deps: BotDeps): void {
  app.view(CALLBACK.reprotect, async ({ ack, body, view }) => {
    const notice = (text: string) => ack({ response_action: 'update', view: reprotectNoticeModal(text) });
    try {
      const run = await deps.store.get(view.private_metadata);
      const form = run && (await deps.facts.reprotectForm(run.id));
      if (!run || !form) return notice('This form is out of date. Press Reprotect on the run card again.');
      const verdict = await reprotectVerdict(deps, body.user.id);
      if (!verdict.allowed) return notice(verdict.reason);
      const parsed = stateSchema.safeParse(view.state.values);
      if (!parsed.success) return notice('This form is out of date. Press Reprotect on the run card again.');
      const perGroup: Record<string, Record<string, string>> = {};
      for (const [blockId, actions] of Object.entries(parsed.data)) {
        const at = parseReprotectBlockId(blockId);
        const group = at && form.groups[at.group];
        const key = actions[blockId]?.selected_option?.value;
        const field = group?.fields.find((f) => f.id === at?.field);
        const value = field?.options.find((o) => optionKey(o.value) === key)?.value;
        if (group && field && value) (perGroup[group.key] ??= {})[field.id] = value;
      }
      const missing = missingChoices(form, perGroup);
      if (missing.length > 0) return notice(`Missing: ${escapeMrkdwn(missing.join(', '))}.`);
      const result = await deps.store.apply(run.id, {
        type: 'reprotect-requested',
        by: body.user.id,
        at: new Date(deps.now()).toISOString(),
        windowMs: deps.reprotectRetryWindowMs,
        choices: choicesPerVm(form, perGroup),
      });
      if (!result.applied) return notice(`Nothing to do: ${escapeMrkdwn(result.reason)}.`);
      await deps.effects.run(result.run, result.effects);
      await deps.facts.retireReprotectForm(run.id);
      deps.log.info({ runId: run.id, user: body.user.id }, 'reprotect requested');
      return ack({ response_action: 'clear' });
    } catch (e) {
      deps.log.error({ err: e }, 'reprotect submission failed');
      return notice(isFailbackError(e) ? e.userMessage : 'Something went wrong; nothing was started.');
    }
  });
}
