/**
 * One verdict for a run: every check over the History, exact counts per violation kind, and a
 * one-line report (fault, unavailability, verdict) for the scenario's output.
 */
import { unavailability } from './availability.js';
import { checkData } from './data-checks.js';
import { checkCommits, checkControllers } from './group-and-controller-checks.js';
import type { CheckOptions, History, Verdict, Violation, ViolationKind } from './types.js';

export function checkHistory(h: History, options: CheckOptions = {}): Verdict {
  const data = checkData(h, options);
  const controllers = checkControllers(h.controller);
  const all: Violation[] = [...data.violations, ...checkCommits(h.commits), ...controllers.violations];
  const counts: Partial<Record<ViolationKind, number>> = {};
  for (const v of all) counts[v.kind] = (counts[v.kind] ?? 0) + 1;
  const maxDetails = options.maxDetails ?? 10;
  const shown = new Map<ViolationKind, number>();
  const violations = all.filter((v) => {
    const n = (shown.get(v.kind) ?? 0) + 1;
    shown.set(v.kind, n);
    return n <= maxDetails;
  });
  const acked = h.produced.filter((p) => p.outcome === 'acked').length;
  return {
    ok: all.length === 0,
    violations,
    counts,
    stats: {
      sent: h.produced.length,
      acked,
      failed: h.produced.length - acked,
      read: h.read.length,
      lostAll: data.lostAll,
      lostLeader: data.lostLeader,
      duplicates: data.duplicates,
      foreign: data.foreign,
      controllerEpochs: controllers.epochs,
    },
    unavailability: unavailability(h.produced, h.faults),
  };
}

/** `[scenario] fault: … | unavailable: 1234 ms | verdict: OK (…)` */
export function formatVerdict(scenario: string, fault: string, v: Verdict): string {
  const windows = v.unavailability.length === 0 ? 'n/a' : v.unavailability.map((u) => `${u.ms} ms${u.recovered ? '' : ' (not recovered)'}`).join(', ');
  const s = v.stats;
  const losses = s.lostAll + s.lostLeader > 0 ? `, LOST acks=all ${s.lostAll} acks=1 ${s.lostLeader}` : '';
  const summary = `${s.acked}/${s.sent} acked, ${s.read} read, ${s.duplicates} dup${losses}, ${s.controllerEpochs} controller epochs`;
  const verdict = v.ok ? `OK (${summary})` : `FAIL ${JSON.stringify(v.counts)} (${summary})`;
  return `[${scenario}] fault: ${fault} | unavailable: ${windows} | verdict: ${verdict}`;
}

/** A failure message listing the violations, for assertions. */
export function describeViolations(v: Verdict): string {
  return v.violations.map((x) => `${x.kind}: ${x.detail}`).join('\n');
}
