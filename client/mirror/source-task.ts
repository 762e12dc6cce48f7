/**
 * A source task: mirrors its share of a flow's source partitions. A consumer (manual assignment,
 * positions from the offset store) reads the source; every record goes to the same partition of
 * the remote topic with its key, value, headers and timestamp, through an idempotent acks=all
 * producer that retries for ever (so a target failover delays records, never reorders or drops
 * them). Acknowledgements are taken in send order per partition: the acknowledged prefix is what
 * may be committed, and offset syncs are emitted from it (rules in offset-sync-store.ts).
 *
 * Every `offset.flush.interval.ms` the task commits: first the offset syncs up to the commit
 * point are made durable on the source, then the positions go to mm2-offsets on the target. A
 * crash loses at most what was acknowledged since the last commit: it is mirrored again
 * (at-least-once; the duplicates sit after the earlier copies, in order).
 *
 * A record that fails for good (the producer gave up) fails the task; the flow restarts it from
 * the committed positions. The producer fails every later record of that partition with it, so
 * the target holds nothing past the hole and the restart resends in order.
 *
 * Exactly-once (exactly.once.source.support = enabled, KIP-618's "poll" transaction boundary): the
 * producer is transactional (`transactionalIdFor`), and each poll's records go to the target in
 * one transaction with the mm2-offsets positions after them. A crash leaves an open transaction
 * that the next incarnation's fencing aborts, and positions only a committed transaction wrote:
 * read_committed consumers of the target see every record once. Offset syncs stay outside the
 * transaction (they are on the source cluster); one made durable before an abort names a
 * downstream offset of aborted records, which translation may return: the consumer then reads the
 * later, committed copy (nothing skipped).
 */
import { MAX_TIMER_MS } from '../../common/index.js';
import { KafkaClientError } from '../errors.js';
import { Consumer, type ConsumerRecord } from '../consumer/consumer.js';
import type { TopicPartition } from '../consumer/fetcher.js';
import { Producer, type ProducerRecord } from '../producer/producer.js';
import type { RecordMetadata } from '../producer/batch.js';
import type { FlowContext } from './flow-context.js';
import type { PartitionMetrics } from './metrics.js';
import type { SourceOffset } from './offset-store.js';

const PENDING = 0;
const DONE = 1;
const FAILED = 2;

interface InFlight {
  upstream: bigint;
  timestamp: number;
  bytes: number;
  state: number;
  downstream: bigint;
}

interface PartitionState {
  source: TopicPartition;
  targetTopic: string;
  queue: InFlight[];
  head: number;
  /** Last upstream offset acknowledged by the target, in order (-1n: none yet). */
  acked: bigint;
  ackedDownstream: bigint;
  /** Last upstream offset in the offset store. */
  committed: bigint;
  // Offset-sync emission state.
  prevUpstream: bigint | undefined;
  prevDownstream: bigint | undefined;
  lastSyncDownstream: bigint | undefined;
  lastSyncUpstream: bigint | undefined;
  /** The next acknowledged record must get a sync (its predecessor's downstream offset is unknown). */
  forceSync: boolean;
  metrics: PartitionMetrics;
}

/** The transactional.id of task `taskId` of a flow: the same in every incarnation, so a new one fences the old. */
export function transactionalIdFor(source: string, target: string, taskId: number): string {
  return `mm2-${source}->${target}-${taskId}`;
}

export class MirrorSourceTask {
  readonly name: string;
  private readonly consumer: Consumer;
  private readonly producer: Producer<Buffer | null, Buffer | null>;
  private readonly states = new Map<string, PartitionState>();
  private loop: Promise<void> | undefined;
  private stopping = false;
  private failed: unknown;
  private committing: Promise<void> | undefined;
  private lastCommitMs = 0;
  /** Exactly-once: the first record of the open transaction that failed. */
  private txnError: unknown;
  private ready = false;

