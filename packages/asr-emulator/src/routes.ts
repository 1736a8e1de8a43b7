/**
 * ARM routes: the vaults (`/subscriptions/{sub}[/resourceGroups/{rg}]/providers/Microsoft.RecoveryServices/vaults[/{vault}]`),
 * everything under a vault (routed to that vault by subscription, resource group and name), and
 * Azure Migrate's `…/Microsoft.OffAzure/VMwareSites/{site}/runAsAccounts`, matched
 * case-insensitively. Lists are paged with an absolute `nextLink` (`$skiptoken` = offset).
 */
import type { Estate, VaultContext } from './estate';
import { filterItems, filterJobs } from './filters';
import { eq } from './model';
import { OFFAZURE_SITE, offAzureRoute } from './offazure';
import { OPERATION_RESULTS, OPERATION_STATUS, operationResult, operationStatus, startOperation } from './operations';
import { startPlanOperation } from './plan-operations';
import { renderContainer, renderFabric, renderItem, renderMapping, renderPoint, renderPolicy } from './render';
import { renderJob, renderJobSummary, renderPlan } from './render-jobs';
import { armError, ok, type Reply } from './reply';
import { OPERATION_KINDS } from './types';
import { authorizationFailed, renderVault, VAULT_LIST, vaultList } from './vaults';

/** What the router needs: the vaults, and what every list and timestamp uses. */
export interface RouteContext {
  readonly estate: Estate;
  readonly now: () => number;
  /** https://HOST:PORT */
  readonly baseUrl: () => string;
  readonly pageSize: () => number;
}

