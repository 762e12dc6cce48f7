/**
 * Reads the V8 `.cpuprofile` files a `--cpu-prof` broker wrote and sums them up for the bench
 * output: the share of broker CPU spent in garbage collection (V8's "(garbage collector)" node)
 * and the functions with the most self time. "CPU" excludes the "(idle)" node (the event loop
 * waiting), so the shares are of the time the broker actually worked. With `windows` (the
 * monotonic times the load ran, from process.hrtime: V8 stamps samples on the same clock) only
 * samples inside them count, so start-up (module compilation) does not dilute the figures. Only
 * main-thread profiles are read: the others are the TypeScript loader's worker.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  /** Microseconds, monotonic clock. */
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly file: string;
  /** Non-idle sampled time, ms. */
  readonly cpuMs: number;
  /** "(garbage collector)" self time / non-idle time, in percent (one decimal). */
  readonly gcPercent: number;
  /** Largest self times, percent of non-idle time. */
  readonly top: readonly { readonly fn: string; readonly percent: number }[];
}

function label(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  if (url === '') return functionName === '' ? '(anonymous)' : functionName;
  const file = url.replace(/^file:\/\//, '').replace(/^.*\/(?=(broker|storage|protocol|common|node_modules)\/)/, '');
  return `${functionName === '' ? '(anonymous)' : functionName} ${file}:${lineNumber + 1}`;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** A time range of the load, in process.hrtime nanoseconds. */
export interface LoadWindow {
  readonly startNs: bigint;
  readonly endNs: bigint;
}

export function summarizeProfile(path: string, topN = 10, windows?: readonly LoadWindow[]): ProfileSummary {
  const prof = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  // Self time per label: each sample's following delta is the time spent where it was taken.
  const self = new Map<string, number>();
  let idle = 0;
  let total = 0;
  const ranges = windows?.map((w) => [Number(w.startNs / 1000n), Number(w.endNs / 1000n)] as const);
  let at = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    at += prof.timeDeltas[i] ?? 0;
    const dt = prof.timeDeltas[i + 1] ?? 0;
    if (ranges !== undefined && !ranges.some(([a, b]) => at >= a && at <= b)) continue;
    const n = byId.get(prof.samples[i]!);
    if (n === undefined) continue;
    total += dt;
    if (n.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    const key = label(n);
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const cpu = Math.max(1, total - idle);
  const gc = self.get('(garbage collector)') ?? 0;
  const top = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([fn, us]) => ({ fn, percent: round1((us / cpu) * 100) }));
  return { file: basename(path), cpuMs: Math.round(cpu / 1000), gcPercent: round1((gc / cpu) * 100), top };
}

/** Every profile in `dir` (one per broker process). */
export function summarizeProfiles(dir: string, topN = 10, windows?: readonly LoadWindow[]): ProfileSummary[] {
  let files: string[];
  try {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
    files = readdirSync(dir).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)).sort();
  } catch {
    return [];
  }
  return files.map((f) => summarizeProfile(join(dir, f), topN, windows));
}

/** Readable lines for ctx.log. */
export function describeProfiles(what: string, summaries: readonly ProfileSummary[]): string[] {
  const lines: string[] = [];
  for (const s of summaries) {
    lines.push(`${what} ${s.file}: ${s.cpuMs} ms CPU, garbage collection ${s.gcPercent} % (target < 10 %)`);
    for (const t of s.top) lines.push(`    ${String(t.percent).padStart(5)} %  ${t.fn}`);
  }
  return lines;
}
