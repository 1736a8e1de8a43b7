export interface ApprovalPolicy {
  readonly approverUsers: readonly string[];
  readonly approverGroups: readonly string[];
  readonly fourEyes: boolean;
}

export type ApprovalVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/**
 * May `userId` commit a run requested by `requesterId`? `groupsOfUser` are the configured approver
 * groups the user belongs to (resolved by the shell).
 */
export function mayCommit(
  policy: ApprovalPolicy,
  userId: string,
  requesterId: string,
  userIsInApproverGroup: boolean,
): ApprovalVerdict {
  const approver = policy.approverUsers.includes(userId) || userIsInApproverGroup;
  if (!approver) return { allowed: false, reason: 'Only configured approvers can commit a failback.' };
  if (policy.fourEyes && userId === requesterId) {
    return {
      allowed: false,
      reason: 'Four-eyes rule: you requested this failback, so another approver has to commit it.',
    };
  }
  return { allowed: true };
}

/** Channel allow-list: undefined means every channel. */
export function channelAllowed(allowed: readonly string[] | undefined, channelId: string): boolean {
  return allowed === undefined || allowed.includes(channelId);
}

/** Reprotect deletes nothing: any approver may start it, the requester included. */
export function mayReprotect(policy: ApprovalPolicy, userId: string, userIsInApproverGroup: boolean): ApprovalVerdict {
  return policy.approverUsers.includes(userId) || userIsInApproverGroup
    ? { allowed: true }
    : { allowed: false, reason: 'Only configured approvers can start the reprotect.' };
}

/** Decisions that delete nothing are for the requester or any approver. */
function requesterOrApprover(
  policy: ApprovalPolicy,
  userId: string,
  requesterId: string,
  userIsInApproverGroup: boolean,
  deed: string,
): ApprovalVerdict {
  return userId === requesterId || policy.approverUsers.includes(userId) || userIsInApproverGroup
    ? { allowed: true }
    : { allowed: false, reason: `Only the requester or a configured approver can ${deed}.` };
}

/** Retrying or leaving out the VMs whose failover failed deletes nothing. */
export function mayHandleFailedVms(
  policy: ApprovalPolicy,
  userId: string,
  requesterId: string,
  userIsInApproverGroup: boolean,
): ApprovalVerdict {
  return requesterOrApprover(policy, userId, requesterId, userIsInApproverGroup, 'retry or leave out a failed VM');
}

/** FAILBACK_REQUESTERS: undefined means everyone in an allowed channel may request a failback. */
export interface RequesterPolicy {
  readonly requesters: { readonly users: readonly string[]; readonly groups: readonly string[] } | undefined;
}

export function mayRequest(policy: RequesterPolicy, userId: string, userIsInRequesterGroup: boolean): ApprovalVerdict {
  if (!policy.requesters || policy.requesters.users.includes(userId) || userIsInRequesterGroup)
    return { allowed: true };
  return {
    allowed: false,
    reason:
      'Only configured requesters can request a failback here. Ask your incident lead or platform team (FAILBACK_REQUESTERS).',
  };
}

/** Cancelling before anything was issued deletes nothing. */
export function mayCancel(
  policy: ApprovalPolicy,
  userId: string,
  requesterId: string,
  userIsInApproverGroup: boolean,
): ApprovalVerdict {
  return requesterOrApprover(policy, userId, requesterId, userIsInApproverGroup, 'cancel a failback');
}
