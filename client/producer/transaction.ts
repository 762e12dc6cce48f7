/**
 * One transaction of a transactional producer (`producer.transaction()`): records sent through it
 * (or through the producer while it is open) become visible to read_committed consumers together
 * at commit(), or never after abort(). sendOffsets() commits a consumer group's offsets inside it
 * (consume-transform-produce). A handle is good for one transaction: once it ended, its calls fail
 * with CLI_TXN_STATE.
 */
import { KafkaClientError } from '../errors.js';
import type { RecordMetadata } from './batch.js';
import type { Producer, ProducerRecord } from './producer.js';
import type { ConsumerGroupMetadata, TopicPartitionOffset, TransactionManager } from './transaction-manager.js';

export class Transaction<K = unknown, V = unknown> {
  private readonly generation: number;

  constructor(
    private readonly producer: Producer<K, V>,
    private readonly txn: TransactionManager,
  ) {
    this.generation = txn.generation;
  }

  /** Still the producer's open transaction (not committed or aborted)? */
  get isActive(): boolean {
    return this.generation === this.txn.generation && (this.txn.state === 'IN_TRANSACTION' || this.txn.state === 'ABORTABLE_ERROR');
  }

  send(record: ProducerRecord<K, V>): Promise<RecordMetadata> {
    try {
      this.check('send');
    } catch (err) {
      return Promise.reject(err);
    }
    return this.producer.send(record);
  }

  sendBatch(records: ReadonlyArray<ProducerRecord<K, V>>): Promise<RecordMetadata[]> {
    try {
      this.check('sendBatch');
    } catch (err) {
      return Promise.reject(err);
    }
    return this.producer.sendBatch(records);
  }

  /**
   * Commit the consumer's offsets with this transaction: `offsets` are the next offsets to read;
   * `group` is `consumer.groupMetadata()`, whose generation and member id let the group
   * coordinator refuse a member that was rebalanced away (KIP-447).
   */
  sendOffsets(offsets: readonly TopicPartitionOffset[], group: ConsumerGroupMetadata): Promise<void> {
    this.check('sendOffsets');
    return this.txn.sendOffsets(offsets, group);
  }

  /** Deliver every record, then commit. A failure leaves the transaction to abort (or, fatal, the producer to close). */
  async commit(): Promise<void> {
    this.check('commit');
    await this.txn.commit(() => this.producer.flush());
  }

  /** Drop what is unsent, wait for what is in flight, then abort: none of it is ever read_committed. */
  async abort(): Promise<void> {
    this.check('abort');
    await this.txn.abort(() => this.producer.flush());
  }

  private check(what: string): void {
    if (this.generation !== this.txn.generation) throw new KafkaClientError('CLI_TXN_STATE', `${what}: this transaction has ended`);
  }
}
