/**
 * `__transaction_state` records in Kafka's binary layouts (TransactionLog): key v0
 * `{version int16, transactional_id string}`, value v0 `{version int16, producer_id int64,
 * producer_epoch int16, transaction_timeout_ms int32, transaction_status int8,
 * transaction_partitions nullable [topic string, partition_ids [int32]], last_update_timestamp_ms
 * int64, start_timestamp_ms int64}`; an Empty transaction writes null partitions. A null value is a
 * tombstone (an expired transactional id). Kafka's tools read what we write and we read theirs
 * (value v1, flexible, is accepted too: the same fields with compact encodings).
 */
import { ProtocolError, Reader, Writer } from '../../protocol/index.js';
import { TxnCoordinatorError } from './errors.js';
import { txnStateFromId, txnStateId, type TopicPartitionRef, type TxnTransit, type TxnState } from './txn-metadata.js';

const KEY_VERSION = 0;
const VALUE_VERSION = 0;

/** What a `__transaction_state` value says (what a load rebuilds a TransactionMetadata from). */
export interface TxnLogValue {
  producerId: bigint;
  producerEpoch: number;
  txnTimeoutMs: number;
  state: TxnState;
  partitions: TopicPartitionRef[];
  txnLastUpdateTimestamp: number;
  txnStartTimestamp: number;
}

function codec<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    throw new TxnCoordinatorError('BRK_TXN_CODEC', `${what}: ${err.message}`, { cause: err });
  }
}

export function encodeTxnLogKey(transactionalId: string): Buffer {
  return codec('__transaction_state key', () => new Writer(32 + transactionalId.length * 3).int16(KEY_VERSION).string(transactionalId).finish());
}

/** The transactional id of a key; throws BRK_TXN_CODEC for another key version (Kafka stores only v0). */
export function decodeTxnLogKey(buf: Buffer): string {
  return codec('__transaction_state key', () => {
    const r = new Reader(buf);
    const version = r.int16();
    if (version !== KEY_VERSION) throw new TxnCoordinatorError('BRK_TXN_CODEC', `unknown __transaction_state key version ${version}`);
    return r.string();
  });
}

export function encodeTxnLogValue(t: TxnTransit): Buffer {
  if (t.state === 'Empty' && t.partitions.length > 0) {
    throw new TxnCoordinatorError('BRK_TXN_ILLEGAL_STATE', `an Empty transaction with ${t.partitions.length} partition(s) cannot be written`);
  }
  const byTopic = new Map<string, number[]>();
  for (const tp of t.partitions) {
    const list = byTopic.get(tp.topic) ?? [];
    list.push(tp.partition);
    byTopic.set(tp.topic, list);
  }
  const groups = t.state === 'Empty' ? null : [...byTopic.entries()];
  return codec('__transaction_state value', () =>
    new Writer(64)
      .int16(VALUE_VERSION)
      .int64(t.producerId)
      .int16(t.producerEpoch)
      .int32(t.txnTimeoutMs)
      .int8(txnStateId(t.state))
      .nullableArray(groups, (w, [topic, partitions]) => w.string(topic).array(partitions, (pw, p) => pw.int32(p)))
      .int64(BigInt(t.txnLastUpdateTimestamp))
      .int64(BigInt(t.txnStartTimestamp))
      .finish(),
  );
}

export function decodeTxnLogValue(buf: Buffer): TxnLogValue {
  return codec('__transaction_state value', () => {
    const r = new Reader(buf);
    const version = r.int16();
    if (version !== 0 && version !== 1) throw new TxnCoordinatorError('BRK_TXN_CODEC', `unknown __transaction_state value version ${version}`);
    const flexible = version === 1;
    const producerId = r.int64();
    const producerEpoch = r.int16();
    const txnTimeoutMs = r.int32();
    const state = txnStateFromId(r.int8());
    const readGroup = (g: Reader): TopicPartitionRef[] => {
      const topic = flexible ? g.compactString() : g.string();
      const ids = flexible ? g.compactArray((x) => x.int32()) : g.array((x) => x.int32());
      if (flexible) g.taggedFields();
      return ids.map((partition) => ({ topic, partition }));
    };
    const groups = flexible ? r.compactNullableArray(readGroup) : r.nullableArray(readGroup);
    const txnLastUpdateTimestamp = Number(r.int64());
    const txnStartTimestamp = Number(r.int64());
    return { producerId, producerEpoch, txnTimeoutMs, state, partitions: state === 'Empty' ? [] : (groups ?? []).flat(), txnLastUpdateTimestamp, txnStartTimestamp };
  });
}
