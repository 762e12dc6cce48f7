/**
 * What becomes of a batch the sender gave up on or got an answer for (Kafka's Sender.completeBatch,
 * failBatch and canRetry, with the idempotent producer's sequence rules): success releases it;
 * a retriable error puts it back in its queue until `retries` or `deliveryTimeoutMs` runs out;
 * sequence errors (UNKNOWN_PRODUCER_ID, INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER)
 * move the producer to its next epoch first (KIP-360); a batch given up for good fails every
 * later batch of its partition, so no batch is ever written after a later one (sender.ts).
 */
import type { Clock } from '../../common/index.js';
import { KafkaClientError } from '../errors.js';
import { isErrorName } from '../../protocol/index.js';
import type { RecordAccumulator } from './accumulator.js';
import type { ProducerBatch } from './batch.js';
import type { IdempotenceManager } from './idempotence.js';
import { isFatalTxnError, type TransactionManager } from './transaction-manager.js';

const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
const UNKNOWN_PRODUCER_ID = 59;
const INVALID_PRODUCER_EPOCH = 47;

/** What batch completion needs of its Sender. */
export interface CompletionHost {
  readonly acc: RecordAccumulator;
  readonly opts: { readonly retries: number; readonly deliveryTimeoutMs: number; readonly clock: Clock };
  readonly txn: TransactionManager | undefined;
  /** The sender drops idempotence when it was only the default and the cluster lacks it. */
  idempotence(): IdempotenceManager | undefined;
  stopped(): boolean;
}

export class BatchCompletion {
  constructor(private readonly h: CompletionHost) {}

  /** A broker's error for `batch`: what it means for the producer's sequence, then retry or fail. */
  onError(batch: ProducerBatch, err: KafkaClientError): void {
    const idem = this.h.idempotence();
    if (this.h.txn !== undefined && idem !== undefined && idem.isCurrent(batch)) {
      // In a transaction, lost sequence state or a fencing ends the transaction (abort takes a new epoch).
      const lost = err.kafkaCode === UNKNOWN_PRODUCER_ID || (err.kafkaCode === OUT_OF_ORDER_SEQUENCE_NUMBER && !this.hasEarlierUnacked(batch));
      if (lost || isFatalTxnError(err)) {
        this.fail(batch, err);
        return;
      }
    }
    if (idem !== undefined) {
      const sequenceError = err.kafkaCode === UNKNOWN_PRODUCER_ID || err.kafkaCode === INVALID_PRODUCER_EPOCH || err.kafkaCode === OUT_OF_ORDER_SEQUENCE_NUMBER;
      if (!idem.isCurrent(batch)) {
        // Sent under a producer id we have since replaced: resent with its stamp (prepare)
        // unless the broker no longer knows that sequence.
        if (sequenceError) batch.resequence = true;
        this.retryOrFail(batch, err, true);
        return;
      }
      if (err.kafkaCode === UNKNOWN_PRODUCER_ID || err.kafkaCode === INVALID_PRODUCER_EPOCH) {
        // The broker lost our state: the next epoch (KIP-360). Refused as an old epoch by the
        // current stamp: someone else moved the id on, so take a new one.
        if (err.kafkaCode === UNKNOWN_PRODUCER_ID) idem.bumpEpoch();
        else idem.reset();
        batch.resequence = true;
        this.retryOrFail(batch, err, true);
        return;
      }
      if (err.kafkaCode === OUT_OF_ORDER_SEQUENCE_NUMBER) {
        // Expected while an earlier batch of the partition is being retried; otherwise the
        // broker lost track of us (e.g. after a truncation): the next epoch, sequences from 0.
        if (!this.hasEarlierUnacked(batch)) {
          idem.bumpEpoch();
          batch.resequence = true;
        }
        this.retryOrFail(batch, err, true);
        return;
      }
    }
    this.retryOrFail(batch, err);
  }

  private hasEarlierUnacked(batch: ProducerBatch): boolean {
    const q = this.h.acc.queue(batch.topic, batch.partition);
    const earlier = (b: ProducerBatch) => b !== batch && b.attempts > 0 && b.baseSequence >= 0 && b.baseSequence < batch.baseSequence;
    return q.batches.some(earlier) || [...q.inFlight].some(earlier);
  }

  retryOrFail(batch: ProducerBatch, err: KafkaClientError, forceRetriable = false): void {
    const now = this.h.opts.clock.now();
    if (this.h.stopped()) {
      this.fail(batch, new KafkaClientError('CLI_CLOSED', 'the producer was closed before the batch was acknowledged', { cause: err }));
    } else if (!(err.retriable || forceRetriable)) {
      this.fail(batch, err);
    } else if (now - batch.createdMs >= this.h.opts.deliveryTimeoutMs) {
      this.fail(batch, this.deliveryTimeout(batch, err));
    } else if (batch.attempts > this.h.opts.retries) {
      this.fail(batch, err);
    } else {
      this.h.acc.reenqueue(batch);
    }
  }

  succeed(batch: ProducerBatch, baseOffset: bigint, logAppendTime: bigint): void {
    batch.complete({ baseOffset, logAppendTime });
    this.h.acc.release(batch);
  }

  fail(batch: ProducerBatch, err: KafkaClientError): void {
    if (batch.done) return; // already failed with an earlier batch of its partition (abandonLaterBatches)
    // A sent batch that is given up leaves a hole in the sequence: the next epoch starts a new one.
    const idem = this.h.idempotence();
    const sequenceLost = idem !== undefined && batch.attempts > 0 && idem.isCurrent(batch);
    if (this.h.txn !== undefined) this.h.txn.onBatchFailed(err, sequenceLost);
    else if (sequenceLost) idem.bumpEpoch();
    batch.fail(err);
    this.h.acc.release(batch);
    if (idem !== undefined && this.h.txn === undefined && batch.baseSequence >= 0) this.abandonLaterBatches(batch, err);
  }

  /**
   * `failed` was sent and is given up: fail what follows it in its partition. (A transaction
   * fails its queued batches through sendError; its abort settles the rest.)
   */
  private abandonLaterBatches(failed: ProducerBatch, cause: KafkaClientError): void {
    const q = this.h.acc.queue(failed.topic, failed.partition);
    // A retry of an earlier sequence under the same stamp may still be written ahead of the hole.
    const earlier = (b: ProducerBatch) => b.producerId === failed.producerId && b.producerEpoch === failed.producerEpoch && b.baseSequence >= 0 && b.baseSequence < failed.baseSequence;
    const err = new KafkaClientError(cause.code, `an earlier batch of ${failed.topic}/${failed.partition} failed, so this one is not written after it: ${cause.message}`, {
      retriable: cause.retriable,
      cause,
      ...(isErrorName(cause.kafkaError) ? { kafkaError: cause.kafkaError } : {}),
      ...(cause.broker === undefined ? {} : { broker: cause.broker }),
    });
    for (const b of q.inFlight) if (!earlier(b)) b.abandoned ??= err;
    const later = q.batches.filter((b) => !earlier(b));
    if (later.length === 0) return;
    q.batches.splice(0, q.batches.length, ...q.batches.filter(earlier));
    for (const b of later) {
      b.fail(err);
      this.h.acc.release(b);
    }
  }

  deliveryTimeout(batch: ProducerBatch, cause?: unknown): KafkaClientError {
    return new KafkaClientError(
      'CLI_DELIVERY_TIMEOUT',
      `${batch.recordCount} record(s) for ${batch.topic}/${batch.partition} not acknowledged within deliveryTimeoutMs (${this.h.opts.deliveryTimeoutMs} ms)`,
      { retriable: true, cause },
    );
  }
}
