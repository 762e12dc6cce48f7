/** Results of a compat suite: one row per test, a readable table and the final JSON line. */

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface TestResult {
  name: string;
  outcome: Outcome;
  seconds: number;
  /** Why it failed or was skipped, in the suite's own words (first lines). */
  reason?: string;
}

export interface SuiteSummary {
  suite: string;
  mode: 'fast' | 'full';
  passed: number;
  failed: number;
  skipped: number;
  failures: { name: string; reason: string }[];
  seconds: number;
}

export function summarize(suite: string, mode: 'fast' | 'full', results: readonly TestResult[], seconds: number): SuiteSummary {
  const count = (o: Outcome): number => results.filter((r) => r.outcome === o).length;
  return {
    suite,
    mode,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    failures: results.filter((r) => r.outcome === 'failed').map((r) => ({ name: r.name, reason: r.reason ?? '' })),
    seconds: Math.round(seconds * 10) / 10,
  };
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function formatTable(results: readonly TestResult[]): string {
  const nameWidth = Math.min(70, Math.max(4, ...results.map((r) => r.name.length)));
  const lines = [`${'test'.padEnd(nameWidth)}  result   seconds  reason`];
  for (const r of results) {
    const reason = r.outcome === 'passed' ? '' : oneLine(r.reason ?? '', 160);
    lines.push(`${r.name.padEnd(nameWidth)}  ${r.outcome.padEnd(7)}  ${r.seconds.toFixed(1).padStart(7)}  ${reason}`.trimEnd());
  }
  return lines.join('\n');
}

/** ANSI colour and cursor sequences out of a suite's output. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b\(B/g, '');
}
