import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const V = 'Microsoft.RecoveryServices/vaults';
const ITEM = `${V}/replicationFabrics/replicationProtectionContainers/replicationProtectedItems`;

/** The ARM action behind each SDK operation the gateway calls. */
const ACTION_OF: Record<string, readonly string[]> = {
  'replicationProtectedItems.list': [`${V}/replicationProtectedItems/read`],
  'replicationProtectedItems.get': [`${ITEM}/read`],
  'recoveryPoints.listByReplicationProtectedItems': [`${ITEM}/recoveryPoints/read`],
  'replicationFabrics.get': [`${V}/replicationFabrics/read`],
  'replicationFabrics.list': [`${V}/replicationFabrics/read`],
  'replicationProtectionContainerMappings.listByReplicationProtectionContainers': [
    `${V}/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings/read`,
  ],
  // Not an SDK operation: the appliance fabric's Azure Migrate VMware site, read through the same pipeline.
  'offAzure.runAsAccounts': ['Microsoft.OffAzure/VMwareSites/runasaccounts/read'],
  // Not SDK operations either: the vault resource (its region) and a subscription's vaults (discovery).
  'vaults.get': [`${V}/read`],
  'vaults.list': [`${V}/read`],
  'replicationPolicies.list': [`${V}/replicationPolicies/read`],
  'replicationJobs.get': [`${V}/replicationJobs/read`],
  'replicationJobs.list': [`${V}/replicationJobs/read`],
  // Each operation is a long-running one: its status is read from replicationOperationStatus.
  'replicationProtectedItems.beginUnplannedFailover': [
    `${ITEM}/unplannedFailover/action`,
    `${V}/replicationOperationStatus/read`,
  ],
  'replicationProtectedItems.beginPlannedFailover': [
    `${ITEM}/plannedFailover/action`,
    `${V}/replicationOperationStatus/read`,
  ],
  'replicationProtectedItems.beginFailoverCommit': [
    `${ITEM}/failoverCommit/action`,
    `${V}/replicationOperationStatus/read`,
  ],
  'replicationProtectedItems.beginReprotect': [`${ITEM}/reProtect/action`, `${V}/replicationOperationStatus/read`],
  'replicationRecoveryPlans.list': [`${V}/replicationRecoveryPlans/read`],
  'replicationRecoveryPlans.get': [`${V}/replicationRecoveryPlans/read`],
  'replicationRecoveryPlans.beginUnplannedFailover': [
    `${V}/replicationRecoveryPlans/unplannedFailover/action`,
    `${V}/replicationOperationStatus/read`,
  ],
  'replicationRecoveryPlans.beginPlannedFailover': [
    `${V}/replicationRecoveryPlans/plannedFailover/action`,
    `${V}/replicationOperationStatus/read`,
  ],
  'replicationRecoveryPlans.beginFailoverCommit': [
    `${V}/replicationRecoveryPlans/failoverCommit/action`,
    `${V}/replicationOperationStatus/read`,
  ],
};

function operationsCalled(): Set<string> {
  const dir = join(ROOT, 'src/azure');
  const src = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
  const ops = new Set<string>();
  for (const m of src.matchAll(/this\.client\s*\.\s*(\w+)\s*\.\s*(\w+)\(/g))
    if (m[1] !== 'pipeline') ops.add(`${m[1]}.${m[2]}`);
  if (/\/runAsAccounts\?api-version=/.test(src)) ops.add('offAzure.runAsAccounts');
  if (/\$\{vaultArmId\(v\)\}\?api-version=/.test(src)) ops.add('vaults.get');
  if (/providers\/Microsoft\.RecoveryServices\/vaults\?api-version=/.test(src)) ops.add('vaults.list');
  // `const items = this.client.replicationProtectedItems` — its operations are called as items.beginX(…)
  for (const m of src.matchAll(/\bitems\.(begin\w+)\(/g)) ops.add(`replicationProtectedItems.${m[1]}`);
  // `const plans = this.client.replicationRecoveryPlans` — likewise plans.beginX(…)
  for (const m of src.matchAll(/\bplans\.(begin\w+)\(/g)) ops.add(`replicationRecoveryPlans.${m[1]}`);
  return ops;
}

describe('the least-privilege Azure role', () => {
  const role = JSON.parse(readFileSync(join(ROOT, 'deploy/azure-role.json'), 'utf8')) as {
    Actions: string[];
    DataActions: string[];
  };

  it('grants exactly the actions behind the SDK operations the gateway calls', () => {
    const called = operationsCalled();
    expect(called.size).toBeGreaterThanOrEqual(8);
    expect([...called].filter((op) => !(op in ACTION_OF))).toEqual([]);
    const needed = new Set([...called].flatMap((op) => ACTION_OF[op] ?? []));
    expect(new Set(role.Actions)).toEqual(needed);
    expect(role.DataActions).toEqual([]);
  });
});
