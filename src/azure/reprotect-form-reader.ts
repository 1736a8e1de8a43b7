import type {
  Fabric,
  Policy,
  ProtectionContainerMapping,
  ReplicationProtectedItem,
} from '@azure/arm-recoveryservices-siterecovery';
import type { ReprotectForm, ReprotectGroup } from '../domain/reprotect-form';
import { AsrRefusedError, isFailbackError } from '../errors';
import { parseItemId } from './arm-ids';
import { notReadyReason, strategyFor, type FabricDetails, type SiteRunAsAccount } from './providers';

/** The ARM reads the reprotect form is made of, each at most once per fabric, container or site. */
export interface ReprotectReads {
  policies(): Promise<Policy[]>;
  fabric(name: string): Promise<Fabric>;
  mappings(fabric: string, container: string): Promise<ProtectionContainerMapping[]>;
  siteRunAsAccounts(siteId: string): Promise<SiteRunAsAccount[]>;
}

function once<K, V>(load: (k: K) => Promise<V>): (k: K) => Promise<V> {
  const cache = new Map<K, Promise<V>>();
  return (k) => {
    let v = cache.get(k);
    if (!v) cache.set(k, (v = load(k)));
    return v;
  };
}

/**
 * What the reprotect of these VMs needs chosen, grouped by the fabric they share: the fabric's
 * process servers, the policy mapped to each VM's protection container (recorded: the classic input
 * takes the container mapping's InMageAzureV2 policy), and the run-as accounts — the fabric's own
 * (classic) or those of the Azure Migrate VMware site the appliance fabric names (modernized).
 */
export async function readReprotectForm(
  vmIds: readonly string[],
  items: readonly ReplicationProtectedItem[],
  reads: ReprotectReads,
): Promise<ReprotectForm> {
  let policyList: Promise<Policy[]> | undefined;
  const policies = () => (policyList ??= reads.policies());
  const fabric = once((name: string) => reads.fabric(name));
  const mappings = once((key: string) => {
    const [f, c] = key.split('\n');
    return reads.mappings(f ?? '', c ?? '');
  });
  const siteAccounts = once(async (siteId: string) => {
    try {
      return { accounts: await reads.siteRunAsAccounts(siteId) };
    } catch (e) {
      // Shown next to the field (a missing permission on the Azure Migrate project, say); the modal still opens.
      return { accounts: [] as SiteRunAsAccount[], error: isFailbackError(e) ? e.userMessage : String(e) };
    }
  });
  const groups = new Map<
    string,
    { title: string; vmIds: string[]; vmNames: string[]; fields: ReprotectGroup['fields'] }
  >();
  for (const [i, item] of items.entries()) {
    const id = vmIds[i] ?? '';
    const strategy = strategyFor(item);
    if (!strategy)
      throw new AsrRefusedError(
        'NotReady',
        `${item.properties?.friendlyName ?? id} ${notReadyReason(item)}`,
        undefined,
      );
    const ref = parseItemId(id);
    const f = await fabric(ref.fabric);
    const details = (f.properties?.customDetails ?? {}) as FabricDetails;
    const mapped = new Set(
      (await mappings(`${ref.fabric}\n${ref.container}`))
        .map((m) => (m.properties?.policyId ?? '').toLowerCase())
        .filter((p) => p !== ''),
    );
    const siteId =
      strategy.needsSiteRunAsAccounts && typeof details.vmwareSiteId === 'string' ? details.vmwareSiteId : undefined;
    const site = siteId ? await siteAccounts(siteId) : undefined;
    // One group per fabric and container: VMs of one container share its mapped policy.
    const key = `${ref.fabric}/${ref.container}`;
    const fields = strategy.reprotectFields(item, {
      fabric: details,
      policies: await policies(),
      mappedPolicyIds: mapped,
      siteRunAsAccounts: site?.accounts,
    });
    const group = groups.get(key) ?? {
      title: `${strategy.fabricRole} ${f.properties?.friendlyName ?? ref.fabric}`,
      vmIds: [],
      vmNames: [],
      fields: site?.error
        ? fields.map((fl) => (fl.id === 'runAsAccountId' ? { ...fl, unavailable: site.error } : fl))
        : fields,
    };
    group.vmIds.push(id);
    group.vmNames.push(item.properties?.friendlyName ?? id);
    groups.set(key, group);
  }
  return { groups: [...groups.entries()].map(([key, g]) => ({ key, ...g })) };
}
