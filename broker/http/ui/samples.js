// History of the cluster's counters, kept in the page: every /cluster/stats answer becomes one
// point of per-second rates (differences of counters since the previous answer). Every series is
// a ring of HISTORY points, so a page left open for hours holds the same amount of data.

export const HISTORY = 150;

function ring() {
  return new Array(HISTORY).fill(null);
}

function push(r, v) {
  r.shift();
  r.push(v);
}

const rate = (cur, prev, seconds) => (prev === undefined || cur < prev || seconds <= 0 ? null : (cur - prev) / seconds);

/** histogram_quantile over bucket counts (cumulative, le = bounds then +Inf), linear inside a bucket. */
export function quantile(q, bounds, counts) {
  const total = counts[counts.length - 1];
  if (!(total > 0)) return null;
  const rank = q * total;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1];
      const lo = i === 0 ? 0 : bounds[i - 1];
      const below = i === 0 ? 0 : counts[i - 1];
      const inBucket = counts[i] - below;
      return inBucket > 0 ? lo + ((bounds[i] - lo) * (rank - below)) / inBucket : bounds[i];
    }
  }
  return bounds[bounds.length - 1];
}

export class ClusterHistory {
  constructor() {
    this.t = ring();
    this.brokers = new Map(); // id → { bytesIn, bytesOut, messagesIn, messagesOut } rings
    this.topics = new Map(); // topic → same rings, summed over brokers
    this.latency = new Map(); // api → { p50, p99 } rings (ms, over the last interval)
    this.isrShrinks = ring();
    this.isrExpands = ring();
    this.prev = new Map(); // broker id → its previous sample
    this.topicRates = new Map(); // topic → latest rates
    this.brokerRates = new Map();
    this.latest = null;
  }

  series(map, key, fields) {
    let s = map.get(key);
    if (s === undefined) {
      s = Object.fromEntries(fields.map((f) => [f, ring()]));
      map.set(key, s);
    }
    return s;
  }

  add(stats) {
    this.latest = stats;
    push(this.t, stats.timeMs / 1000);
    const fields = ['bytesIn', 'bytesOut', 'messagesIn', 'messagesOut'];
    const topicNow = new Map();
    const latencyDelta = new Map();
    let shrinks = null;
    let expands = null;
    const seenBrokers = new Set();
    for (const b of stats.brokers) {
      seenBrokers.add(b.id);
      const s = b.sample;
      const prev = this.prev.get(b.id);
      const brokerSeries = this.series(this.brokers, b.id, fields);
      if (s === undefined) {
        for (const f of fields) push(brokerSeries[f], null);
        this.brokerRates.delete(b.id);
        this.prev.delete(b.id);
        continue;
      }
      const seconds = prev === undefined ? 0 : (s.timeMs - prev.timeMs) / 1000;
      const totals = Object.fromEntries(fields.map((f) => [f, 0]));
      const prevTotals = Object.fromEntries(fields.map((f) => [f, 0]));
      for (const [topic, c] of Object.entries(s.metrics.topics)) {
        const p = prev?.metrics.topics[topic];
        const acc = topicNow.get(topic) ?? Object.fromEntries(fields.map((f) => [f, 0]));
        for (const f of fields) {
          totals[f] += c[f];
          prevTotals[f] += p?.[f] ?? 0;
          const r = rate(c[f], p?.[f], seconds);
          if (r !== null) acc[f] += r;
        }
        topicNow.set(topic, acc);
      }
      const rates = Object.fromEntries(fields.map((f) => [f, prev === undefined ? null : rate(totals[f], prevTotals[f], seconds)]));
      for (const f of fields) push(brokerSeries[f], rates[f]);
      this.brokerRates.set(b.id, rates);
      for (const [apiName, r] of Object.entries(s.metrics.requests)) {
        const p = prev?.metrics.requests[apiName];
        if (p === undefined || r.count < p.count) continue;
        const d = latencyDelta.get(apiName) ?? { bounds: s.metrics.requestBucketsMs, counts: new Array(r.buckets.length).fill(0) };
        r.buckets.forEach((c, i) => (d.counts[i] += c - (p.buckets[i] ?? 0)));
        latencyDelta.set(apiName, d);
      }
      if (prev !== undefined && seconds > 0) {
        shrinks = (shrinks ?? 0) + Math.max(0, s.metrics.isrShrinks - prev.metrics.isrShrinks);
        expands = (expands ?? 0) + Math.max(0, s.metrics.isrExpands - prev.metrics.isrExpands);
      }
      this.prev.set(b.id, s);
    }
    for (const id of [...this.brokers.keys()]) if (!seenBrokers.has(id)) this.brokers.delete(id);
    push(this.isrShrinks, shrinks);
    push(this.isrExpands, expands);
    // Topics: only those the brokers still count (a deleted topic's history goes with it).
    for (const topic of [...this.topics.keys()]) if (!topicNow.has(topic)) this.topics.delete(topic);
    this.topicRates = topicNow;
    for (const [topic, acc] of topicNow) {
      const s = this.series(this.topics, topic, fields);
      for (const f of fields) push(s[f], acc[f]);
    }
    for (const [apiName, s] of this.latency) if (!latencyDelta.has(apiName) && s.p99.every((v) => v === null)) this.latency.delete(apiName);
    for (const apiName of new Set([...this.latency.keys(), ...latencyDelta.keys()])) {
      const s = this.series(this.latency, apiName, ['p50', 'p99']);
      const d = latencyDelta.get(apiName);
      push(s.p50, d === undefined ? null : quantile(0.5, d.bounds, d.counts));
      push(s.p99, d === undefined ? null : quantile(0.99, d.bounds, d.counts));
    }
  }
}
