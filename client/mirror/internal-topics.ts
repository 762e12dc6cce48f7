/**
 * The mirror's internal topics (compacted, one partition, like MM2's) and reading them: a
 * `TopicReader` reads every partition of a topic from the beginning up to the end offsets it saw
 * when it started (Connect's KafkaBasedLog "read to end"), then, if asked, keeps following it.
 */
import { Admin } from '../admin/admin.js';
import type { Scheduler } from '../../common/index.js';
import { systemScheduler } from '../../common/index.js';
import { Consumer, type ConsumerRecord } from '../consumer/consumer.js';
import type { TopicPartition } from '../consumer/fetcher.js';
import { KafkaClientError } from '../errors.js';

export interface InternalTopicSpec {
  topic: string;
  replicationFactor: number;
}

/** Create the topic if it is missing (compacted, one partition). */
export async function ensureInternalTopic(admin: Admin, spec: InternalTopicSpec): Promise<boolean> {
  return admin.createTopics([{ topic: spec.topic, numPartitions: 1, replicationFactor: spec.replicationFactor, configs: { 'cleanup.policy': 'compact' } }]);
}

export interface TopicReaderOptions {
  brokers: readonly string[];
  clientId: string;
  topic: string;
  onRecord: (record: ConsumerRecord) => void;
  /** read_committed: records of open or aborted transactions are not read (the end is the last stable offset). */
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  /** Bound on the initial read to the end. */
  readTimeoutMs?: number;
  scheduler?: Scheduler;
}

export class TopicReader {
  private readonly consumer: Consumer;
  private following: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: TopicReaderOptions) {
    this.consumer = new Consumer({ brokers: opts.brokers, clientId: opts.clientId, autoOffsetReset: 'earliest', fetchMaxWaitMs: 200, maxPollRecords: 5000, isolationLevel: opts.isolationLevel });
  }

  /** Reads from the beginning to the current end of every partition. */
  async readToEnd(): Promise<void> {
    const admin = new Admin({ brokers: this.opts.brokers, clientId: this.opts.clientId });
    let tps: TopicPartition[];
    let ends: Array<{ topic: string; partition: number; offset: bigint }>;
    try {
      const [meta] = await admin.fetchTopicMetadata([this.opts.topic]);
      tps = meta!.partitions.map((p) => ({ topic: this.opts.topic, partition: p.partition }));
      ends = await admin.listOffsets(tps, 'latest');
    } finally {
      admin.close();
    }
    this.consumer.assign(tps);
    this.consumer.seekToBeginning(tps);
    const deadline = Date.now() + (this.opts.readTimeoutMs ?? 60_000);
    for (;;) {
      let behind = false;
      for (const e of ends) if ((await this.consumer.position(e)) < e.offset) behind = true;
      if (!behind) return;
      if (this.stopped) throw new KafkaClientError('CLI_CLOSED', `stopped while reading ${this.opts.topic}`);
      if (Date.now() > deadline) throw new KafkaClientError('CLI_REQUEST_TIMEOUT', `could not read ${this.opts.topic} to its end within ${this.opts.readTimeoutMs ?? 60_000} ms`, { retriable: true });
      for (const r of await this.consumer.poll({ timeoutMs: 500 })) this.opts.onRecord(r);
    }
  }

  /** Keep reading new records until stop(); errors are reported and retried. */
  follow(onError: (err: unknown) => void): void {
    const scheduler = this.opts.scheduler ?? systemScheduler;
    this.following ??= (async () => {
      while (!this.stopped) {
        try {
          for (const r of await this.consumer.poll({ timeoutMs: 500 })) this.opts.onRecord(r);
        } catch (err) {
          if (this.stopped) return;
          onError(err);
          await new Promise<void>((resolve) => scheduler.setTimeout(resolve, 1000));
        }
      }
    })();
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.consumer.close();
    await this.following;
  }
}
