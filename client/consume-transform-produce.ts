/**
 * Exactly-once consume-transform-produce (KIP-98 + KIP-447): a read_committed consumer in a group
 * (no auto commit) and a transactional producer. Each poll's records become one transaction: the
 * transformed records and the consumed offsets (with the consumer's group metadata, so a member
 * rebalanced away is fenced by the group coordinator) commit together or not at all. After an
 * abort the consumer goes back to the first record of the batch in each partition (the committed
 * position), so nothing is skipped; a fatal error (the producer was fenced) ends the loop.
 */
import type { Consumer, ConsumerRecord } from './consumer/consumer.js';
import type { TopicPartition } from './consumer/fetcher.js';
import { asClientError, KafkaClientError } from './errors.js';
import type { Producer, ProducerRecord } from './producer/producer.js';
import type { TopicPartitionOffset } from './producer/transaction-manager.js';
import { tpKey } from '../common/index.js';

export type TransformResult<K, V> = ProducerRecord<K, V> | ReadonlyArray<ProducerRecord<K, V>> | null | undefined;

export interface ConsumeTransformProduceOptions<IK, IV, OK, OV> {
  /** Subscribed, `isolationLevel: 'read_committed'`, `enableAutoCommit: false`. */
  consumer: Consumer<IK, IV>;
  /** With a `transactionalId`. */
  producer: Producer<OK, OV>;
  /** Records to write for one input record (none, one or several). */
  transform: (record: ConsumerRecord<IK, IV>) => TransformResult<OK, OV> | Promise<TransformResult<OK, OV>>;
  /** Stop after the transaction in progress. */
  signal?: AbortSignal;
  pollTimeoutMs?: number;
  /** Called after a transaction was committed (input records, offsets committed). */
  onCommit?: (records: ReadonlyArray<ConsumerRecord<IK, IV>>) => void;
  /** Called after a transaction was aborted because of `err`; the batch will be read again. */
  onAbort?: (err: KafkaClientError) => void;
}

/** Runs until `signal` aborts; rejects on a fatal error (fenced, or an abort that failed). */
export async function consumeTransformProduce<IK, IV, OK, OV>(opts: ConsumeTransformProduceOptions<IK, IV, OK, OV>): Promise<void> {
  const { consumer, producer } = opts;
  if (producer.transactionState === undefined) throw new KafkaClientError('CLI_INVALID_CONFIG', 'consumeTransformProduce needs a transactional producer');
  while (opts.signal?.aborted !== true) {
    const records = await consumer.poll({ timeoutMs: opts.pollTimeoutMs ?? 500 });
    if (records.length === 0) continue;
    const txn = await producer.transaction();
    try {
      const sends: Array<Promise<unknown>> = [];
      for (const r of records) {
        const out = await opts.transform(r);
        if (out === null || out === undefined) continue;
        for (const o of Array.isArray(out) ? (out as ReadonlyArray<ProducerRecord<OK, OV>>) : [out as ProducerRecord<OK, OV>]) {
          // Failures surface through commit(); a rejection must not go unhandled meanwhile.
          const sent = txn.send(o);
          sent.catch(() => undefined);
          sends.push(sent);
        }
      }
      const group = consumer.groupMetadata();
      if (group === undefined) throw new KafkaClientError('CLI_INVALID_CONFIG', 'consumeTransformProduce needs a consumer with a groupId');
      await txn.sendOffsets(nextOffsets(records), group);
      await txn.commit();
      opts.onCommit?.(records);
    } catch (err) {
      const e = asClientError(err);
      if (producer.transactionState === 'FATAL_ERROR') throw e;
      await txn.abort();
      rewind(consumer, records);
      opts.onAbort?.(e);
    }
  }
}

/** Per partition, the offset after the last record: what the group commits. */
export function nextOffsets<K, V>(records: ReadonlyArray<ConsumerRecord<K, V>>): TopicPartitionOffset[] {
  const next = new Map<string, TopicPartitionOffset>();
  for (const r of records) {
    const k = tpKey(r.topic, r.partition);
    const cur = next.get(k);
    if (cur === undefined || r.offset + 1n > cur.offset) next.set(k, { topic: r.topic, partition: r.partition, offset: r.offset + 1n });
  }
  return [...next.values()];
}

/** Seek each partition still assigned back to its first record in `records`. */
function rewind<K, V>(consumer: Consumer<K, V>, records: ReadonlyArray<ConsumerRecord<K, V>>): void {
  const first = new Map<string, { tp: TopicPartition; offset: bigint }>();
  for (const r of records) {
    const k = tpKey(r.topic, r.partition);
    if (!first.has(k)) first.set(k, { tp: { topic: r.topic, partition: r.partition }, offset: r.offset });
  }
  const assigned = new Set(consumer.assignment().map((tp) => tpKey(tp.topic, tp.partition)));
  // A partition taken away meanwhile restarts from its committed offset at its new owner.
  for (const [k, { tp, offset }] of first) if (assigned.has(k)) consumer.seek(tp, offset);
}
