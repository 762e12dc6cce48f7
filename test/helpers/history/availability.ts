/**
 * Unavailability per fault, from the producers' own answers: on each affected partition, the
 * longest stretch without a successful write that starts at or before the fault and ends at the
 * first success after the fault is healed. Producers write continuously, so the stretch is the
 * outage a client saw (plus at most one send's latency).
 */
import { tpKey } from '../../../common/index.js';
import type { FaultWindow, ProducedRecord, UnavailabilityWindow } from './types.js';

export function unavailability(produced: readonly ProducedRecord[], faults: readonly FaultWindow[]): UnavailabilityWindow[] {
  const successes = new Map<string, number[]>();
  let runEnd = 0;
  for (const p of produced) {
    runEnd = Math.max(runEnd, p.answeredAt);
    if (p.outcome !== 'acked') continue;
    const k = tpKey(p.topic, p.partition);
    const list = successes.get(k) ?? [];
    list.push(p.answeredAt);
    successes.set(k, list);
  }
  for (const list of successes.values()) list.sort((a, b) => a - b);
  const allPartitions = new Set(produced.map((p) => tpKey(p.topic, p.partition)));

  return faults.map((f) => {
    let worst = 0;
    let recovered = true;
    for (const tp of f.partitions ?? [...allPartitions]) {
      const list = successes.get(tp) ?? [];
      const { ms, ok } = partitionWindow(list, f.at, f.healedAt ?? f.at, runEnd);
      worst = Math.max(worst, ms);
      if (!ok) recovered = false;
    }
    const healedAt = f.healedAt ?? f.at;
    let afterHealMs = 0;
    for (const tp of allPartitions) {
      const first = (successes.get(tp) ?? []).find((t) => t > healedAt);
      afterHealMs = Math.max(afterHealMs, (first ?? runEnd) - healedAt);
    }
    return { fault: f.name, ms: worst, recovered, afterHealMs };
  });
}

function partitionWindow(successes: readonly number[], at: number, healedAt: number, runEnd: number): { ms: number; ok: boolean } {
  let i = 0;
  while (i < successes.length && successes[i]! <= at) i++;
  let prev = i > 0 ? successes[i - 1]! : at;
  let worst = 0;
  for (; i < successes.length; i++) {
    const s = successes[i]!;
    worst = Math.max(worst, s - prev);
    prev = s;
    if (s > healedAt) return { ms: worst, ok: true };
  }
  return { ms: Math.max(worst, runEnd - prev), ok: false };
}
