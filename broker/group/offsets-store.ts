/**
 * Where the coordinator persists `__consumer_offsets` records. The broker backs it with the
 * replicated partition log; tests use the in-memory store below.
 */
export interface OffsetsRecord {
  key: Buffer;
  /** null = tombstone (compaction removes the key). */
  value: Buffer | null;
}

export interface OffsetsStore {
  /**
   * Append atomically to one `__consumer_offsets` partition; resolve once durable (acks=all).
   * Reject when not durable; an OffsetsLogError carrying the append's Kafka error (e.g.
   * NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS) is mapped as Kafka maps it.
   */
  append(partition: number, records: OffsetsRecord[]): Promise<void>;
  /** Every record of the partition in log order, up to its current end. */
  replay(partition: number): AsyncIterable<OffsetsRecord>;
}

/** A log per partition kept in memory, with optional failure injection for tests. */
export class InMemoryOffsetsStore implements OffsetsStore {
  readonly logs = new Map<number, OffsetsRecord[]>();
  /** When set, the next appends reject with this error (tests of persistence failures). */
  failNextAppend: Error | null = null;
  /** When set, appends wait for this promise before becoming durable. */
  appendGate: Promise<void> | null = null;

  async append(partition: number, records: OffsetsRecord[]): Promise<void> {
    if (this.appendGate !== null) await this.appendGate;
    if (this.failNextAppend !== null) {
      const err = this.failNextAppend;
      this.failNextAppend = null;
      throw err;
    }
    const log = this.logs.get(partition) ?? [];
    for (const r of records) log.push({ key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) });
    this.logs.set(partition, log);
  }

  async *replay(partition: number): AsyncIterable<OffsetsRecord> {
    const log = [...(this.logs.get(partition) ?? [])];
    for (const r of log) yield r;
  }

  records(partition: number): OffsetsRecord[] {
    return this.logs.get(partition) ?? [];
  }
}
