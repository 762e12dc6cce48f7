/**
 * Writes a flow's offset syncs to `mm2-offset-syncs.<target>.internal` on the source, strictly in
 * the order they were queued (translation depends on the order of a partition's syncs), and
 * tells when everything queued so far is durable. A sync that cannot be written breaks what the
 * syncs after it promise (contiguity since the previous one), so it is reported to the flow,
 * which restarts its tasks: their first syncs supersede the broken history.
 */
import type { Producer } from '../producer/producer.js';
import { encodeOffsetSync, type OffsetSync } from './formats.js';
import type { FlowMetrics } from './metrics.js';

export class OffsetSyncWriter {
  private queue: OffsetSync[] = [];
  private draining: Promise<void> | undefined;
  private failure: unknown;
  /** Settles when the newest sync handed to the producer is acknowledged (in order: one partition, idempotent). */
  private lastDelivery: Promise<void> = Promise.resolve();

  constructor(
    private readonly producer: Producer<Buffer, Buffer>,
    private readonly topic: string,
    private readonly metrics: FlowMetrics,
    private readonly onFailure: (err: unknown) => void,
  ) {}

  emit(sync: OffsetSync): void {
    this.queue.push(sync);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /**
   * Resolves when every sync emitted so far is acknowledged (not later ones: under load the
   * producer is never empty); rejects if one could not be written.
   */
  async flush(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
    await this.lastDelivery;
    if (this.failure !== undefined) {
      const err = this.failure;
      this.failure = undefined;
      throw err;
    }
  }

  private async drain(): Promise<void> {
    // Yield once so a burst of emits is drained in one go.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      for (const s of batch) {
        const { key, value } = encodeOffsetSync(s);
        const record = { topic: this.topic, partition: 0, key, value };
        let delivered!: () => void;
        this.lastDelivery = new Promise<void>((resolve) => (delivered = resolve));
        const done = (err: unknown): void => {
          if (err !== null) {
            if (this.failure === undefined) this.onFailure(err);
            this.failure ??= err;
          } else this.metrics.counters.offsetSyncs++;
          delivered();
        };
        try {
          this.producer.produce(record, done);
        } catch {
          // No metadata yet or a full buffer: wait for this one (nothing overtakes it).
          await this.producer.send(record).then(
            () => done(null),
            (err: unknown) => done(err),
          );
        }
      }
    }
  }
}
