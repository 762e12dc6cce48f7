/**
 * The mirror's Prometheus metrics: MirrorMaker 2's MBeans in JMX-exporter spelling
 * (kafka.connect.mirror:type=MirrorSourceConnector,target=B,topic=A.orders,partition=0 →
 * kafka_connect_mirror_mirrorsourceconnector_<attribute>{source,target,topic,partition}), filled at
 * scrape time from the mirror's in-memory metrics, plus Samsa's own (lag, a latency histogram
 * for percentiles, counters of the flows' work).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { mirror } from '../../client/index.js';

const SOURCE = 'kafka_connect_mirror_mirrorsourceconnector_';

export const MIRROR_METRIC_NAMES = {
  recordCount: `${SOURCE}record_count`,
  byteCount: `${SOURCE}byte_count`,
  recordAge: `${SOURCE}record_age_ms`,
  replicationLatency: `${SOURCE}replication_latency_ms`,
  lag: 'samsa_mirror_partition_lag_records',
  latencyHistogram: 'samsa_mirror_replication_latency_ms',
  flowEvents: 'samsa_mirror_flow_events_total',
  flowUp: 'samsa_mirror_flow_up',
} as const;

/** Histogram bounds (ms): fine below a second, where the target is. */
const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 300, 500, 750, 1000, 2000, 5000, 10_000, 30_000, 60_000];

export interface MirrorRegistry {
  registry: Registry;
  /** Give it to MirrorMaker as onReplicationLatency. */
  observeLatency: mirror.LatencyObserver;
  /** Connects the scrape-time gauges to a running mirror. */
  attach(mm: mirror.MirrorMaker): void;
}

export function mirrorRegistry(): MirrorRegistry {
  const registry = new Registry();
  const registers = [registry];
  let mm: mirror.MirrorMaker | undefined;
  const partitionLabels = ['source', 'target', 'topic', 'partition'] as const;

  const perPartition = (name: string, help: string, value: (p: mirror.PartitionMetrics, now: number) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: partitionLabels,
      registers,
      collect() {
        this.reset();
        const now = Date.now();
        for (const p of mm?.metrics.allPartitions() ?? []) this.set({ source: p.source, target: p.target, topic: p.topic, partition: String(p.partition) }, value(p, now));
      },
    });
  };
  perPartition(MIRROR_METRIC_NAMES.recordCount, 'Records mirrored to this remote topic-partition (MM2 record-count)', (p) => p.recordCount);
  perPartition(MIRROR_METRIC_NAMES.byteCount, 'Key and value bytes mirrored (MM2 byte-count)', (p) => p.byteCount);
  const stats: Array<[string, 'recordAgeMs' | 'replicationLatencyMs', string]> = [
    [MIRROR_METRIC_NAMES.recordAge, 'recordAgeMs', 'poll time minus record timestamp'],
    [MIRROR_METRIC_NAMES.replicationLatency, 'replicationLatencyMs', 'target acknowledgement minus record timestamp'],
  ];
  for (const [name, field, what] of stats) {
    perPartition(name, `Last ${what}, ms`, (p) => p[field].last);
    perPartition(`${name}_min`, `Min ${what} over the last 30-60 s, ms`, (p, now) => p[field].snapshot(now).min);
    perPartition(`${name}_max`, `Max ${what} over the last 30-60 s, ms`, (p, now) => p[field].snapshot(now).max);
    perPartition(`${name}_avg`, `Mean ${what} over the last 30-60 s, ms`, (p, now) => p[field].snapshot(now).avg);
  }
  perPartition(MIRROR_METRIC_NAMES.lag, 'Source high watermark minus the next offset to mirror (-1 until known)', (p) => p.lag);

  const latency = new Histogram({ name: MIRROR_METRIC_NAMES.latencyHistogram, help: 'Replication latency of every mirrored record, ms', labelNames: ['source', 'target'], buckets: LATENCY_BUCKETS_MS, registers });

  new Counter({
    name: MIRROR_METRIC_NAMES.flowEvents,
    help: 'Work done by a flow: offset syncs, offset commits, checkpoints, group offsets synced, heartbeats, topics and partitions created, topic configs synced, task restarts',
    labelNames: ['source', 'target', 'event'],
    registers,
    collect() {
      this.reset();
      for (const f of mm?.metrics.allFlows() ?? []) {
        for (const event of mirror.FLOW_COUNTERS) this.inc({ source: f.source, target: f.target, event }, f.counters[event]);
      }
    },
  });
  new Gauge({
    name: MIRROR_METRIC_NAMES.flowUp,
    help: '1 while a flow runs with all its tasks',
    labelNames: ['flow', 'state'],
    registers,
    collect() {
      this.reset();
      for (const s of mm?.status() ?? []) this.set({ flow: s.flow, state: s.state }, s.state === 'running' ? 1 : 0);
    },
  });

  return {
    registry,
    observeLatency: (source, target, ms) => latency.observe({ source, target }, ms),
    attach: (m) => {
      mm = m;
    },
  };
}
