import type { Listeners } from '../../../slack/listener-router';
import { awaitsCommit } from '../../../domain/run';
import type { BotDeps } from '../../deps';
import { ACTION } from '../../ids';
import { confirmCommitModal } from '../../views';
import { actorText } from '../../views/people';
import { onRunButton, type RunClick } from '../run-button';

/** Commit: opens a confirmation naming the Azure VMs the commit deletes. Nothing changes until it is submitted. */
export async function commitClicked(click: RunClick): Promise<void> {
  const { run } = click;
  if (run.commit) return void (await click.tell(`Already committed: approved by ${actorText(run.commit.approvedBy)}.`));
  if (!awaitsCommit(run)) return void (await click.tell(`Run ${run.id} is not waiting for a commit.`));
  await click.client.views.open({ trigger_id: click.triggerId, view: confirmCommitModal(run) });
}

export function registerCommitButton(app: Listeners, deps: BotDeps): void {
  onRunButton(app, deps, ACTION.commit, {
    who: 'commit',
    whenFailed: 'Something went wrong; nothing was committed.',
    handle: commitClicked,
  });
}
