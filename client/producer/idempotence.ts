/**
 * Idempotent producer state (KIP-98): one producer id and epoch from InitProducerId, and a
 * sequence number per partition, assigned when a batch is first sent and kept across retries,
 * so the broker can drop duplicates and refuse gaps. If the sequence state can no longer be
 * trusted (a sent batch expired or could not be encoded, UNKNOWN_PRODUCER_ID, an unexplained
 * OUT_OF_ORDER_SEQUENCE), the producer bumps its epoch and restarts sequences at 0 (KIP-360, as
 * Kafka's idempotent producer since 2.5: locally, without a request; a broker takes a higher
 * epoch of a producer id when its first batch has sequence 0). Only an exhausted epoch (32767)
 * or an INVALID_PRODUCER_EPOCH (someone else moved the id's epoch on) takes a new producer id;
 * so repeated give-ups do not leave one producer-state entry per id on every broker.
 *
 * Batches not sent yet are stamped with the new epoch; a retry of one sent under the old stamp
 * keeps it, so a broker that wrote it answers DUPLICATE_SEQUENCE_NUMBER, unless the broker said
 * its sequence is lost (or, in a transaction, the abort ended the old epoch). A partition sends
 * nothing under the new stamp while batches with the old one are in flight: a later batch would be
 * written ahead of an earlier one that then fails and is sent again (and once a partition has
 * the new epoch, the broker refuses the old one). Kafka's Sender holds back the same way.
 */
import { tpKey } from '../../common/index.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../api-types.js';
import type { Cluster } from '../cluster.js';
import { KafkaClientError, brokerError } from '../errors.js';
import { API, errorInfo } from '../wire.js';
import type { ProducerBatch } from './batch.js';

const MAX_SEQUENCE = 0x7fffffff;
/** Short.MAX_VALUE: the epoch after it would wrap. */
const MAX_EPOCH = 0x7fff;

export class IdempotenceManager {
  producerId = -1n;
  producerEpoch = -1;
  private readonly nextSequence = new Map<string, number>();
  private initializing: Promise<void> | undefined;
  /** Bumped on every new producer id; lets the sender spot batches stamped with an old one. */
  generation = 0;

  get hasProducerId(): boolean {
    return this.producerId >= 0n;
  }

  /** Obtain a producer id (once at a time). Rejects with the broker's error if it refuses. */
  init(cluster: Cluster, transactionTimeoutMs = 60_000): Promise<void> {
    this.initializing ??= (async () => {
      const req: InitProducerIdRequest = { transactionalId: null, transactionTimeoutMs };
      const res = await cluster.withAnyBroker((c) => c.send<InitProducerIdResponse>(API.InitProducerId, req));
      if (res.errorCode !== 0) throw brokerError(errorInfo(res.errorCode), 'InitProducerId');
      this.use(res.producerId, res.producerEpoch);
    })().finally(() => {
      this.initializing = undefined;
    });
    return this.initializing;
  }

  /** Take a producer id and epoch (from InitProducerId): sequences restart at 0. */
  use(producerId: bigint, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.nextSequence.clear();
    this.generation++;
  }

  /**
   * The sequence state is lost: the next epoch of the same producer id, sequences from 0 (KIP-360),
   * or a new producer id once the epoch is exhausted.
   */
  bumpEpoch(): void {
    if (!this.hasProducerId) return;
    if (this.producerEpoch >= MAX_EPOCH) {
      this.reset();
      return;
    }
    this.use(this.producerId, this.producerEpoch + 1);
  }

  /** Forget the producer id: the next send re-initializes and restarts sequences. */
  reset(): void {
    this.producerId = -1n;
    this.producerEpoch = -1;
    this.nextSequence.clear();
  }

  /** Stamp a batch being sent for the first time (or first time under this producer id). */
  assign(batch: ProducerBatch): void {
    if (!this.hasProducerId) throw new KafkaClientError('CLI_PRODUCER_FENCED', 'no producer id', { retriable: true });
    const key = tpKey(batch.topic, batch.partition);
    const seq = this.nextSequence.get(key) ?? 0;
    batch.producerId = this.producerId;
    batch.producerEpoch = this.producerEpoch;
    batch.baseSequence = seq;
    // Sequences wrap to 0 after int32 max, as in Kafka.
    const next = seq + batch.recordCount;
    this.nextSequence.set(key, next > MAX_SEQUENCE ? next - MAX_SEQUENCE - 1 : next);
  }

  /** Does this batch carry the current producer id? (If not, it must be re-stamped.) */
  isCurrent(batch: ProducerBatch): boolean {
    return batch.producerId === this.producerId && batch.producerEpoch === this.producerEpoch;
  }
}
