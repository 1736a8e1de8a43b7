/**
 * Summarises a V8 `.cpuprofile` (what `node --cpu-prof` writes): self time per function and per
 * package, over the samples taken within some windows of time (e.g. the ack rounds). Pure, but for reading the file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

/** The parts of a `.cpuprofile` this reads. Times are µs on the monotonic clock (`process.hrtime`). */
export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; hitCount?: number }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  /** Function name and file (`(anonymous)` ones with their line). */
  readonly name: string;
  readonly selfMs: number;
  /** Share of the busy (not idle) time in the window, 0–1. */
  readonly share: number;
}

export interface CpuSummary {
  /** Whether the windows matched the profile's clock; else the whole profile is summarised. */
  readonly window: 'windows' | 'whole profile';
  /** Time covered by the samples counted (busy or idle). */
  readonly wallMs: number;
  /** Time with JavaScript, GC or the engine at work (not `(idle)`). */
  readonly busyMs: number;
  readonly samples: number;
  readonly topFunctions: SelfTime[];
  /** The same time by package: `@slack/bolt`, `ioredis`, `product`, `node:streams`, `(native)`, `(garbage collector)`… */
  readonly byPackage: SelfTime[];
}

/** The newest `.cpuprofile` in `dir`. */
export function newestCpuProfile(dir: string): string | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f));
  return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

export function readCpuProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** `file:///work/main/node_modules/x/y.js` → `node_modules/x/y.js` (relative to `root`). */
function shortFile(url: string, root: string): string {
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

function functionKey(frame: CallFrame, root: string): string {
  const file = shortFile(frame.url, root);
  if (!file) return /^\(.*\)$/.test(frame.functionName) ? frame.functionName : `${frame.functionName} (native)`;
  const name = frame.functionName || '(anonymous)';
  return frame.functionName ? `${name} ${file}` : `${name} ${file}:${frame.lineNumber + 1}`;
}

function packageKey(frame: CallFrame, root: string): string {
  const file = shortFile(frame.url, root);
  // (garbage collector), (program)…; else a function without a script: a Node binding or a V8 builtin.
  if (!file) return /^\(.*\)$/.test(frame.functionName) ? frame.functionName : '(native)';
  if (file.startsWith('node:')) return nodeArea(file);
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (modules?.[1]) return modules[1];
  return 'product';
}

/** Node's own code by area: `node:internal/streams/readable` → `node:streams`, `node:_http_server` → `node:http`. */
function nodeArea(file: string): string {
  if (file.startsWith('node:internal/deps/undici')) return 'undici (Node’s fetch)';
  const path = file.slice('node:'.length).replace(/^internal\//, '');
  const area = path.split('/')[0] ?? path;
  return `node:${area.startsWith('_') ? area.slice(1).replace(/_.*$/, '') : area}`;
}

function top(totals: Map<string, number>, busyMs: number, n: number): SelfTime[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => ({ name, selfMs: Math.round(ms), share: busyMs > 0 ? Number((ms / busyMs).toFixed(3)) : 0 }));
}

/** A span on the monotonic clock, in µs (`process.hrtime.bigint() / 1000n`), as the profile's samples. */
export interface ClockWindow {
  readonly fromUs: number;
  readonly toUs: number;
}

/**
 * Self time of each sample (the time until the next one), summed by function (name + file) and by
 * package, over the samples within `windows` when they overlap the profile, else over all of them.
 */
export function summariseCpuProfile(
  profile: CpuProfile,
  options: { root: string; windows?: readonly ClockWindow[]; top?: number },
): CpuSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const times: number[] = [];
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) times.push((t += deltas[i] ?? 0));
  const windows = (options.windows ?? []).filter((w) => w.fromUs < profile.endTime && w.toUs > profile.startTime);
  const inWindow = (time: number) => windows.length === 0 || windows.some((w) => time >= w.fromUs && time < w.toUs);

  const fns = new Map<string, number>();
  const packages = new Map<string, number>();
  let wallUs = 0;
  let busyUs = 0;
  let counted = 0;
  for (let i = 0; i < samples.length; i++) {
    const time = times[i]!;
    if (!inWindow(time)) continue;
    const frame = byId.get(samples[i]!);
    if (!frame) continue;
    const us = (times[i + 1] ?? profile.endTime) - time;
    counted += 1;
    wallUs += us;
    if (frame.functionName === '(idle)') continue;
    busyUs += us;
    const fn = functionKey(frame, options.root);
    fns.set(fn, (fns.get(fn) ?? 0) + us / 1000);
    const pkg = packageKey(frame, options.root);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us / 1000);
  }
  const busyMs = busyUs / 1000;
  return {
    window: windows.length > 0 ? 'windows' : 'whole profile',
    wallMs: Math.round(wallUs / 1000),
    busyMs: Math.round(busyMs),
    samples: counted,
    topFunctions: top(fns, busyMs, options.top ?? 15),
    byPackage: top(packages, busyMs, 12),
  };
}
