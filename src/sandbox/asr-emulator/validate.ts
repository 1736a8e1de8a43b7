/**
 * Input validation of the item operations, as ASR does it, and the state change each applies
 * when its job succeeds. Refusals are ARM errors (400/409) with ASR-like codes and messages.
 */
import type { TaskFault } from './jobs';
import { type ItemState, type VaultState, viewOf } from './model';
import { armError, type Reply } from './reply';
import type { OperationKind } from './types';

/** Error codes the emulator answers (documented in README.md). */
export const ERROR_CODES = {
  operationInProgress: 'OperationInProgress',
  notAllowed: 'OperationNotAllowedInCurrentState',
  notSupported: 'OperationNotSupportedForProvider',
  invalid: 'InvalidParameter',
  noRecoveryPoint: 'NoRecoveryPointAvailable',
  processServer: 'ProcessServerNotFound',
  masterTarget: 'MasterTargetNotFound',
  policy: 'InvalidPolicy',
  runAs: 'RunAsAccountNotFound',
  /** Deliberately generic: ASR documents no code for agent-not-registered; match the message. */
  agentNotRegistered: 'ReprotectPreconditionFailed',
} as const;

/** The message of the classic agent-not-registered refusal or job error. */
export function agentNotRegisteredMessage(vm: string): string {
  return `The Mobility service (agent) is not installed or not registered with the configuration server on the virtual machine '${vm}'. Wait until the agent on the VM has registered (about 15 minutes after the VM started) and retry the operation.`;
}

/** The message of the modernized agent-not-registered job error. */
export function rcmAgentNotRegisteredMessage(vm: string): string {
  return `The Mobility service (agent) on the virtual machine '${vm}' is not registered with the replication appliance after the failover. Wait until the agent has registered and retry the operation.`;
}

export type Validation =
  | { readonly ok: false; readonly error: Reply }
  | { readonly ok: true; readonly taskFaults: TaskFault[]; readonly apply: (now: number) => void };

interface Ctx {
  readonly vault: VaultState;
  readonly now: number;
  readonly agentRegistrationDelayMs: number;
}

const bad = (code: string, message: string): Validation => ({ ok: false, error: armError(400, code, message) });
const props = (body: unknown): Record<string, unknown> => {
  const p = (body as { properties?: unknown } | undefined)?.properties;
  return p && typeof p === 'object' ? (p as Record<string, unknown>) : {};
};
const details = (p: Record<string, unknown>): Record<string, unknown> => {
  const d = p.providerSpecificDetails;
  return d && typeof d === 'object' ? (d as Record<string, unknown>) : {};
};

/** Checks what every operation needs: nothing running, the operation allowed now. */
function common(item: ItemState, allowed: string, label: string): Validation | undefined {
  if (item.scenario) {
    return {
      ok: false,
      error: armError(409, ERROR_CODES.operationInProgress, `The operation '${label}' cannot be started on the virtual machine '${item.friendlyName}': the operation '${item.scenario.scenarioName}' (job ${item.scenario.jobName}) is in progress on it. Wait for it to finish and retry.`),
    };
  }
  const view = viewOf(item);
  if (!view.allowedOperations.includes(allowed)) {
    return bad(ERROR_CODES.notAllowed, `The operation '${label}' is not allowed on the virtual machine '${item.friendlyName}' in its current state '${view.protectionStateDescription}' (provider ${view.provider}). Allowed operations: ${view.allowedOperations.join(', ') || 'none'}.`);
  }
  return undefined;
}