export interface RouteRequest {
  readonly method: string;
  /** URL path, not decoded further than URL parsing does. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
}

type Page = <T>(all: readonly T[], render?: (x: T) => unknown) => Reply;

const VAULT_PREFIX =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.RecoveryServices\/vaults\/([^/]+)(\/.*)?$/i;

/** Serves one ARM request. */
export function route(ctx: RouteContext, req: RouteRequest): Reply {
  const apiVersion = req.query['api-version'];
  if (!apiVersion)
    return armError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  const page: Page = (all, render = (x) => x) => paged(ctx, req, all, render);
  const { estate } = ctx;
  if (OFFAZURE_SITE.test(req.path)) return offAzureRoute(estate, req.method, req.path, (all) => page(all));
  if (VAULT_LIST.test(req.path)) return vaultList(estate, req.method, req.path, (all) => page(all, renderVault));
  const m = VAULT_PREFIX.exec(req.path);
  if (!m)
    return armError(404, 'InvalidResourceType', `The resource path '${req.path}' is not served by the ASR emulator.`);
  const vault = estate.resolve(m[1] ?? '', m[2] ?? '', m[3] ?? '');
  if ('status' in vault) return vault;
  const seg = (m[4] ?? '')
    .split('/')
    .filter((s) => s.length > 0)
    .map(decodeURIComponent);
  if (estate.isDenied(vault)) return authorizationFailed(req.method, req.path, seg);
  if (seg.length === 0)
    return req.method === 'GET'
      ? ok(renderVault(vault.vault))
      : armError(405, 'MethodNotAllowed', `${req.method} ${req.path} is not supported by the ASR emulator.`);
  return inVault(vault, req, seg, apiVersion, page);
}

/** A request under one vault: `seg` are the path's segments after `…/vaults/{vault}`. */
interface VaultRequest {
  readonly ctx: VaultContext;
  readonly req: RouteRequest;
  readonly seg: readonly string[];
  readonly apiVersion: string;
  readonly page: Page;
  is(i: number, name: string): boolean;
}

function inVault(ctx: VaultContext, req: RouteRequest, seg: readonly string[], apiVersion: string, page: Page): Reply {
  const r: VaultRequest = { ctx, req, seg, apiVersion, page, is: (i, name) => eq(seg[i] ?? '', name) };
  if (req.method === 'POST') return operationPost(r);
  if (req.method !== 'GET')
    return armError(405, 'MethodNotAllowed', `${req.method} is not supported by the ASR emulator.`);
  return r.is(0, 'replicationFabrics') ? fabricRead(r) : vaultRead(r);
}

/** An item or recovery-plan operation. */
function operationPost({ ctx, req, seg, apiVersion, is }: VaultRequest): Reply {
  const v = ctx.vault;
  const n = seg.length;
  const kind = OPERATION_KINDS.find((k) => is(6, k));
  if (
    n === 7 &&
    is(0, 'replicationFabrics') &&
    is(2, 'replicationProtectionContainers') &&
    is(4, 'replicationProtectedItems') &&
    kind
  ) {
    const item = v.item(seg[1] ?? '', seg[3] ?? '', seg[5] ?? '');
    if (!item) return notFound('replicationProtectedItems', seg[5]);
    return startOperation(ctx, kind, item, req.body, apiVersion);
  }
  if (n === 3 && is(0, 'replicationRecoveryPlans') && kind === undefined) {
    const planKind = OPERATION_KINDS.find((k) => is(2, k));
    const plan = v.plan(seg[1] ?? '');
    if (planKind && !plan) return notFound('replicationRecoveryPlans', seg[1]);
    if (planKind && plan) return startPlanOperation(ctx, planKind, plan, req.body, apiVersion);
  }
  return armError(405, 'MethodNotAllowed', `POST ${req.path} is not supported by the ASR emulator.`);
}

/** Vault-level reads: operation status and results, the vault-wide item list, policies, jobs, plans. */
function vaultRead({ ctx, req, seg, apiVersion, page, is }: VaultRequest): Reply {
  const v = ctx.vault;
  const n = seg.length;
  if (n === 2 && is(0, OPERATION_STATUS)) return operationStatus(ctx, seg[1] ?? '');
  // The vault-level operation-result URL of earlier emulator versions, kept.
  if (n === 2 && is(0, OPERATION_RESULTS)) return operationResult(ctx, seg[1] ?? '', apiVersion);
  if (n === 1 && is(0, 'replicationProtectedItems')) {
    const items = filterItems(v, req.query.$filter);
    return items.ok ? page(items.value, (i) => renderItem(v, i, ctx.now())) : items.error;
  }
  if (is(0, 'replicationPolicies')) {
    if (n === 1) return page(v.policies, (p) => renderPolicy(v, p));
    const p = n === 2 ? v.policy(seg[1] ?? '') : undefined;
    return p ? ok(renderPolicy(v, p)) : notFound('replicationPolicies', seg[1]);
  }
  if (is(0, 'replicationJobs')) {
    // The list is a summary, as ASR serves it (tasks and errors empty): details need a GET per job.
    if (n === 1) {
      const jobs = filterJobs(ctx.jobs.list(), req.query.$filter);
      return jobs.ok ? page(jobs.value, (j) => renderJobSummary(v, j)) : jobs.error;
    }
    const j = n === 2 ? ctx.jobs.get(seg[1] ?? '') : undefined;
    return j ? ok(renderJob(v, j)) : notFound('replicationJobs', seg[1]);
  }
  if (is(0, 'replicationRecoveryPlans')) {
    if (n === 1) return page(v.plans, (p) => renderPlan(v, p));
    const p = v.plan(seg[1] ?? '');
    if (!p) return notFound('replicationRecoveryPlans', seg[1]);
    if (n === 2) return ok(renderPlan(v, p));
    if (n === 4 && is(2, OPERATION_RESULTS)) return operationResult(ctx, seg[3] ?? '', apiVersion);
    return notFound(seg[2] ?? '', seg[3]);
  }
  return notFound(seg[0] ?? 'vault', seg[1]);
}

/** Reads under `replicationFabrics`: fabrics, containers, mappings, items, recovery points. */
function fabricRead({ ctx, seg, apiVersion, page, is }: VaultRequest): Reply {
  const v = ctx.vault;
  const n = seg.length;
  if (n === 1) return page(v.fabrics, (f) => renderFabric(v, f));
  const fabric = v.fabric(seg[1] ?? '');
  if (!fabric) return notFound('replicationFabrics', seg[1]);
  if (n === 2) return ok(renderFabric(v, fabric));
  if (!is(2, 'replicationProtectionContainers')) return notFound(seg[2] ?? '', seg[3]);
  if (n === 3) return page(fabric.containers, (c) => renderContainer(v, fabric, c));
  const container = v.container(fabric.name, seg[3] ?? '');
  if (!container) return notFound('replicationProtectionContainers', seg[3]);
  if (n === 4) return ok(renderContainer(v, fabric, container));
  if (is(4, 'replicationProtectionContainerMappings')) {
    const mappings = v.mappings(fabric.name, container.name);
    if (n === 5) return page(mappings, (x) => renderMapping(v, x));
    const mapping = n === 6 ? mappings.find((x) => eq(x.name, seg[5] ?? '')) : undefined;
    return mapping ? ok(renderMapping(v, mapping)) : notFound('replicationProtectionContainerMappings', seg[5]);
  }
  if (!is(4, 'replicationProtectedItems')) return notFound(seg[4] ?? '', seg[5]);
  if (n === 5)
    return page(
      v.items.filter((i) => i.fabric === fabric.name && i.container === container.name),
      (i) => renderItem(v, i, ctx.now()),
    );
  const item = v.item(fabric.name, container.name, seg[5] ?? '');
  if (!item) return notFound('replicationProtectedItems', seg[5]);
  if (n === 6) return ok(renderItem(v, item, ctx.now()));
  if (n === 8 && is(6, OPERATION_RESULTS)) return operationResult(ctx, seg[7] ?? '', apiVersion);
  if (!is(6, 'recoveryPoints')) return notFound(seg[6] ?? '', seg[7]);
  if (n === 7) return page(item.points, (p) => renderPoint(v, item, p));
  const point = n === 8 ? item.points.find((p) => eq(p.name, seg[7] ?? '')) : undefined;
  return point ? ok(renderPoint(v, item, point)) : notFound('recoveryPoints', seg[7]);
}

function notFound(type: string, name: string | undefined): Reply {
  return armError(404, 'NotFound', `The ${type} resource '${name ?? ''}' was not found in the vault.`);
}

/** One page of a list: `{ value, nextLink? }`; nextLink repeats the request's query with a new `$skiptoken`. */
function paged<T>(ctx: RouteContext, req: RouteRequest, all: readonly T[], render: (x: T) => unknown): Reply {
  const size = Math.max(1, ctx.pageSize());
  const skip = Math.max(0, Number.parseInt(req.query.$skiptoken ?? '0', 10) || 0);
  const value = all.slice(skip, skip + size).map(render);
  if (skip + size >= all.length) return ok({ value });
  const next = new URL(`${ctx.baseUrl()}${req.path}`);
  for (const [k, val] of Object.entries(req.query)) if (k !== '$skiptoken') next.searchParams.set(k, val);
  next.searchParams.set('$skiptoken', String(skip + size));
  return ok({ value, nextLink: next.toString() });
}
