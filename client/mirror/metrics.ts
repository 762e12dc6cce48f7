/**
 * The mirror's measurements, kept in memory and read as snapshots (the process entry renders them
 * as Prometheus text with MirrorMaker 2's metric names). Per remote topic-partition, as MM2's
 * MirrorSourceMetrics: record and byte counts, record age (poll time − record timestamp) and
 * replication latency (target acknowledgement − record timestamp) as min/max/avg over the last
 * two 30 s windows (Kafka's sampled stats), plus the source lag in records. Per flow: counters
 * of the flow's own work. Every replication latency also goes to `onReplicationLatency`, for a
 * histogram where percentiles are wanted (the process entry feeds Prometheus's).
 */

const WINDOW_MS = 30_000;

interface Window {
  start: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface StatSnapshot {
  count: number;
  min: number;
  max: number;
  avg: number;
  last: number;
}

/** Kafka's sampled stat: two windows; a value counts for 30–60 s. */
export class WindowedStat {
  private current: Window = { start: 0, count: 0, sum: 0, min: 0, max: 0 };
  private previous: Window | undefined;
  last = 0;

  record(value: number, now: number): void {
    this.roll(now);
    const w = this.current;
    if (w.count === 0) {
      w.min = value;
      w.max = value;
    } else {
      if (value < w.min) w.min = value;
      if (value > w.max) w.max = value;
    }
    w.count++;
    w.sum += value;
    this.last = value;
  }

  snapshot(now: number): StatSnapshot {
    this.roll(now);
    const ws = [this.previous, this.current].filter((w): w is Window => w !== undefined && w.count > 0);
    if (ws.length === 0) return { count: 0, min: 0, max: 0, avg: 0, last: this.last };
    const count = ws.reduce((n, w) => n + w.count, 0);
    return {
      count,
      min: Math.min(...ws.map((w) => w.min)),
      max: Math.max(...ws.map((w) => w.max)),
      avg: ws.reduce((s, w) => s + w.sum, 0) / count,
      last: this.last,
    };
  }

  private roll(now: number): void {
    if (now - this.current.start < WINDOW_MS) return;
    this.previous = now - this.current.start < 2 * WINDOW_MS ? this.current : undefined;
    this.current = { start: now - ((now - this.current.start) % WINDOW_MS), count: 0, sum: 0, min: 0, max: 0 };
  }
}

export class PartitionMetrics {
  recordCount = 0;
  byteCount = 0;
  /** Source high watermark − next offset to mirror; -1 until known. */
  lag = -1;
  readonly recordAgeMs = new WindowedStat();
  readonly replicationLatencyMs = new WindowedStat();

  constructor(
    readonly source: string,
    readonly target: string,
    /** The remote (target) topic, as MM2 labels it. */
    readonly topic: string,
    readonly partition: number,
  ) {}
}

export const FLOW_COUNTERS = [
  'offsetSyncs', // offset syncs written to the source
  'offsetCommits', // mm2-offsets commits
  'checkpoints', // checkpoints written to the target
  'groupOffsetsSynced', // group offsets committed on the target (sync.group.offsets)
  'heartbeats', // heartbeats written to the target
  'topicsCreated', // remote topics created
  'partitionsCreated', // partitions added to remote topics
  'topicConfigsSynced', // remote topic configs changed
  'taskRestarts', // source tasks restarted after an error (duplicates may follow)
] as const;

export type FlowCounter = (typeof FLOW_COUNTERS)[number];

export class FlowMetrics {
  readonly counters: Record<FlowCounter, number> = Object.fromEntries(FLOW_COUNTERS.map((c) => [c, 0])) as Record<FlowCounter, number>;
  constructor(
    readonly source: string,
    readonly target: string,
  ) {}
}

export type LatencyObserver = (source: string, target: string, latencyMs: number) => void;

export class MirrorMetrics {
  private readonly partitions = new Map<string, PartitionMetrics>();
  private readonly flows = new Map<string, FlowMetrics>();

  constructor(readonly onReplicationLatency: LatencyObserver = () => undefined) {}

  flow(source: string, target: string): FlowMetrics {
    const k = `${source}->${target}`;
    let f = this.flows.get(k);
    if (f === undefined) this.flows.set(k, (f = new FlowMetrics(source, target)));
    return f;
  }

  partition(source: string, target: string, topic: string, partition: number): PartitionMetrics {
    const k = `${source}->${target}\u0000${topic}\u0000${partition}`;
    let p = this.partitions.get(k);
    if (p === undefined) this.partitions.set(k, (p = new PartitionMetrics(source, target, topic, partition)));
    return p;
  }

  allPartitions(): PartitionMetrics[] {
    return [...this.partitions.values()];
  }

  allFlows(): FlowMetrics[] {
    return [...this.flows.values()];
  }
}
