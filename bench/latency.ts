/**
 * What the latency suites (client, e2e) share: values stamped with their send time, a paced
 * sender, and percentiles of the send→receive samples.
 */
import { sleep, systemScheduler } from '../common/index.js';

export interface Latency {
  messages: number;
  /** Records sent but never received before the reader's deadline (when the expected count is known). */
  missing?: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** p50/p99/p99.9/max of `samples` (ms); with `expected`, also how many never arrived. */
export function percentiles(samples: readonly number[], expected?: number): Latency {
  const s = Float64Array.from(samples).sort();
  const at = (q: number): number => round3(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN);
  return {
    messages: s.length,
    ...(expected !== undefined ? { missing: Math.max(0, expected - s.length) } : {}),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    p999Ms: at(0.999),
    maxMs: round3(s[s.length - 1] ?? NaN),
  };
}

/** A `bytes`-long value that carries its send time (performance.now(), float64 at byte 0). */
export function stamped(bytes: number): Buffer {
  const b = Buffer.alloc(bytes, 'x');
  b.writeDoubleLE(performance.now(), 0);
  return b;
}

/**
 * Calls `send(n)` every millisecond with the number of records due to keep `rate` msg/s for
 * `seconds`; returns how many were sent. The timer's 1 ms granularity means ~rate/1000 records
 * leave together. Bounded: `rate × seconds` records, at least one more due every 1/rate s.
 */
export async function paced(rate: number, seconds: number, send: (n: number) => void | Promise<void>): Promise<number> {
  const start = performance.now();
  const total = rate * seconds;
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate)) - sent;
    if (due > 0) {
      sent += due;
      await send(due);
    }
    await sleep(systemScheduler, 1);
  }
  return sent;
}
