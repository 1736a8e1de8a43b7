import { decide, type AuditEntry, type Decision, type RunEvent } from '../domain/run-machine';
import type { Run } from '../domain/run';
import { RunConflictError, RunNotFoundError, StoreUnavailableError } from '../errors';
import { keyPrefix } from './keys';
import { acquireLock, releaseLock } from './locks';
import type { RedisClient } from './redis-connection';
import { TTL } from './ttl';

/** Result of creating a run: either it exists now, or a VM was already taken by another run. */
export type CreateResult =
  /** `pending`: the run's outbox entry, cleared once its first step is queued. */
  | { readonly created: true; readonly run: Run; readonly pending: string }
  | { readonly created: false; readonly vmId: string; readonly otherRunId: string };

export type UpdateResult =
  | {
      readonly applied: true;
      readonly run: Run;
      readonly effects: Extract<Decision, { accepted: true }>['effects'];
      /** The change's outbox entry when it has steps to queue: cleared once they are queued. */
      readonly pending?: string | undefined;
    }
  | { readonly applied: false; readonly run: Run; readonly reason: string };

// Every key a script touches is in KEYS (Redis Cluster routes a script by its keys, and they all
// share the prefix's hash tag, so one slot: see keys.ts).
//
// KEYS: runs(zset), active(set), run-seq, outbox(zset), run document, trail(stream), ...vmLocks
// ARGV: expected run number, runJson (id "__RUN_ID__"), createdAtMs, historyCutoffMs, auditJson...
// The run's own keys are named before its number is taken, so the caller predicts the number (the
// sequence + 1); when another run took it meanwhile the script changes nothing and returns the
// sequence, and the caller tries again with the next one.
// The run number is taken only once the VMs are free: a refused request leaves no gap in the ids.
// Runs past their retention leave the history index as new ones come (their documents expire);
// a run still active stays however old it is.
const CREATE = `
for i = 7, #KEYS do
  local owner = redis.call('GET', KEYS[i])
  if owner then return {i - 6, owner} end
end
local seq = tonumber(redis.call('GET', KEYS[3]) or '0')
if tostring(seq + 1) ~= ARGV[1] then return {-1, tostring(seq)} end
local id = 'FB-' .. redis.call('INCR', KEYS[3])
for i = 7, #KEYS do redis.call('SET', KEYS[i], id) end
local json = string.gsub(ARGV[2], '"__RUN_ID__"', '"' .. id .. '"', 1)
redis.call('SET', KEYS[5], json)
for _, old in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[4])) do
  if redis.call('SISMEMBER', KEYS[2], old) == 0 then redis.call('ZREM', KEYS[1], old) end
end
redis.call('ZADD', KEYS[1], ARGV[3], id)
redis.call('SADD', KEYS[2], id)
redis.call('ZADD', KEYS[4], ARGV[3], id .. '@1')
for i = 5, #ARGV do redis.call('XADD', KEYS[6], '*', 'e', ARGV[i]) end
return {0, id}
`;

// KEYS: run, trail, active, outbox, ...vmLocks (VMs to release first)
// ARGV: expectedVersion, newJson, closed(0/1), runId, releaseCount, retentionSeconds,
//       outboxMember ('' = none), nowMs, auditJson...
// A run that closes is kept, with its trail, for the retention period (FAILBACK_RETENTION_DAYS).
const UPDATE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return -1 end
if tostring(cjson.decode(cur)['version']) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
if ARGV[7] ~= '' then redis.call('ZADD', KEYS[4], ARGV[8], ARGV[7]) end
for i = 9, #ARGV do redis.call('XADD', KEYS[2], '*', 'e', ARGV[i]) end
local last = 4 + tonumber(ARGV[5])
if ARGV[3] == '1' then
  redis.call('SREM', KEYS[3], ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[6])
  redis.call('EXPIRE', KEYS[2], ARGV[6])
  last = #KEYS
end
for i = 5, last do
  if redis.call('GET', KEYS[i]) == ARGV[4] then redis.call('DEL', KEYS[i]) end
