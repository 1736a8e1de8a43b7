import { jobNameFromUrl } from './arm-ids';
import { mapOperationError } from './asr-errors';

/** The parts of a raw response the SDK hands to `onResponse`, for the initial POST and its polls. */
export interface RawResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | undefined };
  readonly request?: { readonly url: string } | undefined;
  readonly parsedBody?: unknown;
}

/**
 * The ASR job an operation POST started. The 202 names an operation in its Azure-AsyncOperation
 * (…/replicationOperationStatus/{id}) and Location (…/operationresults/{id}) headers; in the recorded
 * item operations `{id}` was the job, in a recorded recovery-plan operation it was not: the job is the
 * `name` in the operation status body. So the status body's `name` wins (the SDK's first poll reads
 * it), and the URL's id is the fallback — if that is no job, the watcher's read answers 404 and the
 * step re-reads the item or plan, which names its running job. Once ASR has accepted the POST, a
 * failure of that first poll is not an error of the operation.
 */
export class AcceptedJob {
  private fromUrl: string | undefined;
  private fromStatus: string | undefined;
  private statusUrl: string | undefined;
  private retryAfterMs: number | undefined;
  private error: unknown;

  readonly onResponse = (raw: RawResponse): void => {
    const name = (raw.parsedBody as { name?: unknown } | undefined)?.name;
    if (
      raw.status === 200 &&
      typeof name === 'string' &&
      name !== '' &&
      /\/replicationOperationStatus\//i.test(raw.request?.url ?? '')
    ) {
      this.fromStatus ??= name;
      return;
    }
    const url = raw.headers.get('azure-asyncoperation') ?? raw.headers.get('location');
    if (raw.status >= 200 && raw.status < 300 && url && this.fromUrl === undefined) {
      this.fromUrl = jobNameFromUrl(url);
      this.statusUrl = raw.headers.get('azure-asyncoperation');
      const ra = Number(raw.headers.get('retry-after'));
      if (Number.isFinite(ra) && ra > 0) this.retryAfterMs = ra * 1000;
    }
  };

  /** Whether ASR accepted the POST but no status body has named the job yet. */
  get needsStatusRead(): string | undefined {
    return this.fromUrl !== undefined && this.fromStatus === undefined ? this.statusUrl : undefined;
  }

  /** The job name read from the operation status (a separate read, when the SDK's poll did not). */
  statusNamed(name: string | undefined): void {
    if (name) this.fromStatus ??= name;
  }

  failed(e: unknown): void {
    this.error = e;
  }

  result(): { jobName: string; retryAfterMs?: number; source: 'status' | 'url' } {
    const jobName = this.fromStatus ?? this.fromUrl;
    if (!jobName) throw mapOperationError(this.error ?? new Error('ASR accepted the operation but named no job'));
    return {
      jobName,
      source: this.fromStatus ? 'status' : 'url',
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
    };
  }
}
