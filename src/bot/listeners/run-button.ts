import type { Listeners } from '../../slack/listener-router';
import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Run } from '../../domain/run';
import { isFailbackError } from '../../errors';
import { setRunId } from '../../observability/log-context';
import type { BotDeps } from '../deps';
import { authorizedRun, tellClicker, type RunAction } from './commit-guard';

/** What a run button's handler gets: the run as stored (the clicker may act on it), and how to answer. */
export interface RunClick {
  readonly run: Run;
  readonly userId: string;
  readonly triggerId: string;
  readonly client: WebClient;
  /** Answers the clicker where they clicked (ephemeral, in the same thread). */
  readonly tell: (text: string) => Promise<unknown>;
}

/**
 * A button on a run's card or prompt. One place acks at once, names the run in the logs, re-reads
 * the run the click is about and applies the approval policy to it (a refusal is told and audited),
 * and turns any error into a sentence safe to show; `handle` does only what the button is for.
 */
export function onRunButton(
  app: Listeners,
  deps: BotDeps,
  actionId: string,
  spec: { readonly who: RunAction; readonly whenFailed: string; readonly handle: (click: RunClick) => Promise<void> },
): void {
  app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client, respond }) => {
    await ack();
    setRunId(action.value);
    const tell = tellClicker(deps, { body, client, respond });
    try {
      const run = await authorizedRun(deps, action.value ?? '', body.user.id, spec.who, tell);
      if (run) await spec.handle({ run, userId: body.user.id, triggerId: body.trigger_id, client, tell });
    } catch (e) {
      deps.log.error({ err: e, actionId }, 'run button failed');
      await tell(isFailbackError(e) ? e.userMessage : spec.whenFailed);
    }
  });
}
