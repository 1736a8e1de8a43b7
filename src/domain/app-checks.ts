/**
 * Application checks after a failover: what the checks file asks for, which checks apply to a VM,
 * and how one check's attempts add up to passed / failed / still trying. Pure: the probes that
 * reach the network live in src/checks, and time comes in as ISO strings.
 */

export type CheckKind = 'http' | 'tcp' | 'dns';

interface CheckSpecBase {
  /** Shown to people on the card and in the verification prompt; unique among the checks of a VM. */
  readonly name: string;
  /** One attempt's hard limit, connect to last byte. */
  readonly timeoutMs: number;
}

/** An HTTP(S) GET: passes on `expectStatus` (and `bodyContains` in the first 64 KiB of the body). */
export interface HttpCheckSpec extends CheckSpecBase {
  readonly kind: 'http';
  /** http: or https:, without credentials; comes only from the checks file. */
  readonly url: string;
  readonly expectStatus: number;
  readonly bodyContains?: string;
  /** Skip certificate verification (self-signed lab certificates only). */
  readonly insecureTls: boolean;
}

/** A TCP connect: passes once connected. */
export interface TcpCheckSpec extends CheckSpecBase {
  readonly kind: 'tcp';
  readonly host: string;
  readonly port: number;
}

/** A DNS lookup (`dns.name` in the file): passes once the name resolves, to `expectAddress` when set. */
export interface DnsCheckSpec extends CheckSpecBase {
  readonly kind: 'dns';
  readonly hostname: string;
  /** An IPv4 or IPv6 literal that must be among the addresses. */
  readonly expectAddress?: string;
}

export type CheckSpec = HttpCheckSpec | TcpCheckSpec | DnsCheckSpec;

/** Which VMs a check applies to: listed by friendly name, or members of a listed recovery plan. */
export interface CheckTarget {
  /** VM friendly names, compared case-insensitively. */
  readonly vms: readonly string[];
  /** Recovery plan names, compared case-insensitively. */
  readonly plans: readonly string[];
  /** When set, only VMs of this vault match (a VM whose vault is not known does not). */
  readonly vault?: string;
}

export type CheckDefinition = CheckSpec & { readonly target: CheckTarget };

export interface ChecksDefaults {
  /** How long checks keep retrying after the VM's failover finished (agents and services boot slowly). */
  readonly windowMs: number;
  /** Time between two attempts of a check that has not passed yet. */
  readonly intervalMs: number;
  /** An attempt's timeout when the check sets none. */
  readonly timeoutMs: number;
  /** Probes in flight at once, across all runs of a process. */
  readonly concurrency: number;
}

export interface ChecksConfig {
  readonly defaults: ChecksDefaults;
  readonly checks: readonly CheckDefinition[];
}

export const DEFAULT_CHECKS_DEFAULTS: ChecksDefaults = Object.freeze({
  windowMs: 15 * 60_000,
  intervalMs: 30_000,
  timeoutMs: 5_000,
  concurrency: 8,
});

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Whether `target` selects the VM `vm`, a member of the plans `planNames`. */
export function targetMatches(
  target: CheckTarget,
  vm: { readonly name: string; readonly vault?: string },
  planNames: readonly string[],
): boolean {
  if (target.vault !== undefined && (vm.vault === undefined || !same(target.vault, vm.vault))) return false;
  return target.vms.some((v) => same(v, vm.name)) || target.plans.some((p) => planNames.some((q) => same(p, q)));
}

/**
 * The checks that apply to one VM, in file order. The file refuses two checks of the same name for
 * the same VM or plan; a clash the file cannot see (the VM by name in one, through a plan in the
 * other) keeps the first, so that names stay unique per VM.
 */
export function checksFor(
  config: ChecksConfig,
  vm: { readonly name: string; readonly vault?: string },
  planNames: readonly string[],
): CheckDefinition[] {
  const seen = new Set<string>();
  const out: CheckDefinition[] = [];
  for (const check of config.checks) {
    const key = check.name.toLowerCase();
    if (seen.has(key) || !targetMatches(check.target, vm, planNames)) continue;
    seen.add(key);
    out.push(check);
  }
  return out;
}

