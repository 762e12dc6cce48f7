/**
 * The sender: drains sendable batches from the accumulator, groups them by partition leader
 * into Produce requests (one batch per partition per request, as Kafka requires from v3), keeps
 * at most `maxInFlightRequestsPerConnection` requests per broker, and settles batches from the
 * responses: success → resolve with the base offset; retriable error → back in the queue after
 * `retryBackoffMs` (in sequence order, refreshing metadata on NOT_LEADER_OR_FOLLOWER and
 * friends) until `retries` or `deliveryTimeoutMs` runs out; otherwise → reject.
 *
 * With idempotence, a partition with a batch waiting to be retried sends nothing else until its
 * in-flight batches are answered, so retries reach the broker in sequence order; nor anything
 * under a new producer id or epoch while batches stamped with the old one are in flight
 * (idempotence.ts). When a sent batch fails for good, every later batch of its partition fails
 * too (queued ones at once, in-flight ones when answered, unless the broker wrote them): the next
 * epoch would otherwise write them after the hole, and an application that stops at the first
 * failure and resends from there would see its records out of order (Kafka's rule for
 * idempotent producers: a batch is never written after a later one of its partition).
 *
 * What becomes of each answered or abandoned batch (success, retry, failure, the hole rule above)
 * is batch-completion.ts.
 *
 * Concurrency contract: `run()` is synchronous and is the only place batches leave the
 * accumulator; responses re-enter through promise callbacks and end by calling `wakeup()`.
 */
import type { Clock, Scheduler, TimerHandle } from '../../common/index.js';
import { tpKey } from '../../common/index.js';
import type { Cluster } from '../cluster.js';
import { asClientError, KafkaClientError, brokerError, isStaleMetadata } from '../errors.js';
import type { ProduceRequest, ProduceResponse, ProducePartitionResponse } from '../api-types.js';
import { API, encodeRecordBatch, errorInfo } from '../wire.js';
import type { PartitionQueue, RecordAccumulator } from './accumulator.js';
import type { ProducerBatch } from './batch.js';
import type { IdempotenceManager } from './idempotence.js';
import type { TransactionManager } from './transaction-manager.js';
import { BatchCompletion } from './batch-completion.js';

interface SenderOptions {
  acks: -1 | 0 | 1;
  requestTimeoutMs: number;
  maxInFlightRequestsPerConnection: number;
  maxRequestSize: number;
  retries: number;
  retryBackoffMs: number;
  deliveryTimeoutMs: number;
  /** Refresh metadata at least this often even without errors (metadata.max.age.ms). */
  metadataMaxAgeMs?: number;
  /** protocol CompressionType number. */
  compression: number;
  clock: Clock;
  scheduler: Scheduler;
  /** Reports errors no caller is waiting for (e.g. InitProducerId failing). */
  onBackgroundError?: (err: KafkaClientError) => void;
}

const DUPLICATE_SEQUENCE_NUMBER = 46;

export class Sender {
  private readonly inFlightByNode = new Map<number, number>();
  private scheduled = false;
  private timer: TimerHandle | undefined;
  private timerDueMs = Infinity;
  private lastMetadataRefreshMs = -Infinity;
  private metadataRefreshing = false;
  private initFailures = 0;
  private stopped = false;
  /** Requests in flight across all brokers. */
  inFlightRequests = 0;

  constructor(
    private readonly acc: RecordAccumulator,
    private readonly cluster: Cluster,
    private readonly opts: SenderOptions,
    private idempotence: IdempotenceManager | undefined,
    /** Idempotence was the default, not asked for: drop it if the cluster lacks InitProducerId. */
    private readonly idempotenceOptional = false,
    /** Transactional: partitions are added to the transaction before their first batch goes. */
    private readonly txn?: TransactionManager,
  ) {
    this.outcome = new BatchCompletion({ acc, opts, txn, idempotence: () => this.idempotence, stopped: () => this.stopped });
  }

  private readonly outcome: BatchCompletion;

  /** Run soon (once per turn of the event loop, however many times it is called). */
  wakeup(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.run();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.opts.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueMs = Infinity;
  }

  run(): void {
    if (this.stopped) return;
    try {
      this.runOnce();
    } catch (err) {
      // A bug must not become an uncaught exception in a timer; report it and keep going.
      this.opts.onBackgroundError?.(asClientError(err));
      this.armTimer(this.opts.clock.now(), this.opts.retryBackoffMs);
    }
  }

