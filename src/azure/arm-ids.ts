/** The parts of a replication protected item's ARM id that the SDK's methods take. */
export interface ItemRef {
  readonly fabric: string;
  readonly container: string;
  readonly item: string;
}

const ITEM_ID =
  /\/replicationFabrics\/([^/]+)\/replicationProtectionContainers\/([^/]+)\/replicationProtectedItems\/([^/]+)$/i;

export function parseItemId(id: string): ItemRef {
  const m = ITEM_ID.exec(id);
  if (!m || !m[1] || !m[2] || !m[3]) throw new Error(`Not a replication protected item id: ${id}`);
  return { fabric: decodeURIComponent(m[1]), container: decodeURIComponent(m[2]), item: decodeURIComponent(m[3]) };
}

/** The job name is the last segment of …/replicationJobs/{name} or …/replicationOperationStatus/{name}. */
export function jobNameFromUrl(url: string): string | undefined {
  const m = /\/(?:replicationJobs|replicationOperationStatus|operationresults)\/([^/?]+)/i.exec(url);
  const name = m?.[1];
  return name && name.toLowerCase() !== 'none' ? decodeURIComponent(name) : undefined;
}

/** The plan name from …/replicationRecoveryPlans/{name}. */
export function parsePlanId(id: string): string {
  const m = /\/replicationRecoveryPlans\/([^/]+)$/i.exec(id);
  if (!m?.[1]) throw new Error(`Not a recovery plan id: ${id}`);
  return decodeURIComponent(m[1]);
}
