import { parseVaultId } from '../../domain/vault';

/**
 * The Azure portal page of one ASR job, in the vault of `itemId` (the VM or plan the job acts on),
 * or undefined when there is none to link.
 */
export type JobLink = (jobName: string, itemId: string) => string | undefined;

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
 * Links to ASR jobs in the Azure portal of the ARM endpoint's cloud: `https://<portal>/#resource<job
 * ARM id>`, the job's vault read from the id of the item it acts on. Every path segment is
 * percent-encoded, so a link can carry no `|`, `<` or `>` into Slack's `<url|text>`.
 */
export function asrJobLink(armEndpoint: string): JobLink {
  const seg = encodeURIComponent;
  const portal = portalHost(armEndpoint);
  return (jobName, itemId) => {
    const vault = parseVaultId(itemId);
    if (jobName.trim() === '' || !vault) return undefined;
    const vaultId =
      `/subscriptions/${seg(vault.subscriptionId)}/resourceGroups/${seg(vault.resourceGroup)}` +
      `/providers/Microsoft.RecoveryServices/vaults/${seg(vault.name)}`;
    return `https://${portal}/#resource${vaultId}/replicationJobs/${seg(jobName)}`;
  };
}