export function validateUnplannedFailover(ctx: Ctx, item: ItemState, body: unknown): Validation {
  const provider = viewOf(item).provider;
  if (provider !== 'InMage') {
    return bad(ERROR_CODES.notSupported, `Unplanned failover from Azure is not supported for the virtual machine '${item.friendlyName}' replicated by provider '${provider}'.${provider === 'InMageRcmFailback' ? ' Use planned failover to fail it back.' : ''}`);
  }
  const refused = common(item, 'UnplannedFailover', 'UnplannedFailover');
  if (refused) return refused;
  const p = props(body);
  const d = details(p);
  if (p.failoverDirection !== 'RecoveryToPrimary') return bad(ERROR_CODES.invalid, `failoverDirection must be 'RecoveryToPrimary' to fail back from Azure; got '${String(p.failoverDirection)}'.`);
  if (p.sourceSiteOperations !== 'Required') return bad(ERROR_CODES.invalid, `sourceSiteOperations must be 'Required' (shut down the VM in Azure); got '${String(p.sourceSiteOperations)}'.`);
  if (d.instanceType !== 'InMage') return bad(ERROR_CODES.invalid, `providerSpecificDetails.instanceType must be 'InMage' for this VM; got '${String(d.instanceType)}'.`);
  const type = d.recoveryPointType;
  if (type !== 'LatestTime' && type !== 'LatestTag' && type !== 'Custom') return bad(ERROR_CODES.invalid, `recoveryPointType must be 'LatestTime', 'LatestTag' or 'Custom'; got '${String(type)}'.`);
  const givenId = typeof d.recoveryPointId === 'string' ? d.recoveryPointId : undefined;
  if (type === 'Custom' && !givenId) return bad(ERROR_CODES.invalid, `recoveryPointId is required when recoveryPointType is 'Custom'.`);
  if (type !== 'Custom' && givenId) return bad(ERROR_CODES.invalid, `recoveryPointId is only allowed when recoveryPointType is 'Custom'.`);
  const point =
    type === 'Custom'
      ? item.points.find((pt) => pt.name.toLowerCase() === givenId?.toLowerCase() || ctx.vault.pointId(item, pt.name).toLowerCase() === givenId?.toLowerCase())
      : item.points.find((pt) => (type === 'LatestTag' ? pt.type === 'ApplicationConsistent' : true));
  if (type === 'Custom' && !point) return bad(ERROR_CODES.invalid, `The recovery point '${givenId}' does not exist for the virtual machine '${item.friendlyName}'.`);
  if (!point) return bad(ERROR_CODES.noRecoveryPoint, `No ${type === 'LatestTag' ? 'application-consistent ' : ''}recovery point is available for the virtual machine '${item.friendlyName}'.`);
  return {
    ok: true,
    taskFaults: [],
    apply: (now) => {
      item.stage = 'failedOver';
      item.lastFailoverTime = new Date(now);
      item.failoverPointId = ctx.vault.pointId(item, point.name);
    },
  };
}

export function validatePlannedFailover(_ctx: Ctx, item: ItemState, body: unknown): Validation {
  const provider = viewOf(item).provider;
  if (provider !== 'InMageRcmFailback') {
    return bad(ERROR_CODES.notSupported, `Planned failover is not supported for the virtual machine '${item.friendlyName}' replicated by provider '${provider}'.${provider === 'InMage' ? ' Use unplanned failover to fail it back.' : ''}`);
  }
  const refused = common(item, 'PlannedFailover', 'PlannedFailover');
  if (refused) return refused;
  const p = props(body);
  const d = details(p);
  if (p.failoverDirection !== undefined && p.failoverDirection !== 'RecoveryToPrimary') return bad(ERROR_CODES.invalid, `failoverDirection must be omitted or 'RecoveryToPrimary'; got '${String(p.failoverDirection)}'.`);
  if (d.instanceType !== 'InMageRcmFailback') return bad(ERROR_CODES.invalid, `providerSpecificDetails.instanceType must be 'InMageRcmFailback' for this VM; got '${String(d.instanceType)}'.`);
  if (d.recoveryPointType !== 'CrashConsistent' && d.recoveryPointType !== 'ApplicationConsistent') return bad(ERROR_CODES.invalid, `recoveryPointType must be 'CrashConsistent' or 'ApplicationConsistent'; got '${String(d.recoveryPointType)}'.`);
  return {
    ok: true,
    taskFaults: [],
    apply: (now) => {
      item.stage = 'failedOver';
      item.lastFailoverTime = new Date(now);
    },
  };
}

export function validateCommit(ctx: Ctx, item: ItemState): Validation {
  const refused = common(item, 'Commit', 'Commit');
  if (refused) return refused;
  return {
    ok: true,
    taskFaults: [],
    apply: (now) => {
      item.stage = 'committed';
      item.points = [];
      if (item.generation === 'modernized') item.agentRegisteredAt = now + ctx.agentRegistrationDelayMs;
    },
  };
}

