/**
 * Reprotect AVS → Azure (`reProtect`, `SwitchProtection` in allowedOperations), on the recorded
 * bodies: classic-failback.json step 6 (InMageAzureV2 input, direction from the active side) and
 * modernized-failback.json step 5 (InMageRcmFailback input, no direction, an Azure Migrate run-as
 * account).
 */
import type { TaskFault } from './jobs';
import { eq, isAgentRegistered, type ItemState, viewOf } from './model';
import {
  bad,
  checkDirection,
  checkNoDirection,
  common,
  details,
  ERROR_CODES,
  props,
  quoted,
  rcmAgentNotRegisteredMessage,
  type Validation,
  type ValidationContext,
} from './validate-common';

type Row = Record<string, unknown>;
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function listOf(custom: Readonly<Row>, key: string): Row[] {
  const v = custom[key];
  return Array.isArray(v) ? (v as Row[]) : [];
}

const named = (rows: readonly Row[]) =>
  rows.map((r) => `${text(r.friendlyName) || text(r.name)} (${text(r.id)})`).join(', ');

export function validateReprotect(ctx: ValidationContext, item: ItemState, body: unknown): Validation {
  const refused = common(item, 'SwitchProtection');
  if (refused) return refused;
  return item.generation === 'classic' ? classic(ctx, item, body) : modernized(ctx, item, body);
}

/** The policy must be of the wanted provider and, when the item's container has mappings of that provider, one of them. */
function checkPolicy(
  ctx: ValidationContext,
  item: ItemState,
  given: unknown,
  wanted: 'InMageAzureV2' | 'InMageRcm',
): { readonly policy: string } | { readonly refused: Validation } {
  const v = ctx.vault;
  const containerName = v.container(item.fabric, item.container)?.friendlyName ?? item.container;
  const mapped = v
    .mappings(item.fabric, item.container)
    .filter((m) => v.policy(m.policy)?.providerSpecificDetails.instanceType === wanted);
  const hint =
    mapped.length > 0
      ? ` Use the policy of the container's mapping: ${mapped.map((m) => `'${v.policyId(m.policy)}'`).join(' or ')}.`
      : '';
  const id = text(given);
  if (!id)
    return {
      refused: bad(
        ERROR_CODES.policy,
        `policyId is required: the '${wanted}' replication policy the virtual machine '${item.friendlyName}' replicates to Azure with.${hint}`,
      ),
    };
  const policy = v.policyById(id);
  if (!policy)
    return {
      refused: bad(
        ERROR_CODES.policy,
        `The replication policy '${id}' does not exist in the vault '${v.name}'.${hint}`,
      ),
    };
  const type = String(policy.providerSpecificDetails.instanceType);
  if (type !== wanted)
    return {
      refused: bad(
        ERROR_CODES.policy,
        `The replication policy '${policy.name}' is of type '${type}'; reprotecting the virtual machine '${item.friendlyName}' to Azure needs an '${wanted}' policy.${hint}`,
      ),
    };
  if (mapped.length > 0 && !mapped.some((m) => eq(m.policy, policy.name))) {
    return {
      refused: bad(
        ERROR_CODES.policy,
        `The replication policy '${policy.name}' is not associated with the protection container '${containerName}' of the virtual machine '${item.friendlyName}'.${hint}`,
      ),
    };
  }
  return { policy: policy.name };
}

function classic(ctx: ValidationContext, item: ItemState, body: unknown): Validation {
  const p = props(body);
  const d = details(p);
  const wrong = checkDirection(item, p.failoverDirection, 'reprotect');
  if (wrong) return wrong;
  if (d.instanceType !== 'InMageAzureV2')
    return bad(
      ERROR_CODES.invalid,
      `providerSpecificDetails.instanceType must be 'InMageAzureV2' to reprotect the virtual machine '${item.friendlyName}' from AVS to Azure; got ${quoted(d.instanceType)}.`,
    );
  const fabric = ctx.vault.fabric(item.fabric);
  const custom = fabric?.customDetails ?? {};
  const cs = `configuration server '${fabric?.friendlyName ?? item.fabric}'`;
  const servers = listOf(custom, 'processServers');
  const targets = listOf(custom, 'masterTargetServers');
  const ps = text(d.processServerId);
  if (!ps)
    return bad(
      ERROR_CODES.invalid,
      `processServerId is required: one of the process servers of the ${cs}: ${named(servers)}.`,
    );
  if (!servers.some((s) => eq(text(s.id), ps)))
    return bad(
      ERROR_CODES.processServer,
      `The process server '${ps}' is not registered with the ${cs} of the virtual machine '${item.friendlyName}'. Choose one of its process servers: ${named(servers)}.`,
    );
  const mt = text(d.masterTargetId);
  if (!mt)
    return bad(
      ERROR_CODES.invalid,
      `masterTargetId is required: a master target of the ${cs} (usually the process server's own id): ${named(targets)}.`,
    );
  if (![...targets, ...servers].some((s) => eq(text(s.id), mt)))
    return bad(
      ERROR_CODES.masterTarget,
      `The master target server '${mt}' is not registered with the ${cs}. Master targets: ${named(targets)}.`,
    );
  const accounts = listOf(custom, 'runAsAccounts');
  const accountList = accounts.map((a) => `'${text(a.accountId)}' (${text(a.accountName)})`).join(', ');
  const runAs = text(d.runAsAccountId);
  if (!runAs)
    return bad(
      ERROR_CODES.invalid,
      `runAsAccountId is required: the id of one of the run-as accounts of the ${cs}: ${accountList}.`,
    );
  if (!accounts.some((a) => text(a.accountId) === runAs))
    return bad(
      ERROR_CODES.runAs,
      `The run-as account '${runAs}' is not known to the ${cs}. Its run-as accounts: ${accountList}.`,
    );
  const policy = checkPolicy(ctx, item, d.policyId, 'InMageAzureV2');
  if ('refused' in policy) return policy.refused;
  return {
    ok: true,
    taskFaults: [],
    apply: () => {
      item.stage = 'replicatingToAzure';
      item.policy = policy.policy;
      item.processServerId = ps;
      item.masterTargetId = mt;
    },
  };
}

