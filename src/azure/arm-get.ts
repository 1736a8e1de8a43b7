import { createPipelineRequest, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { AsrRefusedError, AsrTransientError } from '../errors';
import type { CallOptions } from './gateway';

/** Anything that sends a request through an authenticated ARM pipeline (an SDK client's `sendRequest`). */
export interface ArmSender {
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
}

const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);

interface ArmBody {
  readonly value?: unknown[];
  readonly nextLink?: string;
  readonly error?: { readonly code?: string; readonly message?: string };
}

/** One GET of an ARM resource (outside the Site Recovery SDK's operations), ARM's errors as ours. */
export async function armGet<T>(client: ArmSender, url: string, options?: CallOptions): Promise<T> {
  let res: PipelineResponse;
  try {
    res = await client.sendRequest(createPipelineRequest({ url, method: 'GET', abortSignal: options?.abortSignal }));
  } catch (e) {
    throw new AsrTransientError(`ARM read failed: ${(e as Error).message}`, undefined, { cause: e });
  }
  let body: ArmBody & T;
  try {
    body = JSON.parse(res.bodyAsText || '{}') as ArmBody & T;
  } catch {
    body = {} as ArmBody & T;
  }
  if (res.status === 200) return body;
  const message = body.error?.message ?? `GET ${new URL(url).pathname} answered ${res.status}`;
  if (TRANSIENT.has(res.status)) {
    const after = Number(res.headers.get('retry-after'));
    throw new AsrTransientError(
      `ARM read failed: ${message}`,
      Number.isFinite(after) && after > 0 ? after * 1000 : undefined,
    );
  }
  throw new AsrRefusedError(body.error?.code ?? String(res.status), message, res.status);
}

/** Every page of an ARM list (following `nextLink`, at most `maxPages`). */
export async function armGetAll<T>(client: ArmSender, url: string, options?: CallOptions, maxPages = 50): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined = url;
  for (let pages = 0; next && pages < maxPages; pages++) {
    const body: ArmBody = await armGet<ArmBody>(client, next, options);
    out.push(...((body.value ?? []) as T[]));
    next = body.nextLink;
  }
  return out;
}