  constructor(
    private readonly ctx: FlowContext,
    readonly taskId: number,
    readonly partitions: readonly TopicPartition[],
    private readonly onFailure: (task: MirrorSourceTask, err: unknown) => void,
  ) {
    const { flow } = ctx;
    this.name = `${flow.source}->${flow.target}-${taskId}`;
    this.consumer = new Consumer({
      brokers: flow.sourceBootstrap,
      clientId: `mm2-${this.name}-consumer`,
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
      maxPollRecords: 2000,
    });
    this.producer = new Producer<Buffer | null, Buffer | null>({
      brokers: flow.targetBootstrap,
      clientId: `mm2-${this.name}-producer`,
      acks: 'all',
      idempotent: true,
      lingerMs: 5,
      batchSize: 65_536,
      deliveryTimeoutMs: MAX_TIMER_MS,
      maxBlockMs: MAX_TIMER_MS,
      allowAutoTopicCreation: false,
      ...(flow.exactlyOnce ? { transactionalId: transactionalIdFor(flow.source, flow.target, taskId) } : {}),
      onError: (err) => ctx.log.warn({ task: this.name, err: err.message }, 'producer background error'),
    });
    for (const tp of partitions) {
      const targetTopic = flow.policy.formatRemoteTopic(flow.source, tp.topic);
      const committed = ctx.offsets.get(tp.topic, tp.partition) ?? -1n;
      this.states.set(`${tp.topic}\u0000${tp.partition}`, {
        source: tp,
        targetTopic,
        queue: [],
        head: 0,
        acked: committed,
        ackedDownstream: -1n,
        committed,
        prevUpstream: undefined,
        prevDownstream: undefined,
        lastSyncDownstream: undefined,
        lastSyncUpstream: undefined,
        forceSync: false,
        metrics: ctx.metrics.partition(flow.source, flow.target, targetTopic, tp.partition),
      });
    }
  }

  start(): void {
    this.consumer.assign(this.partitions);
    for (const s of this.states.values()) {
      if (s.committed >= 0n) this.consumer.seek(s.source, s.committed + 1n);
    }
    this.lastCommitMs = this.ctx.clock.now();
    this.loop = this.run().catch((err: unknown) => this.fail(err));
  }

  /**
   * Replicating: the consumer has a fetch position for every partition and the producer knows the
   * leader of every remote partition (Kafka Connect's task RUNNING after start()). Until then
   * the first records wait on ListOffsets and metadata lookups (measured: the first acknowledgements
   * ~430 ms after their poll, the first seconds of a load mirrored 0.6-1.6 s late).
   */
  isReady(): boolean {
    return this.ready;
  }

  private async run(): Promise<void> {
    await this.producer.connect();
    await this.warmUp().catch((err: unknown) => this.ctx.log.warn({ task: this.name, err: (err as Error).message }, 'task not ready yet (positions or target metadata); retried after each poll'));
    while (!this.stopping && this.failed === undefined) {
      const records = await this.consumer.poll({ timeoutMs: 500 });
      if (!this.ready) await this.warmUp().catch(() => undefined);
      const now = this.ctx.clock.now();
      if (this.ctx.flow.exactlyOnce) {
        if (records.length > 0) await this.mirrorInTransaction(records, now);
      } else {
        for (const r of records) {
          if (this.stopping || this.failed !== undefined) return;
          await this.forward(r, now);
        }
      }
      this.updateLag();
      // A consumer far behind has whole fetch responses buffered (up to 1 MiB a partition): poll
      // then returns at once, again and again, and this loop would keep the event loop to itself
      // (measured: timers over 1 s late, offset syncs, commits and heartbeats held back until
      // the task caught up). Let timers and other I/O run after every poll.
      await this.ctx.yieldToEventLoop();
      if (!this.ctx.flow.exactlyOnce && now - this.lastCommitMs >= this.ctx.flow.offsetFlushIntervalMs) {
        this.lastCommitMs = now;
        void this.commit().catch((err: unknown) => this.ctx.log.warn({ task: this.name, err: (err as Error).message }, 'offset commit failed; retried at the next interval'));
      }
    }
  }

  /** Fetch positions and remote-topic leaders now, not on the first records; sets `ready` once both are known. */
  private async warmUp(): Promise<void> {
    const started = this.ctx.clock.now();
    const remote = [...new Set([...this.states.values()].map((s) => s.targetTopic))];
    if (remote.some((t) => this.producer.cluster.topic(t) === undefined) || !this.targetLeadersKnown()) await this.producer.cluster.refreshMetadata(remote);
    for (const tp of this.partitions) await this.consumer.position(tp);
    if (!this.targetLeadersKnown()) throw new KafkaClientError('CLI_METADATA', `no leader known yet for every partition of ${remote.join(', ')} on ${this.ctx.flow.target}`, { retriable: true });
    this.ready = true;
    this.ctx.log.info({ task: this.name, partitions: this.partitions.length, ms: this.ctx.clock.now() - started }, 'task replicating (fetch positions and target leaders known)');
  }

