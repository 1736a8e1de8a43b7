/**
 * An ARM that answers from recorded traffic of the real Site Recovery service (test/contract/recorded,
 * copied from the project's shared recordings). It stands in for the HTTP client of the real Azure
 * SDK — the process boundary — so the gateway's whole stack (SDK models, serializers, LRO start,
 * our mapping) runs on the recorded bodies, and every request it sends is captured.
 */
import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/core-auth';
import classic from './recorded/classic-failback.json';
import modernized from './recorded/modernized-failback.json';
import plans from './recorded/plans-and-jobs.json';
import { SdkAsrGateway } from '../../src/azure/sdk-gateway';

export const recorded = { classic, modernized, plans };

export const SUB = '11111111-2222-3333-4444-555555555555';
export const RG = 'rg-recorded';
export const VAULT = 'PwsTestVault';
export const VAULT_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.RecoveryServices/vaults/${VAULT}`;
export const FABRIC = 'fabric-recorded';
export const CONTAINER = 'container-recorded';

export const itemId = (name: string) =>
  `${VAULT_ID}/replicationFabrics/${FABRIC}/replicationProtectionContainers/${CONTAINER}/replicationProtectedItems/${name}`;

export interface SentRequest {
  readonly method: string;
  /** Path without the query, decoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

type Json = Record<string, unknown>;

/** The recordings shorten ids with '…'; the part after the last '…' is what they kept. */
export function recordedTail(shortened: string): string {
  const i = shortened.lastIndexOf('…');
  return i < 0 ? shortened : shortened.slice(i + 1);
}

/** A GUID at the start of a recorded annotation such as "e9cdc517-… (the InMageRcmFailback internalIdentifier)". */
export function leadingId(annotated: string): string {
  return annotated.split(' ')[0] ?? annotated;
}

export class RecordedArm implements HttpClient {
  readonly sent: SentRequest[] = [];
  private readonly items = new Map<string, Json>();
  private readonly jobs = new Map<string, Json>();
  private readonly plans = new Map<string, Json>();
  private jobList: Json[] = [];
  /** What an operation POST is answered with: the recorded 202 headers' pattern, `{id}` an operation id. */
  operationId = 'a2e9f617-0000-0000-0000-000000000001';
  /** The job the operation status body names (recorded: for plans it differs from the id in the URL). */
  statusJobName: string | undefined;

  /** Serves an item under the recorded item name, with the recorded `properties`. */
  item(name: string, properties: Json): this {
    this.items.set(name.toLowerCase(), {
      id: itemId(name),
      name,
      type: 'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems',
      properties,
    });
    return this;
  }

  job(name: string, properties: Json): this {
    this.jobs.set(name.toLowerCase(), {
      id: `${VAULT_ID}/replicationJobs/${name}`,
      name,
      type: 'Microsoft.RecoveryServices/vaults/replicationJobs',
      properties,
    });
    return this;
  }

  plan(name: string, properties: Json): this {
    this.plans.set(name.toLowerCase(), {
      id: `${VAULT_ID}/replicationRecoveryPlans/${name}`,
      name,
      type: 'Microsoft.RecoveryServices/vaults/replicationRecoveryPlans',
      properties,
    });
    return this;
  }

  listJobs(items: { name: string; properties: Json }[]): this {
    this.jobList = items.map(({ name, properties }) => ({
      id: `${VAULT_ID}/replicationJobs/${name}`,
      name,
      type: 'Microsoft.RecoveryServices/vaults/replicationJobs',
      properties,
    }));
    return this;
  }

  posts(): SentRequest[] {
    return this.sent.filter((r) => r.method === 'POST');
  }

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const url = new URL(request.url);
    const body =
      typeof request.body === 'string' && request.body !== '' ? (JSON.parse(request.body) as unknown) : undefined;
    const sent: SentRequest = {
      method: request.method,
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      body,
    };
    this.sent.push(sent);
    const answer = (status: number, json?: unknown, headers: Record<string, string> = {}): PipelineResponse => ({
      request,
      status,
      headers: createHttpHeaders({ 'content-type': 'application/json', ...headers }),
      bodyAsText: json === undefined ? '' : JSON.stringify(json),
    });
    const path = sent.path;
    const last = path.split('/').at(-1) ?? '';
    if (request.method === 'POST') {
      const base = `https://${url.host}`;
      return answer(202, undefined, {
        location: `${base}${path.replace(/\/[^/]+$/, '')}/operationresults/${this.operationId}?api-version=2023-06-01`,
        'azure-asyncoperation': `${base}${VAULT_ID}/replicationOperationStatus/${this.operationId}?api-version=2023-06-01`,
        'retry-after': '30',
      });
    }
    if (/\/replicationOperationStatus\//i.test(path)) {
      return answer(200, {
        name: this.statusJobName ?? last,
        status: 'InProgress',
        startTime: '2021-04-06T10:00:00Z',
        endTime: null,
        error: null,
      });
    }
    if (/\/replicationJobs$/i.test(path)) return answer(200, { value: this.jobList });
    if (/\/replicationJobs\//i.test(path)) return this.found(answer, this.jobs.get(last.toLowerCase()));
    if (/\/replicationRecoveryPlans\//i.test(path)) return this.found(answer, this.plans.get(last.toLowerCase()));
    if (/\/replicationProtectedItems\//i.test(path)) return this.found(answer, this.items.get(last.toLowerCase()));
    return answer(404, { error: { code: 'NotRecorded', message: `nothing recorded for ${request.method} ${path}` } });
  }

  private found(
    answer: (status: number, json?: unknown) => PipelineResponse,
    body: Json | undefined,
  ): PipelineResponse {
    return body ? answer(200, body) : answer(404, { error: { code: 'NotFound', message: 'not in the recording' } });
  }
}

const credential: TokenCredential = {
  getToken: async () => ({ token: 'recorded-not-a-secret', expiresOnTimestamp: Date.now() + 3600_000 }),
};

/** The real gateway (real SDK) on the recorded ARM. */
export function gatewayOn(arm: RecordedArm): SdkAsrGateway {
  return new SdkAsrGateway({
    credential,
    subscriptionId: SUB,
    resourceGroup: RG,
    vault: VAULT,
    endpoint: 'https://management.azure.com',
    httpClient: arm,
  });
}
