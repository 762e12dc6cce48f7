/**
 * Replays the quotas bench's throttled reader against the real rate code: a consumer that reads
 * 1 MB per fetch as fast as it can and ignores throttle_time_ms, held back only by the broker's
 * empty answers and the muted connection, at Kafka's windows (11 × 1 s) and a 1 MB/s
 * consumer_byte_rate. It shows where the bench's 0.652 × came from.
 */
import { expect } from 'chai';
import { ClientQuotaManager, QuotaEnforcer } from '../../../broker/quota/index.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';

const QUOTA = 1 << 20;
/** What one bench fetch carries: partition_max_bytes 1 MB of 16 KB batches. */
const FETCH_BYTES = 1_036_728;
const reader = { principal: 'User:ANONYMOUS', clientId: 'slow-reader' };

interface Replay {
  /** ms and bytes of every answer with records. */
  delivered: { at: number; bytes: number }[];
  /** Every throttle time an over-quota (empty) answer carried. */
  throttles: number[];
}

/** `seconds` of the reader's loop: each round trip takes 5–60 ms (a busy broker), then the next fetch goes out unless the connection is muted. */
function replay(seconds: number): Replay {
  const clock = new TestScheduler(0);
  const quotas = new ClientQuotaManager({ rate: { samples: 11, windowMs: 1000 }, clock, lookup: (e) => (e.clientId === 'slow-reader' && e.user === undefined ? { consumer_byte_rate: QUOTA } : undefined) });
  const enforcer = new QuotaEnforcer(quotas);
  const out: Replay = { delivered: [], throttles: [] };
  let t = 0;
  for (let i = 0; t < seconds * 1000; i++) {
    t += 5 + ((i * 37) % 56);
    clock.tick(t - clock.now());
    const bytes = Math.min(FETCH_BYTES, enforcer.maxFetchBytes(reader));
    const throttle = enforcer.fetchThrottleMs(reader, bytes);
    if (throttle > 0) {
      out.throttles.push(throttle);
      t += throttle; // muted: the next fetch is read only then
    } else {
      out.delivered.push({ at: t, bytes });
    }
  }
  return out;
}

/** Where a burst begins: a delivery after at least 2 s without one. */
function cycleStarts(r: Replay): number[] {
  const starts: number[] = [];
  let last = -Infinity;
  for (const d of r.delivered) {
    if (d.at - last >= 2000) starts.push(d.at);
    last = d.at;
  }
  return starts;
}

const ratio = (r: Replay, from: number, to: number): number => r.delivered.filter((d) => d.at >= from && d.at < to).reduce((n, d) => n + d.bytes, 0) / ((to - from) / 1000) / QUOTA;

describe('quota > a consumer ignoring throttle times, replayed against the rate code (consumer_byte_rate 1 MB/s, 11 × 1 s)', () => {
  const r = replay(200);

  it('an empty answer costs the client one fetch’s worth of quota time, never more', () => {
    expect(r.throttles.length).to.be.above(100);
    // (rate − bound) / bound × window with the fetch's own bytes counted: about FETCH_BYTES / QUOTA.
    for (const ms of r.throttles) expect(ms).to.be.at.most(Math.ceil((FETCH_BYTES / QUOTA) * 1000) + 100);
  });

  it('bytes arrive as one burst per cycle, a cycle lasting about the 11 s span plus up to one fetch’s throttle', () => {
    const starts = cycleStarts(r);
    expect(starts.length).to.be.at.least(15);
    // The burst's sample expires 11 s after it began (a throttled fetch may have begun it a little
    // before the burst); the client sees that only when its mute ends, up to a throttle later.
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!, `cycle ${i}`).to.be.within(10_500, 11_000 + (FETCH_BYTES / QUOTA) * 1000 + 100);
    // Each burst is the span's allowance, (11 − 1) × 1 s × quota and a fetch more at most.
    for (let i = 1; i < starts.length; i++) expect(ratio(r, starts[i - 1]!, starts[i]!) * ((starts[i]! - starts[i - 1]!) / 1000), `burst ${i}`).to.be.within(9.5, 11.5);
  });

  it('held within ±15 % of the quota over whole cycles; a fixed 22 s window holds one burst or two (the bench’s 0.652 ×)', () => {
    const starts = cycleStarts(r).slice(1);
    for (let i = 0; i + 1 < starts.length; i++) expect(ratio(r, starts[i]!, starts[i + 1]!), `cycle from ${starts[i]} ms`).to.be.within(0.85, 1.15);
    expect(ratio(r, starts[0]!, starts[starts.length - 1]!)).to.be.within(0.85, 1.0);
    // Cycles a little longer than 11 s: a 22 s window at the wrong phase holds one burst only.
    const windows = Array.from({ length: 120 }, (_, i) => ratio(r, 12_000 + i * 1_000, 34_000 + i * 1_000));
    expect(Math.min(...windows)).to.be.below(0.7);
    expect(Math.max(...windows)).to.be.above(0.85);
  });
});
