import { mayCommit, type ApprovalVerdict } from '../../domain/approval';
import type { Run } from '../../domain/run';
import type { BotDeps } from '../deps';

/** The approval policy applied to a run re-read from the store (never to ids carried in the click). */
export async function commitVerdict(deps: BotDeps, run: Run, userId: string): Promise<ApprovalVerdict> {
  const inGroup = deps.policy.approverUsers.includes(userId) ? false : await deps.approvers.isInApproverGroup(userId);
  return mayCommit(deps.policy, userId, run.requesterId, inGroup);
}
