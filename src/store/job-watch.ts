import type { OpKind } from '../domain/run';
import { keyPrefix } from './keys';
import type { RedisClient } from './redis-connection';

export interface WatchedJob {
  readonly jobName: string;
  readonly runId: string;
  /** The VM the job acts on; for a recovery-plan job, the plan's id. */
  readonly vmId: string;
  readonly op: OpKind;
  /** Set for a recovery-plan job: its outcome is reported per member VM. */
  readonly plan?: true | undefined;
  /** Epoch ms before which the job is not read (ARM's Retry-After, when longer than the poll interval). */
  readonly notBefore: number;
  /** Epoch ms when the bot started following the job (the job list is filtered from there). */
  readonly addedAt?: number | undefined;
}

/**
 * The ASR jobs that active runs wait for, vault-wide, in one Redis hash. One watcher reads them all
 * per poll interval and fans the results out to their runs, instead of one poller per VM.
 */
export class JobWatchList {
  private readonly key: string;
  private readonly redis: RedisClient;
  private readonly now: () => number;

  constructor(options: { readonly redis: RedisClient; readonly prefix: string; readonly now: () => number }) {
    this.redis = options.redis;
    this.now = options.now;
    this.key = `${keyPrefix(options.prefix)}:watch`;
  }

  async add(job: WatchedJob): Promise<void> {
    await this.redis.hset(this.key, job.jobName, JSON.stringify({ addedAt: this.now(), ...job }));
  }

  async all(): Promise<WatchedJob[]> {
    const rows = await this.redis.hgetall(this.key);
    return Object.values(rows).map((v) => JSON.parse(v) as WatchedJob);
  }

  async remove(jobName: string): Promise<void> {
    await this.redis.hdel(this.key, jobName);
  }
}
