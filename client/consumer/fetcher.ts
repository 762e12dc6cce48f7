/**
 * The fetcher: positions of assigned partitions, offset resets (ListOffsets), and Fetch
 * requests — at most one in flight per leader broker, for every assigned, unpaused partition that
 * has a position and no buffered data (so the next poll's records are usually already here:
 * prefetching). Responses are decoded per batch; records below the fetch position (a batch that
 * starts before it) are skipped when drained. A seek invalidates buffered data for its partition.
 *
 * Fetch from follower (KIP-392): with `clientRack` set, a partition is fetched from the replica
 * its leader named as `preferredReadReplica`, for `preferredReadReplicaMaxAgeMs` (Kafka uses
 * metadata.max.age.ms) or until that replica answers with an error or fails; then from the
 * leader again, which may name it anew. OFFSET_OUT_OF_RANGE from a follower only sends the
 * partition back to the leader (the follower may lag it), never resets the position.
 *
 * Concurrency contract: one event loop; the consumer calls in, responses come back through
 * promise callbacks that only touch state and wake waiters.
 */
import type { FetchRequest, FetchResponse } from '../../protocol/index.js';
import type { Cluster } from '../cluster.js';
import type { TimerHandle } from '../../common/index.js';
import { tpKey } from '../../common/index.js';
import { asClientError, KafkaClientError, brokerError, isStaleMetadata } from '../errors.js';
import { API, errorInfo, iterateBatches, isControlBatch } from '../wire.js';
import { FetchSessionHandler } from './fetch-session.js';
import { resetPositions } from './offset-reset.js';
import type { OffsetResetPolicy, PartitionState, TopicPartition } from './partition-state.js';
import { AbortedTransactionFilter, controlTypeAt } from './read-committed.js';
import { readBatchRecords, type FetchedRecord } from './record-reader.js';

export type { OffsetResetPolicy, PartitionState, TopicPartition } from './partition-state.js';

export interface FetcherOptions {
  minBytes: number;
  maxBytes: number;
  maxWaitMs: number;
  maxPartitionBytes: number;
  /** 0 = read_uncommitted, 1 = read_committed. */
  isolationLevel: 0 | 1;
  autoOffsetReset: OffsetResetPolicy;
  retryBackoffMs: number;
  requestTimeoutMs: number;
  /** Kafka's client.rack, sent as Fetch v11 rack_id; '' = none. */
  clientRack?: string;
  /** How long a preferred read replica is used before asking the leader again (default 5 min). */
  preferredReadReplicaMaxAgeMs?: number;
}

/** A follower the leader named for a partition (KIP-392), and until when to use it. */
interface ReadReplica {
  readonly nodeId: number;
  readonly untilMs: number;
}

interface CompletedFetch {
  state: PartitionState;
  /** The position this data continues from; stale if the partition was seeked meanwhile. */
  position: bigint;
  records: FetchedRecord[];
  index: number;
  /** Offset after the last batch (skips control batches and compaction gaps). */
  nextOffset: bigint;
}

/** A partition's buffered responses in order: how many, and whether they follow on from its position. */
interface Chain {
  count: number;
  end: bigint | undefined;
  stale: boolean;
}

function extendChain(chains: Map<PartitionState, Chain>, c: CompletedFetch): void {
  const chain = chains.get(c.state);
  if (chain === undefined) {
    chains.set(c.state, { count: 1, end: c.nextOffset, stale: c.position !== c.state.position });
    return;
  }
  chain.count++;
  if (chain.end !== c.position) chain.stale = true;
  chain.end = c.nextOffset;
}

const OFFSET_OUT_OF_RANGE = 1;

export class Fetcher {
  private readonly states = new Map<string, PartitionState>();
  private completed: CompletedFetch[] = [];
  private readonly inFlight = new Set<number>();
  private waiters: Array<() => void> = [];
  private pendingError: KafkaClientError | undefined;
  private closed = false;
  /** Brokers whose last fetch failed: not fetched from until the backoff ends. */
  private readonly backoffUntil = new Map<number, number>();
  private backoffTimer: TimerHandle | undefined;
  /** KIP-227 session per broker fetched from. */
  private readonly sessions = new Map<number, FetchSessionHandler>();
  private readonly readReplicas = new Map<PartitionState, ReadReplica>();

