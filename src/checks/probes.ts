import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type { CheckAttempt, CheckSpec, DnsCheckSpec, TcpCheckSpec } from '../domain/app-checks';
import { probeHttp } from './http-probe';
import type { ProbeOutcome } from './probe-outcome';

export interface ProbeOptions {
  /** Stops the attempt early (shutdown); it then fails with "aborted". */
  readonly signal?: AbortSignal;
  /** The clock for the attempt's time and latency (epoch ms). */
  readonly now: () => number;
}

export type Probe = (spec: CheckSpec, options: ProbeOptions) => Promise<CheckAttempt>;

/**
 * One attempt of a check, bounded by its `timeoutMs` from start to end (connect, headers, body,
 * redirects). Never throws: every failure is a failed attempt whose `evidence.error` says why.
 */
export const probe: Probe = async (spec, { signal, now }) => {
  const start = now();
  const at = new Date(start).toISOString();
  const deadline = attemptDeadline(spec.timeoutMs, signal);
  try {
    const outcome = await Promise.race([probeKind(spec, deadline.signal), rejectOnAbort(deadline.signal)]);
    return { at, ok: outcome.ok, evidence: { ...outcome.evidence, latencyMs: now() - start } };
  } catch (e) {
    const error = deadline.timedOut
      ? `timed out after ${spec.timeoutMs} ms`
      : signal?.aborted
        ? 'aborted'
        : describeError(e);
    return { at, ok: false, evidence: { latencyMs: now() - start, error } };
  } finally {
    deadline.dispose();
  }
};

function probeKind(spec: CheckSpec, signal: AbortSignal): Promise<ProbeOutcome> {
  switch (spec.kind) {
    case 'http':
      return probeHttp(spec, signal);
    case 'tcp':
      return probeTcp(spec, signal);
    case 'dns':
      return probeDns(spec);
  }
}

function probeTcp(spec: TcpCheckSpec, signal: AbortSignal): Promise<ProbeOutcome> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = net.connect({ host: spec.host, port: spec.port });
    const onAbort = () => socket.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      resolve({ ok: true, evidence: {} });
      socket.destroy();
    });
    socket.once('error', reject);
    socket.once('close', () => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The system resolver (hosts file included), as the VMs' clients would see it. getaddrinfo cannot be
 * cancelled: a lookup past its timeout is abandoned (the attempt fails at once) but finishes in the
 * background.
 */
async function probeDns(spec: DnsCheckSpec): Promise<ProbeOutcome> {
  const found = await lookup(spec.hostname, { all: true });
  const address = found.map((a) => a.address);
  const expected = spec.expectAddress;
  if (expected !== undefined && !address.some((a) => canonicalIp(a) === canonicalIp(expected))) {
    return { ok: false, evidence: { address, error: `${expected} is not among the addresses` } };
  }
  return { ok: true, evidence: { address } };
}

/** IPv6 has many spellings of one address (`::1`, `0:0::1`); the URL parser writes the canonical one. */
function canonicalIp(address: string): string {
  if (net.isIP(address) !== 6) return address;
  try {
    return new URL(`http://[${address}]/`).hostname;
  } catch {
    return address.toLowerCase();
  }
}

interface Deadline {
  readonly signal: AbortSignal;
  readonly timedOut: boolean;
  dispose(): void;
}

function attemptDeadline(timeoutMs: number, outer: AbortSignal | undefined): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  const onOuter = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
      // Whatever the attempt still holds (a socket, a request) is released.
      if (!controller.signal.aborted) controller.abort(new Error('attempt finished'));
    },
  };
}

/** Settles the attempt at its deadline even when the probe underneath cannot be cancelled (DNS). */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

const ERROR_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connect timed out',
  ENOTFOUND: 'name not found',
  ENODATA: 'name has no address',
  EAI_AGAIN: 'name lookup failed (temporary DNS failure)',
};

/** One short line for people: a known system error in words, a TLS error marked as such, never a stack. */
export function describeError(e: unknown): string {
  // Duck-typed: errors from node's own modules may come from another realm (a vm context, jest).
  const fields = typeof e === 'object' && e !== null ? (e as { code?: unknown; message?: unknown }) : {};
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const message = typeof fields.message === 'string' ? fields.message : String(e);
  const known = code === undefined ? undefined : ERROR_TEXT[code];
  let text = known ?? message.split('\n')[0] ?? 'failed';
  if (!known && code !== undefined) {
    text = /CERT|SELF_SIGNED|TLS|SSL|ALTNAME/.test(code) ? `TLS: ${text} (${code})` : `${text} (${code})`;
  }
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
