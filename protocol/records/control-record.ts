/**
 * Transaction markers (Kafka's control records): a control batch (transactional + control
 * attributes, baseSequence -1) of exactly one record whose key is `{version int16 = 0, type int16}`
 * (0 = ABORT, 1 = COMMIT) and whose value is the EndTransactionMarker `{version int16 = 0,
 * coordinator_epoch int32}`. Written by partition leaders on behalf of the transaction coordinator
 * (WriteTxnMarkers); read by consumers, producer state, recovery and the cleaner.
 */
import { ProtocolError } from '../errors.js';
import { Reader, Writer } from '../primitives/index.js';
import { encodeRecordBatch } from './encode.js';

export type ControlRecordType = 'ABORT' | 'COMMIT';

export interface EndTxnMarker {
  readonly type: ControlRecordType;
  readonly coordinatorEpoch: number;
}

const CONTROL_KEY_VERSION = 0;
const END_TXN_MARKER_VERSION = 0;
const TYPE_ABORT = 0;
const TYPE_COMMIT = 1;

export function encodeControlRecordKey(type: ControlRecordType): Buffer {
  return new Writer(4).int16(CONTROL_KEY_VERSION).int16(type === 'COMMIT' ? TYPE_COMMIT : TYPE_ABORT).finish();
}

export function encodeEndTxnMarkerValue(coordinatorEpoch: number): Buffer {
  return new Writer(6).int16(END_TXN_MARKER_VERSION).int32(coordinatorEpoch).finish();
}

/**
 * The type named by a control record's key, or undefined for a control type other than a
 * transaction marker (Kafka has others, e.g. leader change in KRaft, which carry no transaction).
 */
export function decodeControlRecordType(key: Uint8Array | null): ControlRecordType | undefined {
  if (key === null || key.length < 4) throw new ProtocolError('PRT_CORRUPT_BATCH', `control record key of ${key?.length ?? 'null'} bytes`);
  const r = new Reader(Buffer.from(key.buffer, key.byteOffset, key.byteLength));
  const version = r.int16();
  if (version < 0) throw new ProtocolError('PRT_CORRUPT_BATCH', `control record key version ${version}`);
  const type = r.int16();
  return type === TYPE_COMMIT ? 'COMMIT' : type === TYPE_ABORT ? 'ABORT' : undefined;
}

/** A transaction marker's key and value; throws PRT_CORRUPT_BATCH on a malformed one. */
export function decodeEndTxnMarker(key: Uint8Array | null, value: Uint8Array | null): EndTxnMarker | undefined {
  const type = decodeControlRecordType(key);
  if (type === undefined) return undefined;
  if (value === null || value.length < 6) throw new ProtocolError('PRT_CORRUPT_BATCH', `end transaction marker value of ${value?.length ?? 'null'} bytes`);
  const r = new Reader(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  const version = r.int16();
  if (version < 0) throw new ProtocolError('PRT_CORRUPT_BATCH', `end transaction marker version ${version}`);
  return { type, coordinatorEpoch: r.int32() };
}

export interface EndTxnMarkerBatchOptions {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly type: ControlRecordType;
  readonly coordinatorEpoch: number;
  readonly timestamp: bigint;
}

/** The control batch a partition leader appends for a transaction's end (MemoryRecords.withEndTransactionMarker). */
export function encodeEndTxnMarkerBatch(o: EndTxnMarkerBatchOptions): Buffer {
  return encodeRecordBatch([{ key: encodeControlRecordKey(o.type), value: encodeEndTxnMarkerValue(o.coordinatorEpoch), timestamp: o.timestamp }], {
    producerId: o.producerId,
    producerEpoch: o.producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true,
  });
}
