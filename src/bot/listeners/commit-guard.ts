import { mayCommit, mayReprotect, type ApprovalVerdict } from '../../domain/approval';
import type { Run } from '../../domain/run';
import type { BotDeps } from '../deps';

async function inApproverGroup(deps: BotDeps, userId: string): Promise<boolean> {
  return deps.policy.approverUsers.includes(userId) ? false : deps.approvers.isInApproverGroup(userId);
}

/** The approval policy applied to a run re-read from the store (never to ids carried in the click). */
export async function commitVerdict(deps: BotDeps, run: Run, userId: string): Promise<ApprovalVerdict> {
  return mayCommit(deps.policy, userId, run.requesterId, await inApproverGroup(deps, userId));
}

export async function reprotectVerdict(deps: BotDeps, userId: string): Promise<ApprovalVerdict> {
  return mayReprotect(deps.policy, userId, await inApproverGroup(deps, userId));
}
