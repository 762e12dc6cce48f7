/**
 * Per-partition producer state of idempotent producers (Kafka's ProducerStateManager): for each
 * producer id its epoch and the metadata of its last 5 batches. A leader append from a client is
 * checked against it first: a batch equal to one of the 5 (same epoch, first and last sequence)
 * is a retry whose response was lost and is answered with the original offsets instead of being
 * written again; a gap in sequences or an older epoch is refused. Replicated and replayed batches
 * update the state without checks (the leader already decided).
 */
import { decodeEndTxnMarker, isControlBatch, isTransactional, iterateRecords, type EndTxnMarker } from '../protocol/index.js';
import type { BatchHeader } from './batch-check.js';
import { StorageError } from './errors.js';

/** Kafka's ProducerStateEntry.NumBatchesToRetain: as many as a producer may have in flight. */
export const NUM_BATCHES_TO_RETAIN = 5;
export const NO_PRODUCER_EPOCH = -1;
const NO_SEQUENCE = -1;
const INT32_MAX = 0x7fffffff;

export interface BatchMetadata {
  lastSeq: number;
  lastOffset: bigint;
  /** lastOffset - firstOffset, equal to lastSeq - firstSeq (modulo the int32 wrap). */
  offsetDelta: number;
  /** The batch's max timestamp as written (the append time with LogAppendTime). */
  timestamp: bigint;
}

export interface ProducerStateEntry {
  producerId: bigint;
  producerEpoch: number;
  /** Oldest first, at most NUM_BATCHES_TO_RETAIN, all of `producerEpoch`. */
  batches: BatchMetadata[];
  /** Max timestamp of the producer's latest batch (the snapshot's `timestamp`). */
  lastTimestamp: bigint;
  /**
   * Broker clock (ms) of the producer's latest append, or of loading the state: idleness is
   * measured from here. Kafka measures from lastTimestamp, a record time, which expires a
   * producer writing old timestamps at once; a restart here restarts the idle timer instead.
   */
  lastUpdateMs: number;
  /** Coordinator epoch of the producer's last marker here (-1 before any): older coordinators are fenced. */
  coordinatorEpoch: number;
  /** First offset of the producer's ongoing transaction, -1 when none is open. */
  currentTxnFirstOffset: bigint;
}

/** The batch fields producer state needs, with the offsets the batch has (or will have) in the log. */
export interface ProducerBatch {
  header: Pick<BatchHeader, 'producerId' | 'producerEpoch' | 'baseSequence' | 'lastOffsetDelta' | 'attributes'>;
  baseOffset: bigint;
  maxTimestamp: bigint;
  /** For a control batch: the transaction marker it holds (undefined for another control type). */
  marker?: EndTxnMarker;
}

/** The transaction marker a control batch holds (its one record), undefined for any other batch. */
export function controlMarkerOf(header: Pick<BatchHeader, 'attributes'>, batch: Buffer): EndTxnMarker | undefined {
  if (!isControlBatch(header.attributes)) return undefined;
  for (const r of iterateRecords(batch)) return decodeEndTxnMarker(r.key, r.value);
  return undefined;
}

/** A transaction ended by a marker (Kafka's CompletedTxn). */
export interface CompletedTxn {
  producerId: bigint;
  /** First offset of the transaction's data; the marker's own offset when it had none here. */
  firstOffset: bigint;
  /** The marker's offset. */
  lastOffset: bigint;
  aborted: boolean;
}

/** The original placement of a retried batch. */
export interface DuplicateBatch {
  firstOffset: bigint;
  lastOffset: bigint;
  timestamp: bigint;
}

/** `sequence + increment` wrapping from Int32.MAX to 0 (Kafka's DefaultRecordBatch.incrementSequence). */
function incrementSequence(sequence: number, increment: number): number {
  return sequence > INT32_MAX - increment ? increment - (INT32_MAX - sequence) - 1 : sequence + increment;
}

function decrementSequence(sequence: number, decrement: number): number {
  return sequence < decrement ? INT32_MAX - (decrement - sequence) + 1 : sequence - decrement;
}

function firstSeqOf(b: BatchMetadata): number {
  return decrementSequence(b.lastSeq, b.offsetDelta);
}

