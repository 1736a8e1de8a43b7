/** The Azure portal page of one ASR job of the vault, or undefined when there is none to link. */
export type JobLink = (jobName: string) => string | undefined;

/** The Recovery Services vault, as configured (`config.azure`). */
export interface VaultRef {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly vault: string;
  /** The ARM endpoint the bot talks to; its cloud decides which portal the links open. */
  readonly armEndpoint: string;
}

/** Each cloud's ARM host → its portal host. */
const PORTAL_OF_ARM: Readonly<Record<string, string>> = {
  'management.azure.com': 'portal.azure.com',
  'management.usgovcloudapi.net': 'portal.azure.us',
  'management.chinacloudapi.cn': 'portal.azure.cn',
};

/** The portal host of the ARM endpoint's cloud; anything else (the local emulator, say) gets the public portal. */
export function portalHost(armEndpoint: string): string {
  let host: string;
  try {
    host = new URL(armEndpoint).hostname.toLowerCase();
  } catch {
    return 'portal.azure.com';
  }
  return PORTAL_OF_ARM[host] ?? 'portal.azure.com';
}

/**
 * Links to the vault's ASR jobs in the Azure portal: `https://<portal>/#resource<job ARM id>`. Every
 * path segment is percent-encoded, so a link can carry no `|`, `<` or `>` into Slack's `<url|text>`.
 */
export function asrJobLink(vault: VaultRef): JobLink {
  const seg = encodeURIComponent;
  const vaultId =
    `/subscriptions/${seg(vault.subscriptionId)}/resourceGroups/${seg(vault.resourceGroup)}` +
    `/providers/Microsoft.RecoveryServices/vaults/${seg(vault.vault)}`;
  const base = `https://${portalHost(vault.armEndpoint)}/#resource${vaultId}/replicationJobs/`;
  return (jobName) => (jobName.trim() === '' ? undefined : `${base}${seg(jobName)}`);
}