  private runOnce(): void {
    const now = this.opts.clock.now();
    for (const batch of this.acc.expired(now, this.opts.deliveryTimeoutMs)) {
      this.outcome.fail(batch, this.outcome.deliveryTimeout(batch));
    }
    const idem = this.idempotence;
    const txn = this.txn;
    if (txn !== undefined) {
      // A transaction that can no longer take records fails what is still queued.
      const txnError = txn.sendError();
      if (txnError !== undefined) for (const b of this.acc.drainAll()) this.outcome.fail(b, txnError);
      if (txn.hasPendingPartitions) void txn.addPendingPartitions().then(() => this.wakeup());
    }
    if (idem !== undefined && !idem.hasProducerId) {
      // A transactional producer gets its id from its transaction coordinator (initOnce), not here.
      if (this.acc.hasQueued() && txn === undefined) this.initProducerId();
      return;
    }
    let needMetadata = false;
    // Idempotence: a retry goes only when its partition has nothing else in flight; nothing goes while older-id batches are.
    const retryBlocked = (q: PartitionQueue) => idem !== undefined && q.inFlight.size > 0 && (q.batches[0]!.attempts > 0 || this.hasStaleInFlight(q, idem));
    const { partitions, nextReadyInMs } = this.acc.ready(now, (q) => {
      if (this.cluster.leaderFor(q.topic, q.partition) === undefined) {
        needMetadata = true;
        return false;
      }
      return !retryBlocked(q) && (txn === undefined || txn.isSendAllowed(q.topic, q.partition));
    });
    const byNode = new Map<number, PartitionQueue[]>();
    for (const q of partitions) {
      const node = this.cluster.leaderFor(q.topic, q.partition)!;
      let list = byNode.get(node);
      if (list === undefined) byNode.set(node, (list = []));
      list.push(q);
    }
    let more = false;
    for (const [node, queues] of byNode) {
      // Fill the broker's in-flight window: a backlog goes out without waiting for answers.
      while ((this.inFlightByNode.get(node) ?? 0) < this.opts.maxInFlightRequestsPerConnection) {
        const sendable = queues.filter((q) => this.acc.sendable(q, now) && !retryBlocked(q) && (txn === undefined || txn.isSendAllowed(q.topic, q.partition)));
        const batches = sendable.length === 0 ? [] : this.collect(sendable, now);
        if (batches.length === 0) break;
        this.sendProduce(node, batches, now);
      }
      if (queues.some((q) => this.acc.sendable(q, now))) more = true;
    }
    const maxAge = this.opts.metadataMaxAgeMs ?? 300_000;
    if (needMetadata || now - this.cluster.lastRefreshMs >= maxAge) this.refreshMetadata(now);
    let delay = nextReadyInMs;
    if (needMetadata) delay = Math.min(delay, Math.max(0, this.lastMetadataRefreshMs + this.opts.retryBackoffMs - now));
    if (more && this.inFlightRequests === 0) delay = Math.min(delay, this.opts.retryBackoffMs);
    this.armTimer(now, delay);
  }