export interface CheckEvidence {
  /** The HTTP status of the last response. */
  readonly status?: number;
  readonly latencyMs?: number;
  /** The addresses a DNS name resolved to. */
  readonly address?: readonly string[];
  /** Why the attempt failed: one short line, never a stack. */
  readonly error?: string;
}

export interface CheckAttempt {
  /** ISO time the attempt started. */
  readonly at: string;
  readonly ok: boolean;
  readonly evidence: CheckEvidence;
}

export type CheckStatus = 'pending' | 'trying' | 'passed' | 'failed';

export interface CheckState {
  readonly name: string;
  readonly kind: CheckKind;
  /** What is checked, from the file only: the URL, host:port or the DNS name. */
  readonly targetText: string;
  readonly status: CheckStatus;
  readonly attempts: number;
  readonly last?: CheckAttempt;
  /** ISO time the VM's failover finished: the retry window counts from here. */
  readonly startedAt: string;
  /** ISO time `status` last changed. */
  readonly since: string;
}

/** The URL, host:port or DNS name a check looks at. */
export function checkTargetText(spec: CheckSpec): string {
  switch (spec.kind) {
    case 'http':
      return spec.url;
    case 'tcp':
      return spec.host.includes(':') ? `[${spec.host}]:${spec.port}` : `${spec.host}:${spec.port}`;
    case 'dns':
      return spec.hostname;
  }
}

/** A check not tried yet, for a VM whose failover finished at `startedAt`. */
export function initialCheckState(spec: CheckSpec, startedAt: string): CheckState {
  return {
    name: spec.name,
    kind: spec.kind,
    targetText: checkTargetText(spec),
    status: 'pending',
    attempts: 0,
    startedAt,
    since: startedAt,
  };
}

/**
 * The state after one more attempt. Passed at the first good attempt; a failure inside the window
 * (from `startedAt`) keeps it trying, a failure once the window is over fails it. Passed and failed
 * are final: later attempts do not change them.
 */
export function nextCheckState(state: CheckState, attempt: CheckAttempt, now: string, windowMs: number): CheckState {
  if (state.status === 'passed' || state.status === 'failed') return state;
  const windowOver = Date.parse(now) >= Date.parse(state.startedAt) + windowMs;
  const status: CheckStatus = attempt.ok ? 'passed' : windowOver ? 'failed' : 'trying';
  return {
    ...state,
    status,
    attempts: state.attempts + 1,
    last: attempt,
    since: status === state.status ? state.since : now,
  };
}

export type ChecksOverall = 'passed' | 'failed' | 'trying' | 'none';

export interface ChecksSummary {
  readonly passed: number;
  readonly failed: number;
  readonly trying: number;
  readonly pending: number;
  /**
   * `failed` as soon as one check failed (the whole can no longer pass, even while others still
   * try), else `trying` while any is pending or trying, `passed` when all passed, `none` without checks.
   */
  readonly overall: ChecksOverall;
  /** No check is pending or trying any more. */
  readonly settled: boolean;
}

export function summarizeChecks(states: readonly CheckState[]): ChecksSummary {
  const count = (s: CheckStatus) => states.filter((c) => c.status === s).length;
  const passed = count('passed');
  const failed = count('failed');
  const trying = count('trying');
  const pending = count('pending');
  const overall: ChecksOverall =
    states.length === 0 ? 'none' : failed > 0 ? 'failed' : trying + pending > 0 ? 'trying' : 'passed';
  return { passed, failed, trying, pending, overall, settled: trying + pending === 0 };
}

/** One line of evidence for the trail and the report: what was checked and what it answered. */
export function checkEvidenceText(state: CheckState): string {
  const e = state.last?.evidence;
  const parts = [`${state.name} (${state.kind} ${state.targetText})`];
  if (e?.status !== undefined) parts.push(`HTTP ${e.status}`);
  if (e?.address && e.address.length > 0) parts.push(`resolved to ${e.address.join(', ')}`);
  if (e?.latencyMs !== undefined) parts.push(`${e.latencyMs} ms`);
  if (e?.error) parts.push(e.error);
  parts.push(`after ${state.attempts} attempt${state.attempts === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
