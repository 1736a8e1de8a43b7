/**
 * Input validation of the item operations, as ASR does it on recorded traffic, and the state change
 * each applies when its job succeeds. Refusals are ARM errors (400/409) with ASR-like codes and
 * messages a person can act on. Reprotect is in validate-reprotect.ts.
 */
import { type ItemState, viewOf } from './model';
import type { OperationKind } from './types';
import {
  bad,
  checkDirection,
  checkNoDirection,
  common,
  details,
  ERROR_CODES,
  props,
  quoted,
  type Validation,
  type ValidationContext,
} from './validate-common';
import { validateReprotect } from './validate-reprotect';

export {
  ERROR_CODES,
  agentNotRegisteredMessage,
  rcmAgentNotRegisteredMessage,
  type Validation,
  type ValidationContext,
} from './validate-common';

export function validateUnplannedFailover(ctx: ValidationContext, item: ItemState, body: unknown): Validation {
  const provider = viewOf(item).provider;
  if (provider !== 'InMage') {
    const hint =
      provider === 'InMageRcmFailback'
        ? ' Use planned failover to fail it back.'
        : provider === 'InMageAzureV2' || provider === 'InMageRcm'
          ? ' It replicates to Azure: a failover would move it to Azure, not back to AVS.'
          : '';
    return bad(
      ERROR_CODES.notSupported,
      `Unplanned failover back to AVS is not supported for the virtual machine '${item.friendlyName}' replicated by provider '${provider}'.${hint}`,
    );
  }
  const refused = common(item, 'UnplannedFailover');
  if (refused) return refused;
  const p = props(body);
  const d = details(p);
  if (!ctx.planMember) {
    const wrong = checkDirection(item, p.failoverDirection, 'failover');
    if (wrong) return wrong;
  }
  const site = p.sourceSiteOperations;
  if (site !== 'Required' && site !== 'NotRequired')
    return bad(
      ERROR_CODES.invalid,
      `sourceSiteOperations must be 'Required' (ASR shuts the VM in Azure down first) or 'NotRequired'; got ${quoted(site)}.`,
    );
  if (d.instanceType !== 'InMage')
    return bad(
      ERROR_CODES.invalid,
      `providerSpecificDetails.instanceType must be 'InMage' for the virtual machine '${item.friendlyName}'; got ${quoted(d.instanceType)}.`,
    );
  const type = d.recoveryPointType;
  if (type !== 'LatestTime' && type !== 'LatestTag' && type !== 'Custom')
    return bad(
      ERROR_CODES.invalid,
      `recoveryPointType must be 'LatestTime', 'LatestTag' or 'Custom'; got ${quoted(type)}.`,
    );
  const givenId = typeof d.recoveryPointId === 'string' ? d.recoveryPointId : undefined;
  if (type === 'Custom' && !givenId)
    return bad(ERROR_CODES.invalid, `recoveryPointId is required when recoveryPointType is 'Custom'.`);
  if (type !== 'Custom' && givenId)
    return bad(ERROR_CODES.invalid, `recoveryPointId is only allowed when recoveryPointType is 'Custom'.`);
  const same = (a: string) => a.toLowerCase() === givenId?.toLowerCase();
  const point =
    type === 'Custom'
      ? item.points.find((pt) => same(pt.name) || same(ctx.vault.pointId(item, pt.name)))
      : item.points.find((pt) => (type === 'LatestTag' ? pt.type === 'ApplicationConsistent' : true));
  if (type === 'Custom' && !point)
    return bad(
      ERROR_CODES.invalid,
      `The recovery point '${givenId}' does not exist for the virtual machine '${item.friendlyName}'.`,
    );
  if (!point)
    return bad(
      ERROR_CODES.noRecoveryPoint,
      `No ${type === 'LatestTag' ? 'application-consistent ' : ''}recovery point is available for the virtual machine '${item.friendlyName}'.`,
    );
  return {
    ok: true,
    taskFaults: [],
    skipShutdown: site === 'NotRequired',
    point,
    apply: (now) => {
      item.stage = 'failedOver';
      item.lastFailoverTime = new Date(now);
      item.failoverPointId = ctx.vault.pointId(item, point.name);
    },
  };
}

export function validatePlannedFailover(ctx: ValidationContext, item: ItemState, body: unknown): Validation {
  const provider = viewOf(item).provider;
  if (provider !== 'InMageRcmFailback') {
    return bad(
      ERROR_CODES.notSupported,
      `Planned failover is not supported for the virtual machine '${item.friendlyName}' replicated by provider '${provider}'.${provider === 'InMage' ? ' Use unplanned failover to fail it back.' : ''}`,
    );
  }
  const refused = common(item, 'PlannedFailover');
  if (refused) return refused;
  const p = props(body);
  const d = details(p);
  if (!ctx.planMember) {
    const wrong = checkNoDirection(item, p.failoverDirection, 'planned failover');
    if (wrong) return wrong;
  }
  if (d.instanceType !== 'InMageRcmFailback')
    return bad(
      ERROR_CODES.invalid,
      `providerSpecificDetails.instanceType must be 'InMageRcmFailback' for the virtual machine '${item.friendlyName}'; got ${quoted(d.instanceType)}.`,
    );
  if (d.recoveryPointType !== 'CrashConsistent' && d.recoveryPointType !== 'ApplicationConsistent')
    return bad(
      ERROR_CODES.invalid,
      `recoveryPointType must be 'CrashConsistent' or 'ApplicationConsistent'; got ${quoted(d.recoveryPointType)}.`,
    );
  return {
    ok: true,
    taskFaults: [],
    apply: (now) => {
      item.stage = 'failedOver';
      item.lastFailoverTime = new Date(now);
      // Recorded: the flag is false right after the failback; it turns true once the agent registers.
      item.agentRegisteredAt = now + ctx.agentRegistrationDelayMs;
    },
  };
}

export function validateCommit(_ctx: ValidationContext, item: ItemState): Validation {
  const refused = common(item, 'Commit');
  if (refused) return refused;
  return {
    ok: true,
    taskFaults: [],
    apply: () => {
      item.stage = 'committed';
      item.points = [];
    },
  };
}

/** Dispatches to the operation's validator. */
export function validate(ctx: ValidationContext, kind: OperationKind, item: ItemState, body: unknown): Validation {
  switch (kind) {
    case 'unplannedFailover':
      return validateUnplannedFailover(ctx, item, body);
    case 'plannedFailover':
      return validatePlannedFailover(ctx, item, body);
    case 'failoverCommit':
      return validateCommit(ctx, item);
    case 'reprotect':
      return validateReprotect(ctx, item, body);
  }
}
