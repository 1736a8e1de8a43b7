import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { phaseOf, reprotectScope } from '../../../domain/run';
import { isFailbackError } from '../../../errors';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { loadingReprotectModal, reprotectModal, reprotectNoticeModal } from '../../views';
import { authorizedRun, tellClicker } from '../commit-guard';

/**
 * Reprotect (or Retry reprotect): approvers only. Opens a loading modal at once (trigger_id lives
 * 3 s), then fills it with the inputs read from each VM's own fabric.
 */
export function registerReprotectButton(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.reprotect, async ({ ack, body, action, client, respond }) => {
    await ack();
    const tell = tellClicker(deps, { body, client, respond });
    try {
      const run = await authorizedRun(deps, action.value ?? '', body.user.id, 'reprotect', tell);
      if (!run) return;
      const phase = phaseOf(run);
      if (phase !== 'awaiting-reprotect' && phase !== 'reprotect-failed') {
        return void (await tell(`Run ${run.id} is not waiting for a reprotect.`));
      }
      const opened = await client.views.open({ trigger_id: body.trigger_id, view: loadingReprotectModal(run.id) });
      const viewId = opened.view?.id;
      if (!viewId) return;
      try {
        const vms = reprotectScope(run).filter((v) => v.reprotect?.status !== 'succeeded');
        const form = await deps.gateway.reprotectForm(
          vms.map((v) => v.id),
          { abortSignal: deps.shutdown },
        );
        await deps.facts.putReprotectForm(run.id, form);
        await client.views.update({ view_id: viewId, view: reprotectModal(run, form, new Date(deps.now())) });
      } catch (e) {
        deps.log.warn({ err: e, runId: run.id }, 'could not build the reprotect modal');
        const message = isFailbackError(e) ? e.userMessage : 'Unexpected error while reading the fabric.';
        await client.views.update({ view_id: viewId, view: reprotectNoticeModal(escapeMrkdwn(message)) });
      }
    } catch (e) {
      deps.log.error({ err: e }, 'reprotect button failed');
      await tell(isFailbackError(e) ? e.userMessage : 'Something went wrong; nothing was started.');
    }
  });
}