function modernized(ctx: ValidationContext, item: ItemState, body: unknown): Validation {
  // Recorded: ASR lists SwitchProtection before the commit too; the emulator asks for the commit first (assumption).
  if (item.stage !== 'committed') {
    return bad(
      ERROR_CODES.notAllowed,
      `The virtual machine '${item.friendlyName}' has failed back but its failover is not committed yet. Commit the failover first, then reprotect it to Azure.`,
    );
  }
  const p = props(body);
  const d = details(p);
  const wrong = checkNoDirection(item, p.failoverDirection, 'reprotect');
  if (wrong) return wrong;
  if (d.instanceType !== 'InMageRcmFailback')
    return bad(
      ERROR_CODES.invalid,
      `providerSpecificDetails.instanceType must be 'InMageRcmFailback' to reprotect the virtual machine '${item.friendlyName}' (provider ${viewOf(item).provider}) to Azure; got ${quoted(d.instanceType)}.`,
    );
  const fabric = ctx.vault.fabric(item.fabric);
  const custom = fabric?.customDetails ?? {};
  const where = `replication appliance fabric '${fabric?.friendlyName ?? item.fabric}'`;
  const servers = listOf(custom, 'processServers');
  const ps = text(d.processServerId);
  if (!ps)
    return bad(
      ERROR_CODES.invalid,
      `processServerId is required: one of the process servers of the ${where}: ${named(servers)}.`,
    );
  if (!servers.some((s) => eq(text(s.id), ps)))
    return bad(
      ERROR_CODES.processServer,
      `The process server '${ps}' is not registered with the ${where} of the virtual machine '${item.friendlyName}'. Choose one of its process servers: ${named(servers)}.`,
    );
  const policy = checkPolicy(ctx, item, d.policyId, 'InMageRcm');
  if ('refused' in policy) return policy.refused;
  const siteId = text(custom.vmwareSiteId);
  const site = ctx.vault.site(siteId);
  const accounts = site
    ? site.runAsAccounts.map((a) => ({ id: ctx.vault.runAsAccountId(site, a.name), label: a.displayName }))
    : [];
  const accountList = accounts.map((a) => `${a.label} (${a.id})`).join(', ');
  const runAs = text(d.runAsAccountId);
  if (!runAs)
    return bad(
      ERROR_CODES.invalid,
      `runAsAccountId is required: the ARM id of a run-as account of the Azure Migrate VMware site '${siteId}'${accountList ? `: ${accountList}` : ''}.`,
    );
  if (site && !accounts.some((a) => eq(a.id, runAs)))
    return bad(
      ERROR_CODES.runAs,
      `The run-as account '${runAs}' is not a run-as account of the Azure Migrate VMware site '${siteId}'. Its run-as accounts: ${accountList}.`,
    );
  const taskFaults: TaskFault[] = [];
  if (!isAgentRegistered(item, ctx.now)) {
    taskFaults.push({
      task: 'VmReprotectPrerequisitesCheck',
      level: 'Error',
      code: ERROR_CODES.agentNotRegistered,
      message: rcmAgentNotRegisteredMessage(item.friendlyName),
      possibleCauses: 'The agent has not yet registered after the failover.',
      recommendedAction: 'Wait until isAgentRegistrationSuccessfulAfterFailover is true, then retry.',
    });
  }
  return {
    ok: true,
    taskFaults,
    apply: () => {
      item.stage = 'replicatingToAzure';
      item.policy = policy.policy;
      item.processServerId = ps;
      item.agentRegisteredAt = undefined;
    },
  };
}