function firstOffsetOf(b: BatchMetadata): bigint {
  return b.lastOffset - BigInt(b.offsetDelta);
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

function lastSeqOfBatch(h: ProducerBatch['header']): number {
  return incrementSequence(h.baseSequence, h.lastOffsetDelta);
}

interface ProducerStateOptions {
  /** `producer.id.expiration.ms`: a producer idle this long (by its batches' timestamps) is forgotten. */
  producerIdExpirationMs: number;
}

export class ProducerStateManager {
  private readonly producers = new Map<bigint, ProducerStateEntry>();

  constructor(private readonly o: ProducerStateOptions) {}

  get producerIdExpirationMs(): number {
    return this.o.producerIdExpirationMs;
  }

  get size(): number {
    return this.producers.size;
  }

  entry(producerId: bigint): Readonly<ProducerStateEntry> | undefined {
    return this.producers.get(producerId);
  }

  /** Every entry, producer id ascending (snapshots and tools). */
  entries(): ProducerStateEntry[] {
    return [...this.producers.values()].sort((a, b) => (a.producerId < b.producerId ? -1 : a.producerId > b.producerId ? 1 : 0));
  }

  clear(): void {
    this.producers.clear();
  }

  /** Replaces the whole state (loading a snapshot); the idle timers start at `nowMs`. */
  load(entries: readonly ProducerStateEntry[], nowMs: number): void {
    this.producers.clear();
    for (const e of entries) this.producers.set(e.producerId, { ...e, batches: e.batches.slice(-NUM_BATCHES_TO_RETAIN), lastUpdateMs: nowMs });
  }

  /**
   * Checks a leader append from a client before anything is written. Returns the original
   * offsets when every batch is a retry of a cached one; undefined when the batches may be
   * appended; throws STG_INVALID_PRODUCER_EPOCH / STG_OUT_OF_ORDER_SEQUENCE otherwise. Batches
   * of one append are checked in order, each continuing the sequence of the one before.
   */
  checkLeaderAppend(batches: readonly ProducerBatch[]): DuplicateBatch | undefined {
    const pending = new Map<bigint, { epoch: number; lastSeq: number }>();
    const duplicates: DuplicateBatch[] = [];
    let fresh = 0;
    for (const b of batches) {
      const h = b.header;
      if (h.producerId < 0n || isControlBatch(h.attributes)) {
        fresh++;
        continue;
      }
      const stored = this.producers.get(h.producerId);
      const dup = pending.has(h.producerId) ? undefined : stored && findDuplicate(stored, h);
      if (dup) {
        duplicates.push({ firstOffset: firstOffsetOf(dup), lastOffset: dup.lastOffset, timestamp: dup.timestamp });
        continue;
      }
      fresh++;
      const current = pending.get(h.producerId) ?? (stored && stored.producerEpoch !== NO_PRODUCER_EPOCH
        ? { epoch: stored.producerEpoch, lastSeq: stored.batches.at(-1)?.lastSeq ?? NO_SEQUENCE }
        : undefined);
      checkSequence(h, current);
      pending.set(h.producerId, { epoch: h.producerEpoch, lastSeq: lastSeqOfBatch(h) });
    }
    if (duplicates.length === 0) return undefined;
    if (fresh > 0) {
      // Real clients send one batch per partition; a retry glued to new data cannot be half-written.
      throw new StorageError('STG_OUT_OF_ORDER_SEQUENCE', 'an append mixes retried (duplicate) batches with new ones');
    }
    const first = duplicates[0]!;
    const last = duplicates.at(-1)!;
    return { firstOffset: first.firstOffset, lastOffset: last.lastOffset, timestamp: last.timestamp };
  }

  /**
   * A marker from the transaction coordinator (Kafka's appendEndTxnMarker checks): refused for a
   * producer epoch older than the partition's (STG_INVALID_PRODUCER_EPOCH) or from a coordinator
   * epoch older than the last marker's (STG_TXN_COORDINATOR_FENCED). Nothing is written then.
   */
  checkMarker(producerId: bigint, producerEpoch: number, marker: EndTxnMarker): void {
    const e = this.producers.get(producerId);
    if (e === undefined) return;
    if (producerEpoch < e.producerEpoch) {
      throw new StorageError('STG_INVALID_PRODUCER_EPOCH', `${marker.type} marker of producer ${producerId} at epoch ${producerEpoch}, older than the current ${e.producerEpoch}`);
    }
    if (marker.coordinatorEpoch < e.coordinatorEpoch) {
      throw new StorageError('STG_TXN_COORDINATOR_FENCED', `${marker.type} marker of producer ${producerId} from coordinator epoch ${marker.coordinatorEpoch}, older than ${e.coordinatorEpoch}`);
    }
  }

  /**
   * The first offset of the oldest transaction still open in this partition (Kafka's
   * firstUnstableOffset), undefined when none is: the last stable offset cannot pass it.
   */
  firstUnstableOffset(): bigint | undefined {
    let first: bigint | undefined;
    for (const e of this.producers.values()) {
      if (e.currentTxnFirstOffset >= 0n && (first === undefined || e.currentTxnFirstOffset < first)) first = e.currentTxnFirstOffset;
    }
    return first;
  }

  /**
   * Records a batch now in the log (leader, follower, replay), appended at broker time `nowMs`:
   * no checks. A transactional batch opens its producer's transaction; a marker closes it and
   * returns it.
   */
  update(b: ProducerBatch, nowMs: number): CompletedTxn | undefined {
    const h = b.header;
    if (h.producerId < 0n) return undefined;
    let e = this.producers.get(h.producerId);
    if (e === undefined) {
      e = { producerId: h.producerId, producerEpoch: NO_PRODUCER_EPOCH, batches: [], lastTimestamp: -1n, lastUpdateMs: nowMs, coordinatorEpoch: -1, currentTxnFirstOffset: -1n };
      this.producers.set(h.producerId, e);
    }
    e.lastUpdateMs = nowMs;
    // A new epoch (even a lower one from a replica, as Kafka) starts a fresh sequence history.
    if (h.producerEpoch !== e.producerEpoch) {
      e.producerEpoch = h.producerEpoch;
      e.batches = [];
    }
    e.lastTimestamp = b.maxTimestamp;
    // Control batches (transaction markers) carry no sequence.
    if (isControlBatch(h.attributes)) {
      if (b.marker === undefined) return undefined;
      e.coordinatorEpoch = b.marker.coordinatorEpoch;
      const firstOffset = e.currentTxnFirstOffset >= 0n ? e.currentTxnFirstOffset : b.baseOffset;
      e.currentTxnFirstOffset = -1n;
      return { producerId: h.producerId, firstOffset, lastOffset: b.baseOffset, aborted: b.marker.type === 'ABORT' };
    }
    if (isTransactional(h.attributes) && e.currentTxnFirstOffset < 0n) e.currentTxnFirstOffset = b.baseOffset;
    const lastOffset = b.baseOffset + BigInt(h.lastOffsetDelta);
    e.batches.push({ lastSeq: lastSeqOfBatch(h), lastOffset, offsetDelta: h.lastOffsetDelta, timestamp: b.maxTimestamp });
    if (e.batches.length > NUM_BATCHES_TO_RETAIN) e.batches.shift();
    return undefined;
  }

  /** Forgets producers idle for producerIdExpirationMs. Returns how many. */
  removeExpired(nowMs: number): number {
    let removed = 0;
    for (const [pid, e] of this.producers) {
      if (e.currentTxnFirstOffset < 0n && nowMs - e.lastUpdateMs >= this.o.producerIdExpirationMs) {
        this.producers.delete(pid);
        removed++;
      }
    }
    return removed;
  }

  /**
   * The log start moved to `logStartOffset`: producers whose last batch is gone are forgotten
   * (their next batch is then accepted at any sequence, as Kafka), others keep batches still in the log.
   */
  pruneBefore(logStartOffset: bigint): void {
    for (const [pid, e] of this.producers) {
      // A producer with an open transaction is kept: its marker must still close it.
      if (e.currentTxnFirstOffset >= 0n) continue;
      const last = e.batches.at(-1);
      if (last === undefined || last.lastOffset < logStartOffset) {
        this.producers.delete(pid);
        continue;
      }
      e.batches = e.batches.filter((b) => b.lastOffset >= logStartOffset);
    }
  }
}

function findDuplicate(e: ProducerStateEntry, h: ProducerBatch['header']): BatchMetadata | undefined {
  if (h.producerEpoch !== e.producerEpoch) return undefined;
  const last = lastSeqOfBatch(h);
  return e.batches.find((b) => b.lastSeq === last && firstSeqOf(b) === h.baseSequence);
}

function checkSequence(h: ProducerBatch['header'], current: { epoch: number; lastSeq: number } | undefined): void {
  // Unknown producer (new, expired, or all its batches deleted): any sequence is accepted (Kafka ≥ 2.5).
  if (current === undefined) return;
  if (h.producerEpoch < current.epoch) {
    throw new StorageError('STG_INVALID_PRODUCER_EPOCH', `producer ${h.producerId} epoch ${h.producerEpoch} is older than the current ${current.epoch}`);
  }
  if (h.producerEpoch > current.epoch) {
    if (h.baseSequence !== 0) {
      throw new StorageError('STG_OUT_OF_ORDER_SEQUENCE', `producer ${h.producerId} new epoch ${h.producerEpoch} must start at sequence 0, got ${h.baseSequence}`);
    }
    return;
  }
  if (!inSequence(current.lastSeq, h.baseSequence)) {
    throw new StorageError(
      'STG_OUT_OF_ORDER_SEQUENCE',
      `producer ${h.producerId} epoch ${h.producerEpoch}: sequence ${h.baseSequence} does not follow ${current.lastSeq}`,
    );
  }
}
