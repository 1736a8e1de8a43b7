/** Seed helpers: the default recovery points of an item, and generated extra VMs. */
import { guidFrom } from './ids';
import type { ItemSeed, RecoveryPointSeed, VaultSeed } from './types';

const MINUTE = 60_000;

/**
 * 24 h of points ending just before `now`: crash-consistent every 5 min (288), app-consistent every
 * 60 min (24), newest first. Names are stable per item; times follow the clock.
 */
export function defaultRecoveryPoints(itemName: string, now: number): RecoveryPointSeed[] {
  const points: RecoveryPointSeed[] = [];
  for (let k = 0; k < 288; k++)
    points.push({
      name: guidFrom(`${itemName}/crash/${k}`),
      time: new Date(now - MINUTE - k * 5 * MINUTE),
      type: 'CrashConsistent',
    });
  for (let k = 0; k < 24; k++)
    points.push({
      name: guidFrom(`${itemName}/app/${k}`),
      time: new Date(now - 7 * MINUTE - k * 60 * MINUTE),
      type: 'ApplicationConsistent',
    });
  return points.sort((a, b) => b.time.getTime() - a.time.getTime());
}

/**
 * Adds `n` classic VMs ready to fail back (`vm-001`…) to the first VMware fabric's first container,
 * served by the same process server / master target as the first classic item ready there.
 */
export function withExtraVms(seed: VaultSeed, n: number): VaultSeed {
  const fabric = seed.fabrics.find((f) => f.customDetails.instanceType === 'VMware') ?? seed.fabrics[0];
  const container = fabric?.containers[0];
  if (!fabric || !container || n <= 0) return seed;
  const like = seed.items.find((i) => i.fabric === fabric.name && i.generation === 'classic' && i.stage === 'ready');
  const width = Math.max(3, String(n).length);
  const extra = Array.from({ length: n }, (_, i): ItemSeed => ({
    friendlyName: `vm-${String(i + 1).padStart(width, '0')}`,
    fabric: fabric.name,
    container: container.name,
    generation: 'classic',
    stage: 'ready',
    osType: i % 2 === 0 ? 'Windows' : 'Linux',
    ...(like?.processServerId ? { processServerId: like.processServerId } : {}),
    ...(like?.masterTargetId ? { masterTargetId: like.masterTargetId } : {}),
  }));
  return { ...seed, items: [...seed.items, ...extra] };
}

const REGIONS = ['westeurope', 'northeurope', 'francecentral', 'germanywestcentral', 'swedencentral'];

/**
 * A large estate for the bench and scale tests: `count` vaults spread round-robin over
 * `subscriptions` subscriptions (deterministic GUIDs), each a copy of `base`'s classic side — its
 * fabrics, policies and first classic VM ready to fail back, no plans — with `vmsPerVault` more
 * such VMs. Every VM's name carries its vault's number (`v07-vm-001`), so names and the GUIDs ASR
 * derives from them are unique across the estate.
 */
export function estateOfVaults(
  base: VaultSeed,
  options: { readonly count: number; readonly subscriptions: number; readonly vmsPerVault: number },
): VaultSeed[] {
  const like = base.items.find((i) => i.generation === 'classic' && i.stage === 'ready');
  return Array.from({ length: options.count }, (_, k) => {
    const number = String(k + 1).padStart(2, '0');
    const vault: VaultSeed = withExtraVms(
      {
        ...base,
        subscriptionId: guidFrom(`estate/subscription/${k % options.subscriptions}`),
        resourceGroup: `avs-dr-${number}`,
        name: `avs-dr-vault-${number}`,
        location: REGIONS[k % REGIONS.length],
        items: like ? [{ ...like, name: guidFrom(`estate/${number}/${like.friendlyName}`) }] : [],
        plans: [],
      },
      options.vmsPerVault,
    );
    return { ...vault, items: vault.items.map((i) => ({ ...i, friendlyName: `v${number}-${i.friendlyName}` })) };
  });
}
