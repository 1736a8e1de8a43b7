import type { Listeners } from '../../../slack/listener-router';
import { escapeMrkdwn } from '../../../domain/mrkdwn';
import { awaitsReprotect, reprotectScope } from '../../../domain/run';
import { isFailbackError } from '../../../errors';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { loadingReprotectModal, reprotectModal, reprotectNoticeModal } from '../../views';
import { onRunButton, type RunClick } from '../run-button';

/**
 * Reprotect (or Retry reprotect): approvers only. Opens a loading modal at once (trigger_id lives
 * 3 s), then fills it with the inputs read from each VM's own fabric.
 */
export async function reprotectClicked(deps: BotDeps, click: RunClick): Promise<void> {
  const { run, client } = click;
  if (!awaitsReprotect(run)) return void (await click.tell(`Run ${run.id} is not waiting for a reprotect.`));
  const opened = await client.views.open({ trigger_id: click.triggerId, view: loadingReprotectModal(run.id) });
  const viewId = opened.view?.id;
  if (!viewId) return;
  try {
    const vms = reprotectScope(run).filter((v) => v.reprotect?.status !== 'succeeded');
    // A run's VMs are all in one vault.
    const form = await deps.estate.of(run.vms[0]?.id ?? '').reprotectForm(
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
}

export function registerReprotectButton(app: Listeners, deps: BotDeps): void {
  onRunButton(app, deps, ACTION.reprotect, {
    who: 'reprotect',
    whenFailed: 'Something went wrong; nothing was started.',
    handle: (click) => reprotectClicked(deps, click),
  });
}
