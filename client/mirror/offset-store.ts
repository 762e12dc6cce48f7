/**
 * Where the source tasks of a flow resume: the last mirrored upstream offset of every source
 * partition, kept in `mm2-offsets.<source>.internal` on the target cluster in Kafka Connect's
 * format (so a restarted mirror, or Kafka's own MM2, continues where this one stopped). Read to
 * the end once at start; afterwards the in-memory map is the truth and every write goes to the
 * topic first (a write resolves once the target acknowledged it).
 *
 * At-least-once, a task commits through `write` after its records are acknowledged. Exactly-once
 * (exactly.once.source.support), a task sends `recordsFor(...)` in the transaction that carries
 * the mirrored records and calls `remember` once it committed. The topic is read read_committed:
 * positions of an aborted (or never finished) transaction are never resumed from.
 */
import type { Producer, ProducerRecord } from '../producer/producer.js';
import { decodeSourceOffsetKey, decodeSourceOffsetValue, encodeSourceOffsetKey, encodeSourceOffsetValue } from './formats.js';
import { TopicReader } from './internal-topics.js';

export interface SourceOffset {
  topic: string;
  partition: number;
  /** The last upstream offset mirrored (the task resumes at offset + 1). */
  offset: bigint;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class SourceOffsetStore {
  private readonly offsets = new Map<string, bigint>();

  constructor(
    private readonly sourceAlias: string,
    private readonly topic: string,
    private readonly producer: Producer<Buffer, Buffer>,
  ) {}

  async load(brokers: readonly string[], clientId: string): Promise<void> {
    const reader = new TopicReader({
      brokers,
      clientId,
      topic: this.topic,
      isolationLevel: 'read_committed',
      onRecord: (r) => {
        const k = decodeSourceOffsetKey(r.key);
        if (k === undefined || k.cluster !== this.sourceAlias) return;
        const v = decodeSourceOffsetValue(r.value);
        if (v === null) this.offsets.delete(key(k.topic, k.partition));
        else this.offsets.set(key(k.topic, k.partition), v);
      },
    });
    try {
      await reader.readToEnd();
    } finally {
      await reader.close();
    }
  }

  /** The last mirrored upstream offset, or undefined (start from the beginning). */
  get(topic: string, partition: number): bigint | undefined {
    return this.offsets.get(key(topic, partition));
  }

  async write(offsets: readonly SourceOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.producer.sendBatch(this.recordsFor(offsets));
    this.remember(offsets);
  }

  /** The mm2-offsets records that store `offsets` (for a transaction of the caller's producer). */
  recordsFor(offsets: readonly SourceOffset[]): Array<ProducerRecord<Buffer, Buffer>> {
    return offsets.map((o) => ({
      topic: this.topic,
      key: encodeSourceOffsetKey({ cluster: this.sourceAlias, topic: o.topic, partition: o.partition }),
      value: encodeSourceOffsetValue(o.offset),
    }));
  }

  remember(offsets: readonly SourceOffset[]): void {
    for (const o of offsets) this.offsets.set(key(o.topic, o.partition), o.offset);
  }
}
