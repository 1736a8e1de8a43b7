/**
 * Replication health read from what ASR already returns: the item (replicationHealth, healthErrors,
 * the provider's agent and server fields) and the fabrics (process servers, appliances). None of it
 * is in the recordings (they are condensed to what the operations need); the field names are the
 * SDK's models of the REST specification, and every one is optional: what ASR leaves out is shown
 * as "not reported", never as healthy.
 */
import type { HealthError, ReplicationProtectedItem, Fabric } from '@azure/arm-recoveryservices-siterecovery';
import type { HealthProblem, ReplicationServer, VmHealth } from '../domain/vm';

type Row = Readonly<Record<string, unknown>>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const iso = (v: unknown): string | undefined =>
  v instanceof Date ? (Number.isNaN(v.getTime()) ? undefined : v.toISOString()) : str(v);
const rows = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);
const row = (v: unknown): Row => (v && typeof v === 'object' ? (v as Row) : {});

const ERRORS_KEPT = 3;
const LEVEL_RANK: Readonly<Record<string, number>> = { error: 0, warning: 1, info: 2 };

function problem(e: HealthError): HealthProblem | undefined {
  const message = str(e.errorMessage) ?? str(e.summaryMessage) ?? str(e.recoveryProviderErrorMessage);
  if (!message) return undefined;
  return { level: str(e.errorLevel), code: str(e.errorCode), message, action: str(e.recommendedAction) };
}

function worstFirst(errors: readonly HealthError[] | undefined): HealthProblem[] {
  const rank = (p: HealthProblem) => LEVEL_RANK[(p.level ?? '').toLowerCase()] ?? 1;
  return (errors ?? [])
    .map(problem)
    .filter((p): p is HealthProblem => p !== undefined)
    .sort((a, b) => rank(a) - rank(b))
    .slice(0, ERRORS_KEPT);
}

/** The provider's own agent and server fields (classic InMage*, modernized InMageRcm*). */
function providerFields(details: Row): Omit<VmHealth, 'replication' | 'errors'> {
  switch (details.instanceType) {
    case 'InMage':
    case 'InMageAzureV2':
      return {
        agentHeartbeat: iso(details.lastHeartbeat),
        rpoSeconds: typeof details.rpoInSeconds === 'number' ? details.rpoInSeconds : undefined,
        serverId: str(details.processServerId),
      };
    case 'InMageRcmFailback':
      return {
        agentHeartbeat: iso(row(details.mobilityAgentDetails).lastHeartbeatUtc),
        serverId: str(details.reprotectAgentId),
        serverName: str(details.reprotectAgentName),
      };
    case 'InMageRcm':
      return {
        agentHeartbeat: iso(row(details.mobilityAgentDetails).lastHeartbeatUtc),
        serverId: str(details.processServerId),
        serverName: str(details.processServerName),
      };
    default:
      return {};
  }
}

export function healthOf(item: ReplicationProtectedItem): VmHealth {
  const p = item.properties ?? {};
  const fields = providerFields(row(p.providerSpecificDetails));
  return {
    replication: str(p.replicationHealth),
    errors: worstFirst(p.healthErrors),
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
  };
}

function server(r: Row, role: ReplicationServer['role'], name: unknown, heartbeat: unknown): ReplicationServer[] {
  const id = str(r.id);
  if (!id) return [];
  return [{ id, name: str(name) ?? id, role, health: str(r.health), lastHeartbeat: iso(heartbeat) }];
}

/** The process servers (classic VMware fabric) and appliances (modernized InMageRcm fabric) of a fabric. */
export function serversOf(fabric: Fabric): ReplicationServer[] {
  const d = row(fabric.properties?.customDetails);
  if (d.instanceType === 'VMware')
    return rows(d.processServers).flatMap((r) => server(r, 'process server', r.friendlyName, r.lastHeartbeat));
  if (d.instanceType === 'InMageRcm')
    return [
      ...rows(d.processServers).flatMap((r) => server(r, 'process server', r.name, r.lastHeartbeatUtc)),
      ...rows(d.reprotectAgents).flatMap((r) => server(r, 'appliance', r.name, r.lastHeartbeatUtc)),
    ];
  return [];
}