/** Reprotect AVS → Azure: InMageAzureV2 input for classic items, InMageRcmFailback input for modernized ones. */
export function validateReprotect(ctx: Ctx, item: ItemState, body: unknown): Validation {
  const refused = common(item, 'Reprotect', 'Reprotect');
  if (refused) return refused;
  const p = props(body);
  const d = details(p);
  if (p.failoverDirection !== undefined && p.failoverDirection !== 'PrimaryToRecovery') return bad(ERROR_CODES.invalid, `failoverDirection must be omitted or 'PrimaryToRecovery' to reprotect to Azure; got '${String(p.failoverDirection)}'.`);
  const fabric = ctx.vault.fabric(item.fabric);
  const custom = (fabric?.customDetails ?? {}) as Record<string, unknown>;
  const list = (key: string) => (Array.isArray(custom[key]) ? (custom[key] as Record<string, unknown>[]) : []);
  const expected = item.generation === 'classic' ? 'InMageAzureV2' : 'InMageRcmFailback';
  if (d.instanceType !== expected) return bad(ERROR_CODES.invalid, `providerSpecificDetails.instanceType must be '${expected}' to reprotect the virtual machine '${item.friendlyName}'; got '${String(d.instanceType)}'.`);
  const ps = typeof d.processServerId === 'string' ? d.processServerId : '';
  if (!ps) return bad(ERROR_CODES.invalid, `processServerId is required.`);
  const where = item.generation === 'classic' ? `configuration server '${fabric?.friendlyName}'` : `replication appliance fabric '${fabric?.friendlyName}'`;
  if (!list('processServers').some((s) => String(s.id).toLowerCase() === ps.toLowerCase())) {
    return bad(ERROR_CODES.processServer, `The process server '${ps}' is not registered with the ${where} of the virtual machine '${item.friendlyName}'. Choose a process server of that ${item.generation === 'classic' ? 'configuration server' : 'fabric'}.`);
  }
  const policyId = typeof d.policyId === 'string' ? d.policyId : '';
  const policy = policyId ? ctx.vault.policyById(policyId) : undefined;
  const wantedPolicy = item.generation === 'classic' ? 'InMageAzureV2' : 'InMageRcm';
  if (!policy) return bad(ERROR_CODES.policy, policyId ? `The replication policy '${policyId}' does not exist in the vault.` : `policyId is required.`);
  if (policy.providerSpecificDetails.instanceType !== wantedPolicy) {
    return bad(ERROR_CODES.policy, `The replication policy '${policy.name}' is of type '${String(policy.providerSpecificDetails.instanceType)}'; reprotecting the virtual machine '${item.friendlyName}' to Azure needs an '${wantedPolicy}' policy.`);
  }
  const runAs = typeof d.runAsAccountId === 'string' ? d.runAsAccountId : undefined;
  if (runAs !== undefined && item.generation === 'classic' && !list('runAsAccounts').some((a) => a.accountId === runAs)) {
    return bad(ERROR_CODES.runAs, `The run-as account '${runAs}' is not known to the ${where}.`);
  }
  const mt = typeof d.masterTargetId === 'string' ? d.masterTargetId : '';
  if (item.generation === 'classic') {
    if (!mt) return bad(ERROR_CODES.invalid, `masterTargetId is required.`);
    if (!list('masterTargetServers').some((s) => String(s.id).toLowerCase() === mt.toLowerCase())) {
      return bad(ERROR_CODES.masterTarget, `The master target server '${mt}' is not registered with the ${where}.`);
    }
  }
  const taskFaults: TaskFault[] = [];
  if (item.generation === 'modernized' && !(item.agentRegisteredAt !== undefined && ctx.now >= item.agentRegisteredAt)) {
    taskFaults.push({ task: 'ReprotectPrerequisitesCheckTask', level: 'Error', code: ERROR_CODES.agentNotRegistered, message: rcmAgentNotRegisteredMessage(item.friendlyName), possibleCauses: 'The agent has not yet registered after the failover.', recommendedAction: 'Wait until isAgentRegistrationSuccessfulAfterFailover is true, then retry.' });
  }
  return {
    ok: true,
    taskFaults,
    apply: () => {
      item.stage = 'replicatingToAzure';
      item.policy = policy.name;
      item.processServerId = ps;
      if (mt) item.masterTargetId = mt;
      item.agentRegisteredAt = undefined;
    },
  };
}

/** Dispatches to the operation's validator. */
export function validate(ctx: Ctx, kind: OperationKind, item: ItemState, body: unknown): Validation {
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