  private targetLeadersKnown(): boolean {
    return [...this.states.values()].every((s) => this.producer.cluster.leaderFor(s.targetTopic, s.source.partition) !== undefined);
  }

  /**
   * One poll, one transaction: the records, then (all acknowledged, their offset syncs durable)
   * the positions after them, then the commit. Any failure aborts it and fails the task, which
   * restarts from the positions of the last committed transaction. A stopping task finishes the
   * transaction it is in.
   */
  private async mirrorInTransaction(records: readonly ConsumerRecord[], now: number): Promise<void> {
    const txn = await this.producer.transaction();
    this.txnError = undefined;
    try {
      for (const r of records) await this.forward(r, now);
      await this.producer.flush();
      if (this.txnError !== undefined) throw this.txnError;
      const positions = this.positionsToCommit();
      await this.ctx.flushOffsetSyncs();
      await txn.sendBatch(this.ctx.offsets.recordsFor(positions));
      await txn.commit();
      this.committed(positions);
    } catch (err) {
      if (txn.isActive) await txn.abort().catch(() => undefined);
      throw err;
    }
  }

  private async forward(r: ConsumerRecord, now: number): Promise<void> {
    const s = this.states.get(`${r.topic}\u0000${r.partition}`);
    if (s === undefined) return;
    const bytes = (r.key?.length ?? 0) + (r.value?.length ?? 0);
    const timestamp = Number(r.timestamp);
    s.metrics.recordAgeMs.record(now - timestamp, now);
    const entry: InFlight = { upstream: r.offset, timestamp, bytes, state: PENDING, downstream: -1n };
    s.queue.push(entry);
    const record: ProducerRecord<Buffer | null, Buffer | null> = {
      topic: s.targetTopic,
      partition: r.partition,
      key: r.key,
      value: r.value,
      headers: r.headers,
      timestamp: r.timestamp,
    };
    const done = (err: KafkaClientError | null, meta: RecordMetadata | null): void => this.onAck(s, entry, err, meta);
    try {
      this.producer.produce(record, done);
    } catch (err) {
      // No metadata for the remote topic yet, a partition it does not have yet, or a full
      // buffer: the slow path waits (and keeps the order: nothing else is sent meanwhile).
      try {
        done(null, await this.sendSlow(record));
      } catch (slowErr) {
        done(slowErr instanceof KafkaClientError ? slowErr : new KafkaClientError('CLI_PROTOCOL', String(slowErr), { cause: err }), null);
      }
    }
  }

  private async sendSlow(record: ProducerRecord<Buffer | null, Buffer | null>): Promise<RecordMetadata> {
    const deadline = this.ctx.clock.now() + 60_000;
    for (;;) {
      const known = this.producer.cluster.topic(record.topic)?.partitions.length ?? 0;
      if (known > record.partition!) return this.producer.send(record);
      if (this.stopping || this.ctx.clock.now() > deadline) {
        throw new KafkaClientError('CLI_METADATA', `${record.topic} has no partition ${record.partition} on ${this.ctx.flow.target}`, { retriable: true });
      }
      await this.producer.cluster.refreshMetadata([record.topic]).catch(() => undefined);
      if ((this.producer.cluster.topic(record.topic)?.partitions.length ?? 0) <= record.partition!) await this.ctx.sleep(200);
    }
  }

  private onAck(s: PartitionState, entry: InFlight, err: KafkaClientError | null, meta: RecordMetadata | null): void {
    if (err !== null) {
      entry.state = FAILED;
      // Even while stopping: the open transaction must not commit around a lost record.
      this.txnError ??= err;
      if (!this.stopping) this.fail(err);
      return;
    }
    entry.state = DONE;
    entry.downstream = meta!.offset;
    const q = s.queue;
    while (s.head < q.length && q[s.head]!.state === DONE) this.acknowledged(s, q[s.head++]!);
    if (s.head > 1024 && s.head * 2 > q.length) {
      s.queue = q.slice(s.head);
      s.head = 0;
    }
  }

