import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import {
  type CheckDefinition,
  type ChecksConfig,
  type ChecksDefaults,
  type CheckTarget,
  DEFAULT_CHECKS_DEFAULTS,
} from '../domain/app-checks';
import { ChecksFileError } from './checks-file-error';
import {
  CHECK_KINDS,
  type CheckEntryInput,
  checksErrorMap,
  checksFileSchema,
  type ChecksFileInput,
} from './checks-schema';
import { type DataPath, formatPath, lineOf } from './yaml-lines';

export { ChecksFileError };

interface Problem {
  readonly path: DataPath;
  readonly message: string;
}

type LineAt = (path: DataPath) => number;

/**
 * Parses and validates a checks file (YAML; format in docs/app-checks.md). Throws one
 * {@link ChecksFileError} naming every problem with its line, e.g.
 * `checks.yaml line 12 (checks[2].http.url): not an http(s) URL`.
 */
export function parseChecksFile(text: string, sourceName: string): ChecksConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (line: number) => `${sourceName} line ${line}`;
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const what = e.code === 'MULTIPLE_DOCS' ? 'the file must hold one YAML document' : e.message.split('\n')[0];
      return `${at(lineCounter.linePos(e.pos[0]).line)}: ${what}`;
    });
    throw new ChecksFileError(sourceName, lines);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ChecksFileError(sourceName, [`${at(1)}: ${(e as Error).message}`]);
  }
  const lineAt: LineAt = (path) => lineOf(doc, lineCounter, path);
  const parsed = checksFileSchema.safeParse(raw, { error: checksErrorMap });
  const problems = [...(parsed.success ? [] : issueProblems(parsed.error.issues)), ...entryProblems(raw, lineAt)];
  if (!parsed.success || problems.length > 0) {
    const located = problems.map((p) => ({ line: lineAt(p.path), text: `(${formatPath(p.path)}): ${p.message}` }));
    located.sort((a, b) => a.line - b.line);
    throw new ChecksFileError(sourceName, [...new Set(located.map((p) => `${at(p.line)} ${p.text}`))]);
  }
  return toConfig(parsed.data);
}

/** Reads and parses the checks file at `path`; an unreadable file is a {@link ChecksFileError} too. */
export async function loadChecksFile(path: string): Promise<ChecksConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ChecksFileError(path, [`${path}: cannot be read (${code ?? (e as Error).message})`]);
  }
  return parseChecksFile(text, path);
}

function issueProblems(issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.flatMap((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key "${key}"` }));
    }
    return [{ path, message: issue.message }];
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Rules across the fields of an entry and across entries, checked on the raw data so that they are reported together with every field error. */
function entryProblems(raw: unknown, lineAt: LineAt): Problem[] {
  if (!isRecord(raw) || !Array.isArray(raw.checks)) return [];
  const entries: unknown[] = raw.checks;
  const problems = entries.flatMap((entry, i) => (isRecord(entry) ? shapeProblems(entry, i) : []));
  return [...problems, ...duplicateProblems(entries, lineAt)];
}

function shapeProblems(entry: Record<string, unknown>, i: number): Problem[] {
  const problems: Problem[] = [];
  const kinds = CHECK_KINDS.filter((k) => entry[k] !== undefined);
  const second = kinds[1];
  if (kinds.length === 0) problems.push({ path: ['checks', i], message: 'needs one kind: http, tcp or dns' });
  if (second !== undefined) {
    problems.push({
      path: ['checks', i, second],
      message: `has two kinds at once (${kinds.join(' and ')}): one per check`,
    });
  }
  const listed = (v: unknown) => Array.isArray(v) && v.length > 0;
  const malformed = (v: unknown) => v !== undefined && !Array.isArray(v);
  if (!listed(entry.vms) && !listed(entry.plans) && !malformed(entry.vms) && !malformed(entry.plans)) {
    problems.push({ path: ['checks', i], message: 'applies to no VM: list vms or plans (or both)' });
  }
  return problems;
}

interface Claim {
  readonly index: number;
  readonly name: string;
  readonly vault: string | undefined;
  readonly vms: readonly string[];
  readonly plans: readonly string[];
}

const lowered = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string').map((s) => s.trim().toLowerCase()) : [];

/** Two checks of the same name that the file shows apply to one VM (the same VM or plan, in a vault both cover). */
function duplicateProblems(entries: readonly unknown[], lineAt: LineAt): Problem[] {
  const claims: Claim[] = entries.flatMap((e, index) =>
    isRecord(e) && typeof e.name === 'string'
      ? [{ index, name: e.name.trim(), vault: lowered([e.vault])[0], vms: lowered(e.vms), plans: lowered(e.plans) }]
      : [],
  );
  const problems: Problem[] = [];
  claims.forEach((later, j) => {
    for (const earlier of claims.slice(0, j)) {
      const clash = sharedTarget(earlier, later);
      if (!clash) continue;
      const also = `also checks[${earlier.index}], line ${lineAt(['checks', earlier.index])}`;
      problems.push({
        path: ['checks', later.index, 'name'],
        message: `duplicate name "${later.name}" for ${clash} (${also})`,
      });
      return;
    }
  });
  return problems;
}

function sharedTarget(a: Claim, b: Claim): string | undefined {
  if (a.name.toLowerCase() !== b.name.toLowerCase()) return undefined;
  if (a.vault !== undefined && b.vault !== undefined && a.vault !== b.vault) return undefined;
  const vm = a.vms.find((v) => b.vms.includes(v));
  if (vm !== undefined) return `VM ${vm}`;
  const plan = a.plans.find((p) => b.plans.includes(p));
  return plan === undefined ? undefined : `plan ${plan}`;
}

function toConfig(input: ChecksFileInput): ChecksConfig {
  const given = input.defaults ?? {};
  const defaults: ChecksDefaults = Object.freeze({
    windowMs: given.window ?? DEFAULT_CHECKS_DEFAULTS.windowMs,
    intervalMs: given.interval ?? DEFAULT_CHECKS_DEFAULTS.intervalMs,
    timeoutMs: given.timeout ?? DEFAULT_CHECKS_DEFAULTS.timeoutMs,
    concurrency: given.concurrency ?? DEFAULT_CHECKS_DEFAULTS.concurrency,
  });
  const checks = input.checks.map((entry) => Object.freeze(toDefinition(entry, defaults.timeoutMs)));
  return Object.freeze({ defaults, checks: Object.freeze(checks) });
}

function toDefinition(entry: CheckEntryInput, defaultTimeoutMs: number): CheckDefinition {
  const target: CheckTarget = {
    vms: entry.vms ?? [],
    plans: entry.plans ?? [],
    ...(entry.vault === undefined ? {} : { vault: entry.vault }),
  };
  const base = { name: entry.name, timeoutMs: entry.timeout ?? defaultTimeoutMs, target };
  const { http, tcp, dns } = entry;
  if (http) {
    const body = http.bodyContains === undefined ? {} : { bodyContains: http.bodyContains };
    const spec = { url: http.url, expectStatus: http.expectStatus ?? 200, insecureTls: http.insecureTls ?? false };
    return { ...base, kind: 'http', ...spec, ...body };
  }
  if (tcp) return { ...base, kind: 'tcp', host: tcp.host, port: tcp.port };
  if (dns) {
    const expect = dns.expectAddress === undefined ? {} : { expectAddress: dns.expectAddress };
    return { ...base, kind: 'dns', hostname: dns.name, ...expect };
  }
  throw new Error(`checks[${entry.name}] has no kind although it was validated`);
}
