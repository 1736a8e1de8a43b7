import type { Listeners } from '../../../slack/listener-router';
import type { ViewOutput } from '@slack/bolt';
import { z } from 'zod';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { choicesPerVm, missingChoices } from '../../../domain/reprotect-form';
import { isFailbackError } from '../../../errors';
import type { BotDeps } from '../../deps';
import { CALLBACK, parseReprotectBlockId } from '../../ids';
import { optionKey, reprotectNoticeModal } from '../../views';
import { changeRun } from '../../../jobs/change-run';
import { workingModal } from '../../views/notice-modals';
import { reprotectVerdict } from '../commit-guard';
import { onSubmission, type ModalAnswer } from '../deadline';

// A static select and an external one (a field of more than 100 options) both send `selected_option`;
// its value is an option key, mapped back to the full id over the form cached for the run.
const stateSchema = z.record(
  z.string(),
  z.record(z.string(), z.object({ selected_option: z.object({ value: z.string() }).nullish() }).passthrough()),
);

/** Reprotect submitted: one reprotect per VM with the chosen inputs, exactly once per run round. */
export function registerReprotectSubmission(app: Listeners, deps: BotDeps): void {
  onSubmission(
    app,
    deps.log,
    CALLBACK.reprotect,
    workingModal(CALLBACK.reprotect, 'Reprotect to Azure', 'Recording the reprotect…'),
    (view, userId) => decideReprotect(deps, view, userId),
  );
}

async function decideReprotect(deps: BotDeps, view: ViewOutput, userId: string): Promise<ModalAnswer> {
  const notice = (text: string): ModalAnswer => ({ kind: 'update', view: reprotectNoticeModal(text) });
  try {
    const run = await deps.store.get(view.private_metadata);
    const form = run && (await deps.facts.reprotectForm(run.id));
    if (!run || !form) return notice('This form is out of date. Press Reprotect on the run card again.');
    const verdict = await reprotectVerdict(deps, userId);
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
    const result = await changeRun(deps, run.id, {
      type: 'reprotect-requested',
      by: userId,
      at: new Date(deps.now()).toISOString(),
      windowMs: deps.reprotectRetryWindowMs,
      choices: choicesPerVm(form, perGroup),
    });
    if (!result.applied) return notice(`Nothing to do: ${escapeMrkdwn(result.reason)}.`);
    await deps.facts.retireReprotectForm(run.id);
    deps.log.info({ runId: run.id, user: userId, queued: result.queued }, 'reprotect requested');
    if (!result.queued)
      return notice(
        `Reprotect of ${run.id} recorded. The bot’s job queue did not answer just now; it starts by itself as soon as it does (usually within a minute).`,
      );
    return {
      kind: 'clear',
      late: reprotectNoticeModal(`:white_check_mark: Reprotect of ${run.id} started; the run card shows its progress.`),
    };
  } catch (e) {
    deps.log.error({ err: e }, 'reprotect submission failed');
    return notice(isFailbackError(e) ? e.userMessage : 'Something went wrong; nothing was started.');
  }
}