  private acknowledged(s: PartitionState, e: InFlight): void {
    const now = this.ctx.clock.now();
    s.acked = e.upstream;
    s.ackedDownstream = e.downstream;
    s.metrics.recordCount++;
    s.metrics.byteCount += e.bytes;
    s.metrics.replicationLatencyMs.record(now - e.timestamp, now);
    this.ctx.metrics.onReplicationLatency(this.ctx.flow.source, this.ctx.flow.target, now - e.timestamp);
    const d = e.downstream;
    if (d < 0n) {
      // A duplicate the target had already (idempotence): its position is unknown.
      s.forceSync = true;
      s.prevUpstream = e.upstream;
      s.prevDownstream = undefined;
      return;
    }
    const first = s.lastSyncDownstream === undefined;
    const upstreamGap = s.prevUpstream !== undefined && e.upstream !== s.prevUpstream + 1n;
    const downstreamJump = s.prevDownstream !== undefined && d !== s.prevDownstream + 1n;
    const stale = s.lastSyncDownstream !== undefined && d - s.lastSyncDownstream >= BigInt(this.ctx.flow.offsetLagMax);
    if (first || s.forceSync || upstreamGap || downstreamJump || stale) this.emitSync(s, e.upstream, d);
    s.prevUpstream = e.upstream;
    s.prevDownstream = d;
  }

  private emitSync(s: PartitionState, upstream: bigint, downstream: bigint): void {
    s.lastSyncUpstream = upstream;
    s.lastSyncDownstream = downstream;
    s.forceSync = false;
    this.ctx.emitOffsetSync({ topic: s.source.topic, partition: s.source.partition, upstreamOffset: upstream, downstreamOffset: downstream });
  }

  private updateLag(): void {
    for (const s of this.states.values()) {
      const hw = this.consumer.highWatermark(s.source);
      if (hw >= 0n) s.metrics.lag = Number(hw - (s.acked + 1n) > 0n ? hw - (s.acked + 1n) : 0n);
    }
  }

  /** Commit the acknowledged positions (one commit at a time). */
  commit(): Promise<void> {
    this.committing ??= this.doCommit().finally(() => {
      this.committing = undefined;
    });
    return this.committing;
  }

  private async doCommit(): Promise<void> {
    // Exactly-once, positions are committed by the transactions only.
    if (this.ctx.flow.exactlyOnce) return;
    const todo = this.positionsToCommit();
    if (todo.length === 0) return;
    await this.ctx.flushOffsetSyncs();
    await this.ctx.offsets.write(todo);
    this.committed(todo);
  }

  /** Acknowledged positions not committed yet; the last mirrored record of each gets a sync, so translation is exact up to the commit point. */
  private positionsToCommit(): SourceOffset[] {
    const todo: SourceOffset[] = [];
    for (const s of this.states.values()) {
      if (s.acked <= s.committed) continue;
      if (s.lastSyncUpstream !== s.acked && s.ackedDownstream >= 0n) this.emitSync(s, s.acked, s.ackedDownstream);
      todo.push({ topic: s.source.topic, partition: s.source.partition, offset: s.acked });
    }
    return todo;
  }

  private committed(positions: readonly SourceOffset[]): void {
    if (positions.length === 0) return;
    this.ctx.offsets.remember(positions);
    this.ctx.flowMetrics.counters.offsetCommits++;
    for (const o of positions) this.states.get(`${o.topic}\u0000${o.partition}`)!.committed = o.offset;
  }

  private fail(err: unknown): void {
    if (this.failed !== undefined || this.stopping) return;
    this.failed = err;
    this.onFailure(this, err);
  }

  /**
   * Stop reading, wait (bounded) for what was sent, commit what was acknowledged, close. A
   * failed task commits only the prefix acknowledged before the failure.
   */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.stopping = true;
    await this.consumer.close();
    await this.ctx.withTimeout(this.loop ?? Promise.resolve(), timeoutMs);
    if (this.failed === undefined) await this.ctx.withTimeout(this.producer.flush(), timeoutMs);
    await this.committing;
    await this.commit().catch((err: unknown) => this.ctx.log.warn({ task: this.name, err: (err as Error).message }, 'final offset commit failed'));
    // Fails whatever is still unsent (CLI_CLOSED), which also ends a loop stuck in a send.
    await this.producer.close({ timeoutMs: 1000 });
    await this.loop;
  }
}