  constructor(
    private readonly cluster: Cluster,
    private readonly opts: FetcherOptions,
  ) {}

  assign(partitions: readonly TopicPartition[]): void {
    const keep = new Set(partitions.map((tp) => tpKey(tp.topic, tp.partition)));
    for (const k of [...this.states.keys()]) if (!keep.has(k)) this.states.delete(k);
    for (const tp of partitions) {
      const k = tpKey(tp.topic, tp.partition);
      if (!this.states.has(k)) {
        this.states.set(k, { ...tp, position: undefined, pendingReset: undefined, paused: false, highWatermark: -1n, logStartOffset: -1n });
      }
    }
    this.completed = this.completed.filter((c) => this.states.get(tpKey(c.state.topic, c.state.partition)) === c.state);
    for (const s of [...this.readReplicas.keys()]) if (this.states.get(tpKey(s.topic, s.partition)) !== s) this.readReplicas.delete(s);
    this.cluster.addTopics(partitions.map((tp) => tp.topic));
  }

  assignment(): TopicPartition[] {
    return [...this.states.values()].map(({ topic, partition }) => ({ topic, partition }));
  }

  state(tp: TopicPartition): PartitionState {
    const s = this.states.get(tpKey(tp.topic, tp.partition));
    if (s === undefined) throw new KafkaClientError('CLI_INVALID_CONFIG', `${tp.topic}/${tp.partition} is not assigned`);
    return s;
  }

  seek(tp: TopicPartition, offset: bigint): void {
    const s = this.state(tp);
    s.position = offset;
    s.pendingReset = undefined;
  }

  seekTo(tps: readonly TopicPartition[], where: 'earliest' | 'latest'): void {
    for (const tp of tps) {
      const s = this.state(tp);
      s.pendingReset = where;
    }
  }

  setPaused(tps: readonly TopicPartition[], paused: boolean): void {
    for (const tp of tps) this.state(tp).paused = paused;
  }

  /**
   * Resolve positions that are unknown (auto.offset.reset) or explicitly reset (offset-reset.ts).
   */
  resetPositions(): Promise<void> {
    return resetPositions(this.cluster, this.states, this.opts);
  }

  /** Send a Fetch to every leader that has fetchable partitions and no fetch in flight. */
  sendFetches(): void {
    if (this.closed) return;
    const chains = new Map<PartitionState, Chain>();
    for (const c of this.completed) extendChain(chains, c);
    const byNode = new Map<number, PartitionState[]>();
    let needMetadata = false;
    for (const s of this.states.values()) {
      if (s.paused || s.position === undefined || s.pendingReset !== undefined) continue;
      // One fetch ahead at most: a partition with one buffered response is fetched again from
      // where that response ends, so the broker works while the application handles records.
      const chain = chains.get(s);
      if (chain !== undefined && (chain.stale || chain.count > 1)) continue;
      const node = this.readReplica(s) ?? this.cluster.leaderFor(s.topic, s.partition);
      if (node === undefined) {
        needMetadata = true;
        continue;
      }
      if (this.inFlight.has(node) || (this.backoffUntil.get(node) ?? 0) > this.cluster.clock.now()) continue;
      let l = byNode.get(node);
      if (l === undefined) byNode.set(node, (l = []));
      l.push(s);
    }
    if (needMetadata) void this.cluster.refreshMetadata().catch(() => undefined);
    for (const [node, partitions] of byNode) this.fetchFrom(node, partitions);
  }

  /** The preferred read replica of `s` while it is fresh and known; dropped once expired. */
  private readReplica(s: PartitionState): number | undefined {
    const r = this.readReplicas.get(s);
    if (r === undefined) return undefined;
    if (r.untilMs > this.cluster.clock.now() && this.cluster.brokers.some((b) => b.nodeId === r.nodeId)) return r.nodeId;
    this.readReplicas.delete(s);
    return undefined;
  }

  /** Back to the leader for `s` if it was being read from a follower; true if it was. */
  private leaveReadReplica(s: PartitionState, node: number): boolean {
    if (this.readReplicas.get(s)?.nodeId !== node) return false;
    this.readReplicas.delete(s);
    return true;
  }

