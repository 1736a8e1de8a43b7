/**
 * The vaults themselves (Microsoft.RecoveryServices/vaults), as a discovery reads them:
 * `GET /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{v}`, and the
 * lists `GET /subscriptions/{s}/providers/Microsoft.RecoveryServices/vaults` (by subscription) and
 * `GET /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults` (by
 * resource group). Also ARM's 403 for a vault the identity may not read.
 *
 * Not recorded (assumption): the bodies follow the Microsoft.RecoveryServices REST samples
 * (`{ id, name, type, location, properties: { provisioningState }, sku: { name: 'Standard' } }`,
 * the id with `/subscriptions/`), the 403 follows ARM's AuthorizationFailed wording.
 */
import type { Estate } from './estate';
import { IDENTITY } from './identity';
import { TYPES } from './ids';
import { eq, type VaultState } from './model';
import { armError, type Reply } from './reply';

/** `/subscriptions/{s}[/resourceGroups/{rg}]/providers/Microsoft.RecoveryServices/vaults` (a list of vaults). */
export const VAULT_LIST =
  /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+))?\/providers\/Microsoft\.RecoveryServices\/vaults\/?$/i;

/** A vault as ARM serves it. */
export function renderVault(v: VaultState): Record<string, unknown> {
  return {
    id: v.armId,
    name: v.name,
    type: TYPES.vault,
    location: v.location,
    tags: {},
    properties: { provisioningState: 'Succeeded' },
    sku: { name: 'Standard' },
  };
}

/**
 * A list of vaults (path matched by VAULT_LIST): a subscription's, or a resource group's. Denied
 * vaults stay listed (a Reader of the subscription sees the vault; reading inside it is what fails).
 */
export function vaultList(
  estate: Estate,
  method: string,
  path: string,
  page: (all: readonly VaultState[]) => Reply,
): Reply {
  const [, sub = '', rg] = VAULT_LIST.exec(path) ?? [];
  if (method !== 'GET')
    return armError(405, 'MethodNotAllowed', `${method} ${path} is not supported by the ASR emulator.`);
  if (!estate.knowsSubscription(sub))
    return armError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
  const vaults = estate
    .inSubscription(sub)
    .filter((c) => rg === undefined || eq(c.vault.resourceGroup, rg))
    .map((c) => c.vault);
  if (rg !== undefined && vaults.length === 0 && !estate.knowsResourceGroup(sub, rg))
    return armError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
  return page(vaults);
}

/**
 * ARM's 403 for a request under a denied vault. The action is the request's: the resource types of
 * its path (`…/replicationFabrics/{f}/replicationProtectionContainers/{c}/replicationProtectedItems`
 * → `Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/read`),
 * a POST's last segment as `/{operation}/action`; the scope is the request's path.
 */
export function authorizationFailed(method: string, path: string, segments: readonly string[]): Reply {
  const types = segments.filter((_, i) => i % 2 === 0);
  const post = method === 'POST' && segments.length % 2 === 1;
  const operation = post ? types.pop() : undefined;
  const verb = post ? `${operation}/action` : method === 'DELETE' ? 'delete' : method === 'GET' ? 'read' : 'write';
  const action = [TYPES.vault, ...types, verb].join('/');
  const scope = path.replace(/\/+$/, '');
  return armError(
    403,
    'AuthorizationFailed',
    `The client '${IDENTITY.clientId}' with object id '${IDENTITY.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}
