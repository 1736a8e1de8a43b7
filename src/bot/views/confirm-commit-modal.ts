import type { KnownBlock, View } from '@slack/types';
import { type Run, commitScope, uncheckedForCommit } from '../../domain/run';
import { summarizeChecks } from '../../domain/app-checks';
import { describePoint } from '../../domain/vm';
import { ACTION, BLOCK, CALLBACK } from '../ids';
import { checkLines } from './check-results';
import { LIMITS, plain, safeLine, section } from './text';
import { vmSections } from './vm-list';

/**
 * The confirmation behind the Commit button. It names exactly the Azure VMs the commit deletes
 * (those whose failover succeeded) and carries the run id in private_metadata.
 */
export function confirmCommitModal(run: Run): View {
  const scope = commitScope(run);
  const left = run.vms.length - scope.length;
  const blocks: KnownBlock[] = [
    section(':warning: *Committing deletes the failed-over Azure VMs. This cannot be undone.*'),
    section(
      `*Run* ${run.id} · *Incident* ${safeLine(run.incident, 200) || '—'} · ` +
        `*Recovery point* ${safeLine(describePoint(run.recoveryPoint), 200)}`,
    ),
  ];
  const after: KnownBlock[] = [];
  if (left > 0) {
    after.push(
      section(
        (left === 1
          ? '1 VM whose failover failed is not committed'
          : `${left} VMs whose failover failed are not committed`) +
          ': the run goes on without them (they are released for a new request, and the audit trail records it).',
      ),
    );
  }
  if (run.plan && scope.length === run.vms.length) {
    after.push(section(`The recovery plan *${safeLine(run.plan.name, 100)}* is committed as one ASR job.`));
  }
  if (scope.length === 0) {
    blocks.push(section('No VM failed over: there is nothing to commit.'));
  } else {
    // Every name fits for 500 VMs (about 15 sections); past the modal's 100 blocks they are counted.
    const lines = scope.map((v) => `• ${safeLine(v.name, 80)}`);
    blocks.push(section(`*Azure VMs that will be deleted (${scope.length}):*`));
    blocks.push(...vmSections(run.id, lines, LIMITS.modalBlocks - blocks.length - after.length));
  }
  blocks.push(...after);
  blocks.push(...checksWarning(run));
  return {
    type: 'modal',
    callback_id: CALLBACK.confirmCommit,
    private_metadata: run.id,
    title: plain('Commit failback', LIMITS.modalTitle),
    ...(scope.length > 0 ? { submit: plain('Commit', LIMITS.modalTitle) } : {}),
    close: plain('Cancel', LIMITS.modalTitle),
    blocks,
  };
}

/**
 * When application checks have not all passed: which, with their evidence, and a required reason.
 * The commit stays the approver's decision: it is never blocked, but the reason goes in the trail.
 */
function checksWarning(run: Run): KnownBlock[] {
  const unchecked = uncheckedForCommit(run);
  if (unchecked.length === 0) return [];
  const lines = unchecked.slice(0, 10).map((v) => {
    const s = summarizeChecks(v.checks ?? []);
    const what = s.failed > 0 ? `${s.failed} failed` : `${s.trying + s.pending} still trying`;
    return [`*${safeLine(v.name, 80)}* — checks: ${what}`, ...checkLines(v.checks).slice(0, 5)].join('\n');
  });
  if (unchecked.length > 10) lines.push(`…and ${unchecked.length - 10} more VMs`);
  return [
    section(`:warning: *Application checks have not all passed.*\n${lines.join('\n')}`.slice(0, LIMITS.sectionText)),
    {
      type: 'input',
      block_id: BLOCK.checksReason,
      label: plain('Why commit anyway?', LIMITS.modalTitle * 4),
      element: {
        type: 'plain_text_input',
        action_id: ACTION.checksReason,
        multiline: true,
        max_length: 500,
        placeholder: plain('e.g. the web check fails on a known certificate issue; the app team verified by hand'),
      },
    },
  ];
}