  private fetchFrom(node: number, partitions: PartitionState[]): void {
    const positions = new Map<PartitionState, bigint>();
    for (const s of partitions) positions.set(s, this.fetchPosition(s)!);
    let session = this.sessions.get(node);
    if (session === undefined) this.sessions.set(node, (session = new FetchSessionHandler()));
    const built = session.build(partitions.map((s) => ({ topic: s.topic, partition: s.partition, fetchOffset: positions.get(s)!, partitionMaxBytes: this.opts.maxPartitionBytes })));
    const request: FetchRequest = {
      replicaId: -1,
      maxWaitMs: this.opts.maxWaitMs,
      minBytes: this.opts.minBytes,
      maxBytes: this.opts.maxBytes,
      isolationLevel: this.opts.isolationLevel,
      sessionId: built.sessionId,
      sessionEpoch: built.sessionEpoch,
      topics: built.topics,
      forgottenTopicsData: built.forgottenTopicsData,
      rackId: this.opts.clientRack ?? '',
    };
    this.inFlight.add(node);
    let sent: Promise<FetchResponse>;
    try {
      sent = this.cluster.connectionFor(node).send<FetchResponse>(API.Fetch, request, { timeoutMs: this.opts.requestTimeoutMs + this.opts.maxWaitMs });
    } catch (err) {
      sent = Promise.reject(err);
    }
    let gotData = false;
    sent
      .then(
        (res) => {
          session.handleResponse(res);
          gotData = this.onFetch(node, res, positions);
        },
        (err: unknown) => {
          session.handleError();
          if (this.closed) return;
          for (const s of partitions) this.leaveReadReplica(s, node);
          this.backOff(node);
          if (isStaleMetadata(err)) void this.cluster.refreshMetadata().catch(() => undefined);
          if (!(err instanceof KafkaClientError) || !err.retriable) this.pendingError = asClientError(err);
        },
      )
      .catch((err: unknown) => {
        this.pendingError = asClientError(err);
      })
      .finally(() => {
        this.inFlight.delete(node);
        // Data arrived: fetch the next run now (one ahead at most, see sendFetches) rather than
        // when the application has handled this one.
        if (gotData && this.pendingError === undefined) this.sendFetches();
        this.wake();
      });
  }

  /** Skip a failing broker for retryBackoffMs, then wake pollers so they fetch again. */
  private backOff(node: number): void {
    this.backoffUntil.set(node, this.cluster.clock.now() + this.opts.retryBackoffMs);
    if (this.backoffTimer !== undefined || this.closed) return;
    this.backoffTimer = this.cluster.scheduler.setTimeout(() => {
      this.backoffTimer = undefined;
      this.wake();
    }, this.opts.retryBackoffMs);
  }

