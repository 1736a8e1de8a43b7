import type { KnownBlock, View } from '@slack/types';
import { type Run, commitScope } from '../../domain/run';
import { describePoint } from '../../domain/vm';
import { CALLBACK } from '../ids';
import { LIMITS, packLines, plain, safeLine, section } from './text';

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
  if (scope.length === 0) {
    blocks.push(section('No VM failed over: there is nothing to commit.'));
  } else {
    const lines = scope.map((v) => `• ${safeLine(v.name, 80)}`);
    const texts = packLines(lines, LIMITS.sectionText, LIMITS.modalBlocks - blocks.length - 2, 'more VMs');
    blocks.push(section(`*Azure VMs that will be deleted (${scope.length}):*`), ...texts.map((t) => section(t)));
  }
  if (left > 0) {
    blocks.push(
      section(
        (left === 1 ? '1 VM whose failover failed is not committed' : `${left} VMs whose failover failed are not committed`) +
          ': the run goes on without them (they are released for a new request, and the audit trail records it).',
      ),
    );
  }
  if (run.plan && scope.length === run.vms.length) {
    blocks.push(section(`The recovery plan *${safeLine(run.plan.name, 100)}* is committed as one ASR job.`));
  }
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
