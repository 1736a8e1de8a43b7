/**
 * Acting "in the portal": the body the portal (or PowerShell) would send for an operation on an
 * item, built the recorded way — the right direction or none, required fields from the vault.
 */
import { eq, type ItemState, type VaultState } from './model';
import type { OperationKind } from './types';
import { expectedDirection } from './validate-common';

type Row = Record<string, unknown>;
const rows = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The first healthy process server (the configuration server's own when it is also a master target). */
function processServer(custom: Readonly<Row>): string {
  const servers = rows(custom.processServers);
  const targets = rows(custom.masterTargetServers).map((t) => text(t.id).toLowerCase());
  const healthy = servers.filter((s) => s.health === 'Normal');
  return text((healthy.find((s) => targets.includes(text(s.id).toLowerCase())) ?? healthy[0] ?? servers[0])?.id);
}

/** The policy of the item's container mapping for `provider`, else the vault's first such policy. */
function policyId(v: VaultState, item: ItemState, provider: string): string {
  const mapped = v
    .mappings(item.fabric, item.container)
    .find((m) => v.policy(m.policy)?.providerSpecificDetails.instanceType === provider);
  const name =
    mapped?.policy ?? v.policies.find((p) => p.providerSpecificDetails.instanceType === provider)?.name ?? '';
  return v.policyId(name);
}

/** The body of `kind` on `item` as the portal sends it (recorded forms; see README.md). */
export function portalBody(v: VaultState, item: ItemState, kind: OperationKind): unknown {
  const custom = v.fabric(item.fabric)?.customDetails ?? {};
  switch (kind) {
    case 'unplannedFailover':
      return {
        properties: {
          failoverDirection: expectedDirection(item),
          sourceSiteOperations: 'Required',
          providerSpecificDetails: { instanceType: 'InMage', recoveryPointType: 'LatestTime' },
        },
      };
    case 'plannedFailover':
      return {
        properties: {
          providerSpecificDetails: { instanceType: 'InMageRcmFailback', recoveryPointType: 'CrashConsistent' },
        },
      };
    case 'failoverCommit':
      return undefined;
    case 'reprotect': {
      const ps = processServer(custom);
      if (item.generation === 'classic') {
        const targets = rows(custom.masterTargetServers);
        const mt = targets.some((t) => eq(text(t.id), ps)) ? ps : text(targets[0]?.id);
        const runAs = text(rows(custom.runAsAccounts)[0]?.accountId);
        return {
          properties: {
            failoverDirection: expectedDirection(item),
            providerSpecificDetails: {
              instanceType: 'InMageAzureV2',
              processServerId: ps,
              masterTargetId: mt,
              runAsAccountId: runAs,
              policyId: policyId(v, item, 'InMageAzureV2'),
            },
          },
        };
      }
      const site = v.site(text(custom.vmwareSiteId));
      const account = site
        ? (site.runAsAccounts.find((a) => a.credentialType === 'VMwareFabric') ?? site.runAsAccounts[0])
        : undefined;
      const runAs = site && account ? v.runAsAccountId(site, account.name) : '';
      return {
        properties: {
          providerSpecificDetails: {
            instanceType: 'InMageRcmFailback',
            processServerId: ps,
            policyId: policyId(v, item, 'InMageRcm'),
            runAsAccountId: runAs,
          },
        },
      };
    }
  }
}
