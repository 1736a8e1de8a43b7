import type { Listeners } from '../../../slack/listener-router';
import { z } from 'zod';
import type { BotDeps } from '../../deps';
import { REPROTECT_FIELD_ACTION, parseReprotectBlockId } from '../../ids';
import { reprotectFieldOptions } from '../../views';

const suggestionSchema = z.object({
  action_id: z.string(),
  value: z.string().optional(),
  view: z.object({ private_metadata: z.string() }),
});

/**
 * Type-ahead for a reprotect field with more options than a static select may list (e.g. a fabric
 * with 150 process servers). Answered from the form cached for the run when the modal was built —
 * never from ARM, which could not answer within Slack's 3 s — so the values are the same keys the
 * submission maps back to full ids. The modal's private_metadata names the run.
 */
export function registerReprotectOptions(app: Listeners, deps: BotDeps): void {
  app.options(REPROTECT_FIELD_ACTION, async ({ ack, body }) => {
    const parsed = suggestionSchema.safeParse(body);
    const at = parsed.success ? parseReprotectBlockId(parsed.data.action_id) : undefined;
    if (!parsed.success || !at) return ack({ options: [] });
    try {
      const form = await deps.facts.reprotectForm(parsed.data.view.private_metadata);
      const field = form?.groups[at.group]?.fields.find((f) => f.id === at.field);
      if (!field) return ack({ options: [] });
      return ack({ options: reprotectFieldOptions(field, parsed.data.value ?? '', new Date(deps.now())) });
    } catch (e) {
      deps.log.warn({ err: e }, 'could not answer a reprotect field search');
      return ack({ options: [] });
    }
  });
}