  /** Buffers the response's data; true if any partition got records. */
  private onFetch(node: number, res: FetchResponse, positions: Map<PartitionState, bigint>): boolean {
    if (res.errorCode !== undefined && res.errorCode !== 0) {
      const err = brokerError(errorInfo(res.errorCode), 'fetch');
      if (!err.retriable) this.pendingError = err;
      return false;
    }
    let gotData = false;
    let stale = false;
    for (const t of res.responses) {
      const topic = t.topic ?? '';
      for (const p of t.partitions) {
        const s = this.states.get(tpKey(topic, p.partitionIndex));
        if (s === undefined) continue;
        const fetchedAt = positions.get(s);
        if (fetchedAt === undefined || s.pendingReset !== undefined || this.fetchPosition(s) !== fetchedAt) continue; // seeked meanwhile
        if (p.errorCode !== 0 && this.leaveReadReplica(s, node)) continue;
        if (p.errorCode === OFFSET_OUT_OF_RANGE) {
          if (this.opts.autoOffsetReset === 'none') this.pendingError = brokerError(errorInfo(p.errorCode), `fetch ${topic}/${p.partitionIndex} at ${fetchedAt}`);
          else s.pendingReset = this.opts.autoOffsetReset;
          continue;
        }
        if (p.errorCode !== 0) {
          const err = brokerError(errorInfo(p.errorCode), `fetch ${topic}/${p.partitionIndex}`);
          if (isStaleMetadata(err) || err.retriable) stale = true;
          else this.pendingError = err;
          continue;
        }
        if (p.preferredReadReplica !== undefined && p.preferredReadReplica >= 0 && p.preferredReadReplica !== node) {
          this.readReplicas.set(s, { nodeId: p.preferredReadReplica, untilMs: this.cluster.clock.now() + (this.opts.preferredReadReplicaMaxAgeMs ?? 300_000) });
          continue;
        }
        s.highWatermark = p.highWatermark;
        if (p.logStartOffset !== undefined && p.logStartOffset >= 0n) s.logStartOffset = p.logStartOffset;
        if (p.records === null || p.records.length === 0) continue;
        const records: FetchedRecord[] = [];
        let nextOffset = fetchedAt;
        // read_committed: aborted transactions' batches are dropped (read-committed.ts).
        const aborted = this.opts.isolationLevel === 1 ? new AbortedTransactionFilter(p.abortedTransactions) : undefined;
        for (const slice of iterateBatches(p.records)) {
          const last = slice.header.baseOffset + BigInt(slice.header.lastOffsetDelta);
          const control = isControlBatch(slice.header.attributes);
          const drop = aborted === undefined ? control : aborted.skip(slice.header, control ? controlTypeAt(p.records, slice.start) : undefined);
          if (last < fetchedAt) continue;
          if (!drop) readBatchRecords(s.topic, s.partition, p.records, slice.start, slice.header, fetchedAt, records);
          nextOffset = last + 1n;
        }
        if (nextOffset > fetchedAt) {
          this.completed.push({ state: s, position: fetchedAt, records, index: 0, nextOffset });
          gotData ||= records.length > 0;
        }
      }
    }
    if (stale) void this.cluster.refreshMetadata().catch(() => undefined);
    return gotData;
  }

  /**
   * Where the data of `s` continues: its position, or the end of its buffered responses when
   * they follow on from the position; undefined when the buffer is stale (seeked meanwhile).
   */
  private fetchPosition(s: PartitionState): bigint | undefined {
    let at = s.position;
    for (const c of this.completed) {
      if (c.state !== s) continue;
      if (c.position !== at) return undefined;
      at = c.nextOffset;
    }
    return at;
  }

  /** Take up to `max` buffered records, advancing positions. Throws a pending fatal error. */
  drain(max: number): FetchedRecord[] {
    if (this.pendingError !== undefined) {
      const err = this.pendingError;
      this.pendingError = undefined;
      throw err;
    }
    const out: FetchedRecord[] = [];
    while (out.length < max && this.completed.length > 0) {
      const c = this.completed[0]!;
      const s = c.state;
      if (this.states.get(tpKey(s.topic, s.partition)) !== s || s.position !== c.position || s.paused) {
        // Unassigned, seeked or paused since it was fetched: drop (paused data is refetched).
        this.completed.shift();
        continue;
      }
      // Whole runs of records per partition: positions advance once per run, not per record.
      const take = Math.min(max - out.length, c.records.length - c.index);
      if (take > 0) {
        const from = c.index;
        c.index += take;
        for (let i = from; i < c.index; i++) out.push(c.records[i]!);
        s.position = c.records[c.index - 1]!.offset + 1n;
      }
      if (c.index >= c.records.length) {
        s.position = c.nextOffset > s.position! ? c.nextOffset : s.position;
        this.completed.shift();
      }
      c.position = s.position!;
    }
    return out;
  }

  get hasBuffered(): boolean {
    return this.completed.length > 0;
  }

  /** Resolves when a fetch completes (with or without data) or after `ms`. */
  waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.cluster.scheduler.setTimeout(done, ms);
      const self = this;
      function done(): void {
        self.cluster.scheduler.clearTimeout(timer);
        self.waiters = self.waiters.filter((w) => w !== done);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  /** Wake pollers waiting for data (e.g. a rebalance needs them). */
  interrupt(): void {
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.slice()) w();
  }

  close(): void {
    this.closed = true;
    if (this.backoffTimer !== undefined) this.cluster.scheduler.clearTimeout(this.backoffTimer);
    this.backoffTimer = undefined;
    this.wake();
  }
}
