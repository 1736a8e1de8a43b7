/** Deterministic ids and ARM resource ids of the emulated vault. */

/**
 * Makes GUID-shaped ids from a counter and a namespace digit, so runs are reproducible. `space`
 * (e.g. a vault's index) goes in the first group, so factories of different spaces never collide:
 * space 0 makes `00000000-0000-4{ns}-8000-…`, space 1 `00000001-0000-4{ns}-8000-…`.
 */
export function makeIdFactory(namespace: number, space = 0): () => string {
  let n = 0;
  const ns = (namespace & 0xfff).toString(16).padStart(3, '0');
  const head = (space >>> 0).toString(16).padStart(8, '0');
  return () => {
    n += 1;
    return `${head}-0000-4${ns}-8000-${n.toString(16).padStart(12, '0')}`;
  };
}

/** A deterministic GUID-shaped id from a string (FNV-1a), for seeds that want stable names. */
export function guidFrom(text: string): string {
  const parts: string[] = [];
  for (let round = 0; round < 4; round++) {
    let h = 0x811c9dc5 ^ round;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    parts.push(h.toString(16).padStart(8, '0'));
  }
  const hex = parts.join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The vault's ARM id prefix, with the casing of Microsoft's samples (`/Subscriptions/...`). */
export function vaultId(v: { subscriptionId: string; resourceGroup: string; name: string }): string {
  return `/Subscriptions/${v.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${v.name}`;
}

/**
 * The vault resource's own ARM id, as `GET …/vaults/{name}` and the vault lists serve it:
 * `/subscriptions/…` in lower case (ARM's and the Microsoft.RecoveryServices samples' form; the
 * ASR resources inside the vault keep the recorded `/Subscriptions/…`). Compare ids case-insensitively.
 */
export function vaultArmId(v: { subscriptionId: string; resourceGroup: string; name: string }): string {
  return `/subscriptions/${v.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${v.name}`;
}

export const TYPES = {
  vault: 'Microsoft.RecoveryServices/vaults',
  fabric: 'Microsoft.RecoveryServices/vaults/replicationFabrics',
  container: 'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers',
  item: 'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems',
  point:
    'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/recoveryPoints',
  policy: 'Microsoft.RecoveryServices/vaults/replicationPolicies',
  job: 'Microsoft.RecoveryServices/vaults/replicationJobs',
  plan: 'Microsoft.RecoveryServices/vaults/replicationRecoveryPlans',
  mapping:
    'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings',
  runAsAccount: 'Microsoft.OffAzure/VMwareSites/RunAsAccounts',
} as const;
