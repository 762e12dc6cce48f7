/**
 * Where the coordinator persists `__consumer_offsets` records. The broker backs it with the
 * replicated partition log; tests use the in-memory store below.
 */
export interface OffsetsRecord {
  key: Buffer;
  /** null = tombstone (compaction removes the key). */
  value: Buffer | null;
}

/** A producer's transactional write: the batch carries its id and epoch and the transactional flag. */
export interface TxnProducer {
  producerId: bigint;
  producerEpoch: number;
}

/** A record as a replay reads it back, with what its batch says. */
export interface ReplayedRecord extends OffsetsRecord {
  /** Base offset of the record's batch (Kafka compares commits by it). */
  batchOffset: bigint;
  /** Set when the batch is transactional: the writing producer. */
  producerId?: bigint;
  /** Set for a transaction marker (then key and value are the control record's). */
  control?: 'COMMIT' | 'ABORT';
}

export interface OffsetsStore {
  /**
   * Append atomically (one batch) to one partition; resolve with the batch's base offset once
   * durable (acks=all). With `txn`, the batch is transactional for that producer. Reject when not
   * durable; an OffsetsLogError carrying the append's Kafka error (e.g. NOT_LEADER_OR_FOLLOWER,
   * NOT_ENOUGH_REPLICAS) is mapped as Kafka maps it.
   */
  append(partition: number, records: OffsetsRecord[], txn?: TxnProducer): Promise<bigint>;
  /** Every record of the partition in log order, up to its current end, transaction markers included. */
  replay(partition: number): AsyncIterable<ReplayedRecord>;
}

/** A log per partition kept in memory (one offset per record), with optional failure injection for tests. */
export class InMemoryOffsetsStore implements OffsetsStore {
  readonly logs = new Map<number, ReplayedRecord[]>();
  /** When set, the next appends reject with this error (tests of persistence failures). */
  failNextAppend: Error | null = null;
  /** When set, appends wait for this promise before becoming durable. */
  appendGate: Promise<void> | null = null;

  async append(partition: number, records: OffsetsRecord[], txn?: TxnProducer): Promise<bigint> {
    if (this.appendGate !== null) await this.appendGate;
    if (this.failNextAppend !== null) {
      const err = this.failNextAppend;
      this.failNextAppend = null;
      throw err;
    }
    const log = this.logs.get(partition) ?? [];
    const batchOffset = BigInt(log.length);
    for (const r of records) {
      log.push({ key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value), batchOffset, ...(txn ? { producerId: txn.producerId } : {}) });
    }
    this.logs.set(partition, log);
    return batchOffset;
  }

  /** A transaction marker, as a partition leader writes it for the coordinator. */
  appendMarker(partition: number, producerId: bigint, commit: boolean): void {
    const log = this.logs.get(partition) ?? [];
    log.push({ key: Buffer.alloc(0), value: null, batchOffset: BigInt(log.length), producerId, control: commit ? 'COMMIT' : 'ABORT' });
    this.logs.set(partition, log);
  }

  async *replay(partition: number): AsyncIterable<ReplayedRecord> {
    const log = [...(this.logs.get(partition) ?? [])];
    for (const r of log) yield r;
  }

  records(partition: number): ReplayedRecord[] {
    return this.logs.get(partition) ?? [];
  }
}