end
return 1
`;

/** Replaced by the run's number inside the create script (the id is the document's first field). */
const ID_PLACEHOLDER = '__RUN_ID__';

/**
 * Runs and their audit trail in Redis. Each run is one JSON document changed only through the
 * pure state machine, with optimistic concurrency on `version`; audit entries are appended to a
 * stream in the same atomic step. Any process may read or change any run.
 */
export class RunStore {
  private readonly redis: RedisClient;
  private readonly prefix: string;
  private readonly retentionMs: number;
  private readonly now: () => number;

  constructor(options: {
    readonly redis: RedisClient;
    /** The key prefix, made a hash tag (`fb` → `{fb}`): see keys.ts. */
    readonly prefix: string;
    /** FAILBACK_RETENTION_DAYS: how long a closed run and its trail are kept (default 90 days). */
    readonly retentionMs?: number | undefined;
    readonly now?: (() => number) | undefined;
  }) {
    this.redis = options.redis;
    this.prefix = keyPrefix(options.prefix);
    this.retentionMs = options.retentionMs ?? 90 * 24 * 3600_000;
    this.now = options.now ?? Date.now;
  }

  private readonly listeners: ((before: Run, after: Run) => void)[] = [];

  /** Called after each change this process saved (metrics); a listener must not throw or block. */
  onChange(listener: (before: Run, after: Run) => void): void {
    this.listeners.push(listener);
  }

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }
  private vmLockKey(vmId: string): string {
    return this.key('vm-run', vmId.toLowerCase());
  }

  /**
   * Saves a new run and takes its VMs, atomically, numbering it (`FB-n`) only then; refuses if any
   * VM is in another active run.
   */
  async create(draft: Omit<Run, 'id'>, audit: readonly AuditEntry[]): Promise<CreateResult> {
    const createdAt = Date.parse(draft.createdAt);
    const json = JSON.stringify({ id: ID_PLACEHOLDER, ...draft });
    const entries = audit.map((a) => JSON.stringify(a));
    const locks = draft.vms.map((v) => this.vmLockKey(v.id));
    let seq = Number(await this.guard(this.redis.get(this.key('run-seq')))) || 0;
    for (let attempt = 0; attempt < 50; attempt++) {
      const expected = `FB-${seq + 1}`;
      const keys = [
        this.key('runs'),
        this.key('runs', 'active'),
        this.key('run-seq'),
        this.key('outbox'),
        this.key('run', expected),
        this.key('trail', expected),
        ...locks,
      ];
      const [index, value] = (await this.guard(
        this.redis.eval(
          CREATE,
          keys.length,
          ...keys,
          String(seq + 1),
          json,
          String(createdAt),
          String(createdAt - this.retentionMs),
          ...entries,
        ),
      )) as [number, string];
      if (index === 0) return { created: true, run: { id: value, ...draft }, pending: `${value}@1` };
      if (index > 0) return { created: false, vmId: draft.vms[index - 1]?.id ?? '', otherRunId: value };
      // Another run took that number meanwhile: try the next one.
      seq = Number(value);
    }
    throw new StoreUnavailableError('Redis: could not number the run (too many runs created at once)');
  }

  /**
   * The outbox: a run is created, and every change with steps to queue is saved, together with an
   * entry here (`FB-7@3`: the run and its version), cleared once the steps are queued. Whoever made
   * the change clears it at once; if queuing failed (or the process died), a worker's sweep resumes
   * the run from its state — a run is never half-made, a decision never left unqueued.
   */
  async outboxDone(entry: string): Promise<void> {
    await this.guard(this.redis.zrem(this.key('outbox'), entry));
  }

  /** Outbox entries older than `before` (epoch ms). */
  async outboxDue(before: number): Promise<string[]> {
    return this.guard(this.redis.zrangebyscore(this.key('outbox'), '-inf', String(before)));
  }

  async get(runId: string): Promise<Run | undefined> {
    const raw = await this.guard(this.redis.get(this.key('run', runId)));
    return raw ? (JSON.parse(raw) as Run) : undefined;
  }

  async require(runId: string): Promise<Run> {
    const run = await this.get(runId);
    if (!run) throw new RunNotFoundError(runId);
    return run;
  }

  /** The run each VM is in, for VMs that are in an active run. */
  async activeRunsOf(vmIds: readonly string[]): Promise<Map<string, string>> {
    if (vmIds.length === 0) return new Map();
    const owners = await this.guard(this.redis.mget(...vmIds.map((id) => this.vmLockKey(id))));
    const m = new Map<string, string>();
    vmIds.forEach((id, i) => {
      const o = owners[i];
      if (o) m.set(id, o);
    });
    return m;
  }

  /** The newest runs first, at most `n`. */
  async recent(n: number): Promise<Run[]> {
    const ids = await this.guard(this.redis.zrevrange(this.key('runs'), 0, Math.max(0, n - 1)));
    if (ids.length === 0) return [];
    const raws = await this.guard(this.redis.mget(...ids.map((id) => this.key('run', id))));
    return raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as Run);
  }

  async activeRunIds(): Promise<string[]> {
    return this.guard(this.redis.smembers(this.key('runs', 'active')));
  }

  /** Applies an event through the state machine and saves the result (retrying on a concurrent change). */
  async apply(runId: string, event: RunEvent, extraAudit: readonly AuditEntry[] = []): Promise<UpdateResult> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const run = await this.require(runId);
      const decision = decide(run, event);
      if (!decision.accepted) return { applied: false, run, reason: decision.reason };
      const next: Run = { ...decision.run, version: run.version + 1 };
      // A VM left out of the run is free for another run at once.
      const released = next.vms.filter((v) => v.leftOut && !run.vms.find((o) => o.id === v.id)?.leftOut);
      const kept = run.vms.filter((v) => !released.some((r) => r.id === v.id));
      const locks = [...released, ...kept].map((v) => this.vmLockKey(v.id));
      const keys = [
        this.key('run', runId),
        this.key('trail', runId),
        this.key('runs', 'active'),
        this.key('outbox'),
        ...locks,
      ];
      const audit = [...decision.audit, ...extraAudit].map((a) => JSON.stringify(a));
      const closed = next.closedAt && !run.closedAt ? '1' : '0';
      // A change that has steps to queue is in the outbox until they are: never lost with a process.
      const pending = decision.effects.some((e) => e.kind === 'run-step') ? `${runId}@${next.version}` : undefined;
      const ok = await this.guard(
        this.redis.eval(
          UPDATE,
          keys.length,
          ...keys,
          String(run.version),
          JSON.stringify(next),
          closed,
          runId,
          String(released.length),
          String(Math.max(1, Math.ceil(this.retentionMs / 1000))),
          pending ?? '',
          String(this.now()),
          ...audit,
        ),
      );
      if (ok === -1) throw new RunNotFoundError(runId);
      if (ok === 1) {
        for (const listener of this.listeners) listener(run, next);
        return { applied: true, run: next, effects: decision.effects, ...(pending ? { pending } : {}) };
      }
    }
    throw new RunConflictError(runId);
  }

  /** Appends to the trail without changing the run (refusals, clicks that changed nothing). */
  async audit(runId: string, entry: AuditEntry): Promise<void> {
    await this.guard(this.redis.xadd(this.key('trail', runId), '*', 'e', JSON.stringify(entry)));
  }

  async trail(runId: string): Promise<AuditEntry[]> {
    const rows = await this.guard(this.redis.xrange(this.key('trail', runId), '-', '+'));
    return rows.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as AuditEntry);
  }

  /** A time the bot keeps for itself (e.g. when the vault was last checked), or undefined. */
  async mark(name: string): Promise<number | undefined> {
    const v = await this.guard(this.redis.get(this.key('mark', name)));
    return v === null ? undefined : Number(v);
  }

  async setMark(name: string, value: number): Promise<void> {
    await this.guard(this.redis.set(this.key('mark', name), String(value), 'EX', TTL.month));
  }

  /** Sets a key once (dedup of clicks and Slack retries); true for the first caller only. */
  async once(key: string, ttlMs: number): Promise<boolean> {
    return (await this.guard(this.redis.set(this.key('once', key), '1', 'PX', ttlMs, 'NX'))) === 'OK';
  }

  /** A short exclusive lock; returns its token, or undefined when someone else holds it. */
  lock(name: string, ttlMs: number): Promise<string | undefined> {
    return this.guard(acquireLock(this.redis, this.key('lock', name), ttlMs));
  }

  unlock(name: string, token: string): Promise<void> {
    return this.guard(releaseLock(this.redis, this.key('lock', name), token));
  }

  /** Redis errors (down, timeout, offline queue refused) become one typed error. */
  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (e instanceof RunNotFoundError) throw e;
      throw new StoreUnavailableError(`Redis: ${(e as Error).message}`, { cause: e });
    }
  }
}
