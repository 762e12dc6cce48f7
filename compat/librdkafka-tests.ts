/**
 * librdkafka's test list (tests/test.c) and our allowlist of it (librdkafka-allowlist.txt), and
 * the results of one test-runner run (its TEST_REPORT JSON, its summary table and its failure
 * blocks). Pure text handling, so it is unit-tested on its own.
 */
import type { TestResult } from './report.js';

export interface RdkafkaTest {
  name: string;
  /** 4-digit number: what the TESTS environment variable selects by. */
  number: string;
  local: boolean;
  scenario: string;
}

/** The tests[] table of tests/test.c: name, local flag, scenario. */
export function parseTestList(testC: string): RdkafkaTest[] {
  const start = testC.indexOf('struct test tests[]');
  const end = testC.indexOf('{NULL}', start);
  if (start < 0 || end < 0) throw new Error('tests/test.c: no `struct test tests[] = { ... {NULL} }` table');
  const table = testC.slice(start, end);
  const out: RdkafkaTest[] = [];
  for (const chunk of table.split('_TEST(').slice(1)) {
    const m = /^\s*(\d{4}_\w+)\s*,\s*([^,)]*)/.exec(chunk);
    if (m === null) continue;
    out.push({
      name: m[1]!,
      number: m[1]!.slice(0, 4),
      local: /TEST_F_LOCAL/.test(m[2]!),
      scenario: /\.scenario\s*=\s*"([^"]+)"/.exec(chunk)?.[1] ?? 'default',
    });
  }
  return out;
}

export type Verdict = 'fast' | 'run' | 'exclude';

export interface AllowlistEntry {
  name: string;
  verdict: Verdict;
  reason: string;
}

/**
 * Lines `<test> fast|run|exclude [reason]`; `#` starts a comment. An excluded test needs a
 * reason. Errors name the line.
 */
export function parseAllowlist(text: string, file = 'allowlist'): Map<string, AllowlistEntry> {
  const entries = new Map<string, AllowlistEntry>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const m = /^(\d{4}_\w+)\s+(fast|run|exclude)\b\s*(.*)$/.exec(line);
    if (m === null) throw new Error(`${file}:${i + 1}: expected "<test> fast|run|exclude [reason]", got "${raw.trim()}"`);
    const [, name, verdict, reason] = m;
    if (verdict === 'exclude' && reason!.trim() === '') throw new Error(`${file}:${i + 1}: excluded test ${name} needs a reason`);
    if (entries.has(name!)) throw new Error(`${file}:${i + 1}: ${name} is listed twice`);
    entries.set(name!, { name: name!, verdict: verdict as Verdict, reason: reason!.trim() });
  });
  return entries;
}

/**
 * The tests to run: the allowlist must name every non-local test of test.c (a new librdkafka
 * version with new tests must be looked at, not silently skipped) and nothing else. Local tests
 * (TEST_F_LOCAL: no broker involved) are never run.
 */
export function selectTests(tests: readonly RdkafkaTest[], allowlist: Map<string, AllowlistEntry>, fast: boolean): RdkafkaTest[] {
  const known = new Set(tests.map((t) => t.name));
  const unknown = [...allowlist.keys()].filter((n) => !known.has(n));
  const unlisted = tests.filter((t) => !t.local && !allowlist.has(t.name)).map((t) => t.name);
  const local = tests.filter((t) => t.local && allowlist.has(t.name)).map((t) => t.name);
  const problems = [
    ...(unknown.length ? [`not in tests/test.c: ${unknown.join(', ')}`] : []),
    ...(unlisted.length ? [`in tests/test.c but not in the allowlist (add each as fast, run or exclude): ${unlisted.join(', ')}`] : []),
    ...(local.length ? [`local tests (no broker) do not belong in the allowlist: ${local.join(', ')}`] : []),
  ];
  if (problems.length > 0) throw new Error(`librdkafka allowlist: ${problems.join('; ')}`);
  return tests.filter((t) => {
    const v = allowlist.get(t.name)?.verdict;
    return v === 'fast' || (v === 'run' && !fast);
  });
}

interface ReportTest {
  name: string;
  state: string;
  duration: number;
}

/**
 * Results for `wanted` from one run: states and durations from the TEST_REPORT JSON (written
 * before the runner's final thread check can abort it), reasons from the summary table or the
 * `### Test "X" failed` blocks. A wanted test absent from the report failed (the runner died).
 */
export function parseRunResults(wanted: readonly RdkafkaTest[], reportJson: string | undefined, output: string): TestResult[] {
  const states = new Map<string, ReportTest>();
  if (reportJson !== undefined) {
    try {
      const report = JSON.parse(reportJson) as { tests: Record<string, ReportTest> };
      for (const t of Object.values(report.tests)) states.set(t.name, t);
    } catch {
      // A truncated report: fall back to the summary table below.
    }
  }
  const summary = new Map<string, { state: string; seconds: number; reason: string }>();
  for (const m of output.matchAll(/^\|[ \t]*(\d{4}_\w+)[ \t]*\|[ \t]*(\w+)[ \t]*\|[ \t]*([\d.]+)s[ \t]*\|[ \t]*(.*)$/gm)) {
    summary.set(m[1]!, { state: m[2]!, seconds: Number(m[3]), reason: m[4]!.trim() });
  }
  const failBlocks = new Map<string, string>();
  for (const m of output.matchAll(/^### Test "(\d{4}_\w+)" failed at ([^\n]*?) ###\n([^\n]*)/gm)) {
    if (!failBlocks.has(m[1]!)) failBlocks.set(m[1]!, `${m[3]!.trim()} (at ${m[2]!.replace(/ at \w{3} \w{3} .*$/, '')})`);
  }
  const elapsed = new Map<string, number>();
  for (const m of output.matchAll(/^\[(\d{4}_\w+)[ \t]*\/[ \t]*([\d.]+)s\] .*Test \1 (?:PASSED|FAILED)/gm)) elapsed.set(m[1]!, Number(m[2]));

  return wanted.map((t): TestResult => {
    const rep = states.get(t.name);
    const sum = summary.get(t.name);
    const state = rep?.state ?? sum?.state;
    const seconds = rep?.duration || sum?.seconds || elapsed.get(t.name) || 0;
    const reason = (sum?.reason || failBlocks.get(t.name) || '').replace(/\s+/g, ' ');
    switch (state) {
      case 'PASSED':
        return { name: t.name, outcome: 'passed', seconds };
      case 'SKIPPED':
        return { name: t.name, outcome: 'skipped', seconds, reason: reason || 'skipped by the test' };
      case 'FAILED':
        return { name: t.name, outcome: 'failed', seconds, reason: reason || 'failed (no reason printed)' };
      case 'RUNNING':
        return { name: t.name, outcome: 'failed', seconds, reason: `still running when the runner stopped${reason ? `: ${reason}` : ''}` };
      default:
        return { name: t.name, outcome: 'failed', seconds, reason: state === undefined ? 'no result: the test runner did not report this test' : `not run (${state})` };
    }
  });
}