  private collect(queues: PartitionQueue[], now: number): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    let size = 0;
    for (const q of queues) {
      const head = q.batches[0];
      if (head === undefined) continue;
      if (out.length > 0 && size + head.sizeBytes > this.opts.maxRequestSize) break;
      const batch = this.acc.poll(q)!;
      try {
        this.prepare(batch);
      } catch (err) {
        // Its sequence numbers were taken but will never reach the broker: start over.
        if (batch.baseSequence >= 0 && this.txn === undefined && this.idempotence?.isCurrent(batch) === true) this.idempotence.bumpEpoch();
        else if (batch.baseSequence >= 0) this.txn?.onBatchFailed(asClientError(err), true);
        this.outcome.fail(batch, new KafkaClientError('CLI_SERIALIZATION', `cannot encode a batch for ${batch.topic}/${batch.partition}`, { cause: err }));
        continue;
      }
      batch.attempts++;
      batch.lastAttemptMs = now;
      q.inFlight.add(batch);
      size += batch.encoded!.length;
      out.push(batch);
    }
    return out;
  }

  /** Encode once; a retry under an older producer id keeps its stamp unless its sequence was lost or a transaction aborted (idempotence.ts). */
  private prepare(batch: ProducerBatch): void {
    const idem = this.idempotence;
    if (batch.encoded !== undefined && (idem === undefined || idem.isCurrent(batch) || (this.txn === undefined && !batch.resequence))) return;
    batch.resequence = false;
    idem?.assign(batch);
    batch.encoded = encodeRecordBatch(batch.records, {
      compression: this.opts.compression as never,
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      baseSequence: batch.baseSequence,
      transactional: this.txn !== undefined,
    });
  }

  private sendProduce(node: number, batches: ProducerBatch[], now: number): void {
    const topicData = new Map<string, Array<{ index: number; records: Buffer }>>();
    for (const b of batches) {
      let list = topicData.get(b.topic);
      if (list === undefined) topicData.set(b.topic, (list = []));
      list.push({ index: b.partition, records: b.encoded! });
    }
    const request: ProduceRequest = {
      transactionalId: this.txn?.transactionalId ?? null,
      acks: this.opts.acks,
      timeoutMs: this.opts.requestTimeoutMs,
      topicData: [...topicData].map(([name, partitionData]) => ({ name, partitionData })),
    };
    this.inFlightByNode.set(node, (this.inFlightByNode.get(node) ?? 0) + 1);
    this.inFlightRequests++;
    const expectResponse = this.opts.acks !== 0;
    let sent: Promise<ProduceResponse | undefined>;
    try {
      sent = this.cluster.connectionFor(node).send<ProduceResponse>(API.Produce, request, { expectResponse });
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent
      .then(
        (res) => this.onResponse(batches, res, now),
        (err: unknown) => this.onRequestError(batches, err),
      )
      .finally(() => {
        this.inFlightByNode.set(node, (this.inFlightByNode.get(node) ?? 1) - 1);
        this.inFlightRequests--;
        this.wakeup();
      })
      .catch((err: unknown) => this.opts.onBackgroundError?.(asClientError(err)));
  }

  private onResponse(batches: ProducerBatch[], res: ProduceResponse | undefined, sentMs: number): void {
    const byKey = new Map<string, ProducePartitionResponse>();
    for (const t of res?.responses ?? []) for (const p of t.partitionResponses) byKey.set(tpKey(t.name, p.index), p);
    let stale = false;
    for (const batch of batches) {
      this.acc.queue(batch.topic, batch.partition).inFlight.delete(batch);
      if (res === undefined) {
        this.outcome.succeed(batch, -1n, -1n); // acks=0: nothing to wait for
        continue;
      }
      const p = byKey.get(tpKey(batch.topic, batch.partition));
      if (p === undefined) {
        this.outcome.retryOrFail(batch, new KafkaClientError('CLI_PROTOCOL', `no response for ${batch.topic}/${batch.partition}`, { retriable: true }));
        continue;
      }
      if (p.errorCode === 0) {
        this.outcome.succeed(batch, p.baseOffset, p.logAppendTimeMs ?? -1n);
        continue;
      }
      if (p.errorCode === DUPLICATE_SEQUENCE_NUMBER && this.idempotence !== undefined) {
        this.outcome.succeed(batch, -1n, -1n); // written before; the broker no longer knows its offset
        continue;
      }
      const err = brokerError(errorInfo(p.errorCode), `produce to ${batch.topic}/${batch.partition}`);
      if (isStaleMetadata(err)) stale = true;
      if (batch.abandoned !== undefined) this.outcome.fail(batch, batch.abandoned);
      else this.outcome.onError(batch, err);
    }
    if (stale) this.refreshMetadata(sentMs, true);
  }

  private hasStaleInFlight(q: PartitionQueue, idem: IdempotenceManager): boolean {
    for (const b of q.inFlight) if (!idem.isCurrent(b)) return true;
    return false;
  }

  private onRequestError(batches: ProducerBatch[], error: unknown): void {
    const err = asClientError(error);
    for (const batch of batches) {
      this.acc.queue(batch.topic, batch.partition).inFlight.delete(batch);
      if (batch.abandoned !== undefined) this.outcome.fail(batch, batch.abandoned);
      else this.outcome.retryOrFail(batch, err);
    }
    if (isStaleMetadata(err)) this.refreshMetadata(this.opts.clock.now(), true);
  }

  private initProducerId(): void {
    const idem = this.idempotence;
    if (idem === undefined) return;
    idem.init(this.cluster).then(
      () => {
        this.initFailures = 0;
        this.wakeup();
      },
      (err: unknown) => {
        this.initFailures++;
        const e = asClientError(err);
        if (e.code === 'CLI_UNSUPPORTED_VERSION' && this.idempotenceOptional) {
          // As Kafka ≥ 3.2 does when idempotence is only the default: carry on without it.
          this.idempotence = undefined;
          this.opts.onBackgroundError?.(new KafkaClientError('CLI_UNSUPPORTED_VERSION', 'the cluster does not support InitProducerId: idempotence disabled', { cause: e }));
          this.wakeup();
          return;
        }
        if (!e.retriable) {
          // Nothing can be sent idempotently: fail what is queued rather than spin.
          for (const b of this.acc.drainAll()) this.outcome.fail(b, e);
          this.opts.onBackgroundError?.(e);
        }
        this.armTimer(this.opts.clock.now(), Math.min(this.opts.retryBackoffMs * this.initFailures, 1000));
      },
    );
  }

  private refreshMetadata(now: number, force = false): void {
    if (this.metadataRefreshing) return;
    if (!force && now - this.lastMetadataRefreshMs < this.opts.retryBackoffMs) return;
    this.metadataRefreshing = true;
    this.lastMetadataRefreshMs = now;
    this.cluster
      .refreshMetadata()
      .catch((err: unknown) => this.opts.onBackgroundError?.(asClientError(err)))
      .finally(() => {
        this.metadataRefreshing = false;
        this.wakeup();
      });
  }

  private armTimer(now: number, delayMs: number): void {
    if (this.stopped || !Number.isFinite(delayMs)) return;
    const due = now + Math.max(0, delayMs);
    if (this.timer !== undefined && this.timerDueMs <= due) return;
    if (this.timer !== undefined) this.opts.scheduler.clearTimeout(this.timer);
    this.timerDueMs = due;
    this.timer = this.opts.scheduler.setTimeout(() => {
      this.timer = undefined;
      this.timerDueMs = Infinity;
      this.run();
    }, Math.max(0, delayMs));
  }
}
