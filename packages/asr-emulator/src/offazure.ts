/**
 * Azure Migrate's VMware sites (Microsoft.OffAzure), outside the vault: the run-as accounts a
 * modernized reprotect names by ARM id (recorded: modernized-failback.json step 5).
 * `GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.OffAzure/VMwareSites/{site}[/runAsAccounts[/{name}]]`,
 * matched case-insensitively.
 */
import type { Estate } from './estate';
import { eq } from './model';
import { renderRunAsAccount } from './render';
import { armError, ok, type Reply } from './reply';

export const OFFAZURE_SITE =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.OffAzure\/VMwareSites\/([^/]+)(\/.*)?$/i;

/** Serves an OffAzure path (already matched by OFFAZURE_SITE) from the sites of every vault; `page` pages a list. */
export function offAzureRoute(
  estate: Estate,
  method: string,
  path: string,
  page: (all: readonly unknown[]) => Reply,
): Reply {
  const m = OFFAZURE_SITE.exec(path);
  if (!m) return armError(404, 'InvalidResourceType', `The resource path '${path}' is not served by the ASR emulator.`);
  if (method !== 'GET')
    return armError(405, 'MethodNotAllowed', `${method} ${path} is not supported by the ASR emulator.`);
  const [, sub = '', rg = '', name = ''] = m;
  if (!estate.knowsSubscription(sub))
    return armError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
  const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.OffAzure/VMwareSites/${name}`;
  const v = estate.vaults.map((c) => c.vault).find((x) => x.site(id) !== undefined);
  const site = v?.site(id);
  if (!v || !site)
    return armError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.OffAzure/VMwareSites/${name}' under resource group '${rg}' was not found.`,
    );
  const seg = (m[4] ?? '')
    .split('/')
    .filter((s) => s.length > 0)
    .map(decodeURIComponent);
  if (seg.length === 0)
    return ok({
      id: site.id,
      name: site.id.split('/').pop(),
      type: 'Microsoft.OffAzure/VMwareSites',
      properties: { discoverySolutionId: `${site.id}/discoverySolution` },
    });
  if (!eq(seg[0] ?? '', 'runAsAccounts'))
    return armError(404, 'NotFound', `The resource '${seg[0]}' of the VMware site was not found.`);
  if (seg.length === 1) return page(site.runAsAccounts.map((a) => renderRunAsAccount(v, site, a)));
  const account = seg.length === 2 ? site.runAsAccounts.find((a) => eq(a.name, seg[1] ?? '')) : undefined;
  return account
    ? ok(renderRunAsAccount(v, site, account))
    : armError(404, 'NotFound', `The run-as account '${seg[1] ?? ''}' of the VMware site '${name}' was not found.`);
}
