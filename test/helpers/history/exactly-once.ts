/**
 * The exactly-once verdict of a consume-transform-produce run: every input record (uniquely
 * numbered) appears in the output exactly once, as read with read_committed, and the output keeps
 * each input partition's order (within an output partition, records that came from one input
 * partition follow their input offsets). Pure: it only looks at what was written and read.
 */
import type { ReadRecord, Violation } from './types.js';

export interface InputRecord {
  /** Unique in the run; the transform carries it into the output record's value. */
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

export interface ExactlyOnceVerdict {
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  readonly missing: number;
  readonly duplicated: number;
  readonly outOfOrder: number;
  readonly foreign: number;
}

/** `outputId` maps an output value back to its input id (default: the value itself). */
export function checkExactlyOnce(
  input: readonly InputRecord[],
  output: readonly ReadRecord[],
  options: { outputId?: (value: string) => string; maxDetails?: number } = {},
): ExactlyOnceVerdict {
  const toId = options.outputId ?? ((v: string) => v);
  const max = options.maxDetails ?? 10;
  const violations: Violation[] = [];
  const shown = new Map<string, number>();
  const report = (kind: Violation['kind'], detail: string): void => {
    const n = (shown.get(kind) ?? 0) + 1;
    shown.set(kind, n);
    if (n <= max) violations.push({ kind, detail });
  };
  const byId = new Map(input.map((r) => [r.id, r]));
  const seen = new Map<string, number>();
  let foreign = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  // Last input offset seen per (output partition, input partition).
  const last = new Map<string, { offset: bigint; id: string }>();
  const ordered = [...output].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0) : a.topic < b.topic ? -1 : 1));
  for (const o of ordered) {
    const id = toId(o.id);
    const src = byId.get(id);
    if (src === undefined) {
      foreign++;
      report('eos-foreign', `${o.topic}-${o.partition}@${o.offset} holds "${o.id}", not an input record`);
      continue;
    }
    const count = (seen.get(id) ?? 0) + 1;
    seen.set(id, count);
    if (count > 1) {
      duplicated++;
      report('eos-duplicate', `input ${src.topic}-${src.partition}@${src.offset} (${id}) is in the output ${count} times (again at ${o.topic}-${o.partition}@${o.offset})`);
      continue;
    }
    const key = `${o.topic}-${o.partition}<${src.topic}-${src.partition}`;
    const prev = last.get(key);
    if (prev !== undefined && src.offset < prev.offset) {
      outOfOrder++;
      report('eos-order', `${o.topic}-${o.partition}@${o.offset}: ${id} (input offset ${src.offset}) after ${prev.id} (input offset ${prev.offset})`);
    }
    if (prev === undefined || src.offset > prev.offset) last.set(key, { offset: src.offset, id });
  }
  let missing = 0;
  for (const r of input) {
    if (seen.has(r.id)) continue;
    missing++;
    report('eos-missing', `input ${r.topic}-${r.partition}@${r.offset} (${r.id}) is not in the output`);
  }
  return { ok: missing + duplicated + outOfOrder + foreign === 0, violations, missing, duplicated, outOfOrder, foreign };
}

export function formatExactlyOnce(scenario: string, fault: string, inputCount: number, v: ExactlyOnceVerdict): string {
  const summary = `${inputCount} in, ${v.missing} missing, ${v.duplicated} duplicated, ${v.outOfOrder} out of order, ${v.foreign} foreign`;
  return `[${scenario}] fault: ${fault} | exactly-once: ${v.ok ? 'OK' : 'FAIL'} (${summary})`;
}
