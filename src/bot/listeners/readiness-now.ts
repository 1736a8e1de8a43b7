import { readinessReport, type ReadinessReport } from '../../domain/readiness';
import type { ReplicatedVm, ReplicationServer } from '../../domain/vm';
import type { BotDeps } from '../deps';
import { fillPoints } from './actions/points-of';
import { listenerReadSlots, vaultLists } from './request-lists';
import { readEstateServers } from '../../azure/estate-lists';

/** How long the fabrics' servers are reused: their health changes slowly. */
const SERVERS_REUSE_MS = 60_000;
/** Recovery-point reads one readiness look starts at most (the rest fill on later looks). */
export const READINESS_POINT_FILLS = 20;

interface HeldServers {
  readonly servers: readonly ReplicationServer[];
  readonly until: number;
}
const heldServers = new WeakMap<BotDeps, HeldServers>();
const readingServers = new WeakMap<BotDeps, Promise<readonly ReplicationServer[]>>();

/** The vault's servers: held in this process for a minute, else one fabric list read (shared). */
async function replicationServers(deps: BotDeps): Promise<readonly ReplicationServer[]> {
  const held = heldServers.get(deps);
  if (held && deps.now() < held.until) return held.servers;
  let pending = readingServers.get(deps);
  if (!pending) {
    pending = readEstateServers(deps.estate, { signal: deps.shutdown, slots: listenerReadSlots(deps) })
      .then(async (servers) => {
        heldServers.set(deps, { servers, until: deps.now() + SERVERS_REUSE_MS });
        await deps.facts.putServers(servers).catch((err: unknown) => deps.log.info({ err }, 'servers not cached'));
        return servers;
      })
      .catch((err: unknown) => {
        // Without servers the VMs' own health still shows; the server column stays empty.
        deps.log.warn({ err }, 'could not read the vault’s process servers and appliances');
        return held?.servers ?? [];
      })
      .finally(() => readingServers.delete(deps));
    readingServers.set(deps, pending);
  }
  return pending;
}

/** Which VMs' points to read first: those that could fail back, then the rest. */
function fillOrder(vms: readonly ReplicatedVm[]): ReplicatedVm[] {
  return [...vms].sort((a, b) => Number(b.failback.ready) - Number(a.failback.ready));
}

/**
 * Readiness now, from the same cached, budgeted reads as the request modal: the vault's lists (one
 * read per burst), the cached recovery-point summaries, and the fabrics' servers. VMs whose points
 * are not cached get at most {@link READINESS_POINT_FILLS} reads started, in the listener's bounded
 * read slots; they show as "not read yet" until then — never one ARM read per VM per look.
 */
export async function readinessNow(deps: BotDeps): Promise<ReadinessReport> {
  const [lists, servers] = await Promise.all([vaultLists(deps), replicationServers(deps)]);
  const points = await deps.facts.points(lists.vms.map((v) => v.id));
  const missing = fillOrder(lists.vms.filter((v) => !points.has(v.id) && v.health?.rpoSeconds === undefined));
  fillPoints(deps, missing.slice(0, READINESS_POINT_FILLS));
  return readinessReport({
    vms: lists.vms,
    plans: lists.plans,
    points,
    servers,
    unreadable: lists.unreadable,
    now: new Date(deps.now()),
  });
}

/**
 * Readiness from what is cached only (Redis, and the servers this process holds): for App Home,
 * which must never wait on ARM. Undefined when the vault's lists were not read lately.
 */
export async function cachedReadiness(deps: BotDeps): Promise<ReadinessReport | undefined> {
  const [vms, readAt] = await Promise.all([deps.facts.vms(), deps.facts.vmsReadAt()]);
  if (!vms) return undefined;
  const [plans, points, servers, unreadable] = await Promise.all([
    deps.facts.plans(),
    deps.facts.points(vms.map((v) => v.id)),
    deps.facts.servers(),
    deps.facts.unreadable(),
  ]);
  return readinessReport({
    vms,
    plans,
    points,
    servers,
    unreadable,
    now: new Date(deps.now()),
    listsReadAt: readAt !== undefined ? new Date(readAt).toISOString() : undefined,
  });
}
