/**
 * What every validator shares: ASR's error codes and messages, the Validation result, and the checks
 * common to all operations (nothing running, the operation allowed, the failover direction).
 */
import type { TaskFault } from './jobs';
import { type ItemState, type VaultState, viewOf } from './model';
import { armError, type Reply } from './reply';
import type { RecoveryPointSeed } from './types';

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
  /** Deliberately generic: ASR's error for agent-not-registered is not recorded; match the message. */
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
  | {
      readonly ok: true;
      readonly taskFaults: TaskFault[];
      readonly apply: (now: number) => void;
      /** Failovers: the source-side shutdown is not asked for (sourceSiteOperations NotRequired). */
      readonly skipShutdown?: boolean;
      /** Failovers: the recovery point used (classic). */
      readonly point?: RecoveryPointSeed;
    };

export interface ValidationContext {
  readonly vault: VaultState;
  readonly now: number;
  readonly agentRegistrationDelayMs: number;
  /** A recovery plan member: the plan's direction is the plan's, the member's own direction rule is skipped. */
  readonly planMember?: boolean;
}

export const bad = (code: string, message: string): Validation => ({ ok: false, error: armError(400, code, message) });

export const props = (body: unknown): Record<string, unknown> => {
  const p = (body as { properties?: unknown } | undefined)?.properties;
  return p && typeof p === 'object' ? (p as Record<string, unknown>) : {};
};

export const details = (p: Record<string, unknown>): Record<string, unknown> => {
  const d = p.providerSpecificDetails;
  return d && typeof d === 'object' ? (d as Record<string, unknown>) : {};
};

export const quoted = (v: unknown) => (v === undefined || v === null ? 'nothing' : `'${String(v)}'`);

/** Checks what every operation needs: nothing running, the operation (ASR's name) allowed now. */
export function common(item: ItemState, allowed: string): Validation | undefined {
  if (item.scenario) {
    return {
      ok: false,
      error: armError(
        409,
        ERROR_CODES.operationInProgress,
        `The operation '${allowed}' cannot be started on the virtual machine '${item.friendlyName}': another operation (job ${item.scenario.jobName}) is in progress on it. Wait for it to finish and retry.`,
      ),
    };
  }
  const view = viewOf(item);
  if (!view.allowedOperations.includes(allowed)) {
    return bad(
      ERROR_CODES.notAllowed,
      `The operation '${allowed}' is not allowed on the virtual machine '${item.friendlyName}' in its current state '${view.protectionStateDescription}' (provider ${view.provider}). Allowed operations: ${view.allowedOperations.join(', ') || 'none'}.`,
    );
  }
  return undefined;
}

/** Classic operations go from the side the item is active on to the other (recorded). */
export function expectedDirection(item: ItemState): 'PrimaryToRecovery' | 'RecoveryToPrimary' {
  return viewOf(item).activeLocation === 'Primary' ? 'PrimaryToRecovery' : 'RecoveryToPrimary';
}

/** A classic item's failoverDirection must be the expected one. */
export function checkDirection(item: ItemState, given: unknown, operation: string): Validation | undefined {
  const expected = expectedDirection(item);
  if (given === expected) return undefined;
  const view = viewOf(item);
  const where =
    view.activeSiteType === 'Azure'
      ? ', i.e. in Azure'
      : view.activeSiteType === 'OnPrem'
        ? ', i.e. on premises (AVS)'
        : '';
  return bad(
    ERROR_CODES.invalid,
    `failoverDirection must be '${expected}' for the ${operation} of the virtual machine '${item.friendlyName}': it is active in ${view.activeLocation}${where}, and the ${operation} goes from the active side to the other. Got ${quoted(given)}.`,
  );
}

/** Modernized items take no failoverDirection (recorded: PowerShell sends none on purpose). */
export function checkNoDirection(item: ItemState, given: unknown, operation: string): Validation | undefined {
  if (given === undefined || given === null) return undefined;
  return bad(
    ERROR_CODES.invalid,
    `Do not send failoverDirection for the ${operation} of the virtual machine '${item.friendlyName}' (provider ${viewOf(item).provider}): the replication appliance decides the direction. Got '${String(given)}'.`,
  );
}
