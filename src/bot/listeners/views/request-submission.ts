import type { Listeners } from '../../../slack/listener-router';
import type { ViewOutput } from '@slack/bolt';
import type { BotDeps } from '../../deps';
import { BLOCK, CALLBACK } from '../../ids';
import { noticeModal, problemModal, workingModal } from '../../views/notice-modals';
import { onSubmission, type ModalAnswer } from '../deadline';
import { vaultLabel } from '../../../domain/vault';
import { safeLine } from '../../views/text';
import { decideRequest, type RequestOutcome } from './request-outcome';

const TITLE = 'Request a failback';
const notice = (...lines: string[]) => noticeModal({ callbackId: CALLBACK.request, title: TITLE, lines });

/**
 * The request's Submit. Answered within Slack's 3 s from facts gathered while the modal was open:
 * inline errors change nothing; an accepted request becomes a run. Should the decision take longer,
 * the modal turns into a "working…" view at the deadline and then shows the outcome.
 */
export function registerRequestSubmission(app: Listeners, deps: BotDeps): void {
  onSubmission(
    app,
    deps.log,
    CALLBACK.request,
    workingModal(CALLBACK.request, TITLE, 'Checking the request and creating the run…'),
    (view, userId, client) => decideRequest(deps, client, userId, view).then((outcome) => answerOf(view, outcome)),
  );
}

function answerOf(view: ViewOutput, outcome: RequestOutcome): ModalAnswer {
  switch (outcome.kind) {
    case 'started': {
      const runs = [outcome.run, ...(outcome.others ?? [])];
      if (runs.length === 1 && !outcome.notes?.length)
        return {
          kind: 'clear',
          late: notice(`:white_check_mark: *${outcome.run.id}* started. Its card is in <#${outcome.run.channelId}>.`),
        };
      // VMs of several vaults: one run per vault, each with its own card (said so, whatever else happened).
      const lines = runs.map(
        (r) =>
          `:white_check_mark: *${r.id}* started for the VMs of ${r.vault ? safeLine(vaultLabel(r.vault), 100) : 'its vault'}.`,
      );
      for (const n of outcome.notes ?? []) lines.push(`:warning: Not started: ${safeLine(n, 500)}`);
      lines.push(
        `A run fails back the VMs of one vault, so this request made ${runs.length}. Their cards are in <#${outcome.run.channelId}>.`,
      );
      return { kind: 'update', view: notice(...lines) };
    }
    case 'recorded':
      return {
        kind: 'update',
        view: notice(
          `:hourglass_flowing_sand: *${outcome.run.id}* is recorded, but the bot’s job queue did not answer just now.`,
          `Its card and its failover start by themselves as soon as the queue answers again (usually within a minute), in <#${outcome.run.channelId}>. Nothing has been sent to Azure yet.`,
        ),
      };
    case 'unknown':
      return {
        kind: 'update',
        view: notice(
          ':warning: The bot’s store answered too slowly to tell whether the run was created.',
          `If it was, its card appears in <#${outcome.channelId}> within a minute and it starts by itself. Do not submit again before you have looked there (or run \`/failback history\`).`,
        ),
      };
    case 'invalid':
    case 'failed': {
      // An inline error must name a block the view has (a vault with plans only has no VM select).
      const has = (id: string) => view.blocks.some((b) => b.block_id === id);
      const wanted = outcome.kind === 'invalid' ? (outcome.block ?? BLOCK.vms) : BLOCK.vms;
      const block = has(wanted) ? wanted : has(BLOCK.vms) ? BLOCK.vms : BLOCK.plan;
      const next =
        outcome.kind === 'invalid'
          ? 'Nothing was started. Close this and run /failback again.'
          : 'Close this and run /failback again.';
      return {
        kind: 'errors',
        errors: { [block]: outcome.text },
        late: problemModal(CALLBACK.request, TITLE, outcome.text, next),
      };
    }
  }
}
