/**
 * Recovery Services vaults: which vault an ARM id belongs to, and how a vault is named to people.
 * Every item, plan and job id ASR returns lies under its vault's id, so the vault of anything the bot
 * holds is read from its id — never looked up.
 */

/** A Recovery Services vault the bot serves. */
export interface VaultRef {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  /** The vault's Azure region, once known (read from ARM, or given by discovery). */
  readonly location?: string | undefined;
}

/** What a VM, a plan or a run carries of its vault: enough to name it and to find it again. */
export interface VaultTag {
  /** The vault's ARM id, lower-cased (the key it is known by). */
  readonly id: string;
  readonly name: string;
  readonly location?: string | undefined;
}

const VAULT_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.RecoveryServices\/vaults\/([^/]+)(?:\/|$)/i;

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}` */
export function vaultArmId(v: Pick<VaultRef, 'subscriptionId' | 'resourceGroup' | 'name'>): string {
  return `/subscriptions/${v.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${v.name}`;
}

/** The key a vault is known by: its ARM id, lower-cased (ARM ids are case-insensitive). */
export function vaultKey(v: Pick<VaultRef, 'subscriptionId' | 'resourceGroup' | 'name'>): string {
  return vaultArmId(v).toLowerCase();
}

/** The vault an ARM id lies under (a vault, item, plan or job id), or undefined. */
export function parseVaultId(armId: string): VaultRef | undefined {
  const m = VAULT_ID.exec(armId.trim());
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return {
    subscriptionId: decodeURIComponent(m[1]),
    resourceGroup: decodeURIComponent(m[2]),
    name: decodeURIComponent(m[3]),
  };
}

/** The key of the vault an ARM id lies under, or undefined. */
export function vaultKeyOf(armId: string): string | undefined {
  const v = parseVaultId(armId);
  return v && vaultKey(v);
}

export function tagOf(v: VaultRef): VaultTag {
  return { id: vaultKey(v), name: v.name, ...(v.location ? { location: v.location } : {}) };
}

/** "avs-dr-vault (westeurope)" — how a vault is named to people. */
export function vaultLabel(v: { readonly name: string; readonly location?: string | undefined }): string {
  return v.location ? `${v.name} (${v.location})` : v.name;
}

/** Groups things by the vault of their ARM id, in first-seen order (things outside any vault: key ''). */
export function byVault<T>(items: readonly T[], idOf: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = vaultKeyOf(idOf(item)) ?? '';
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
