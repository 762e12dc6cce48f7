/**
 * `<20-digit offset>.snapshot` files: the producer state as of that offset (every batch below it
 * applied). Kafka's format (ProducerStateManager, version 1): int16 version, uint32 CRC32C of
 * everything after it, int32 count, then per entry producer_id int64, epoch int16,
 * last_sequence int32, last_offset int64, offset_delta int32, timestamp int64,
 * coordinator_epoch int32, current_txn_first_offset int64.
 *
 * Kafka writes one entry per producer (its last batch). We write one entry per cached batch,
 * oldest first, so all 5 survive a restart; Kafka reading such a file keeps the last entry of
 * each producer id, i.e. exactly what it would have written itself. An entry with last_offset
 * -1 is a producer with an epoch but no batch.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { crc32c } from '../protocol/index.js';
import { StorageError } from './errors.js';
import { offsetFilePrefix, writeFileAtomic } from './files.js';
import { NUM_BATCHES_TO_RETAIN, type ProducerStateEntry } from './producer-state.js';

const SNAPSHOT_SUFFIX = '.snapshot';
const VERSION = 1;
const HEADER_BYTES = 2 + 4 + 4;
const ENTRY_BYTES = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

function snapshotFileName(offset: bigint): string {
  return offsetFilePrefix(offset) + SNAPSHOT_SUFFIX;
}

export function encodeProducerSnapshot(entries: readonly ProducerStateEntry[]): Buffer {
  const rows = entries.reduce((n, e) => n + Math.max(1, e.batches.length), 0);
  const buf = Buffer.alloc(HEADER_BYTES + rows * ENTRY_BYTES);
  buf.writeInt16BE(VERSION, 0);
  buf.writeInt32BE(rows, 6);
  let pos = HEADER_BYTES;
  const row = (e: ProducerStateEntry, lastSeq: number, lastOffset: bigint, offsetDelta: number, timestamp: bigint): void => {
    buf.writeBigInt64BE(e.producerId, pos);
    buf.writeInt16BE(e.producerEpoch, pos + 8);
    buf.writeInt32BE(lastSeq, pos + 10);
    buf.writeBigInt64BE(lastOffset, pos + 14);
    buf.writeInt32BE(offsetDelta, pos + 22);
    buf.writeBigInt64BE(timestamp, pos + 26);
    buf.writeInt32BE(e.coordinatorEpoch, pos + 34);
    buf.writeBigInt64BE(e.currentTxnFirstOffset, pos + 38);
    pos += ENTRY_BYTES;
  };
  for (const e of entries) {
    if (e.batches.length === 0) row(e, -1, -1n, 0, e.lastTimestamp);
    for (const b of e.batches) row(e, b.lastSeq, b.lastOffset, b.offsetDelta, b.timestamp);
  }
  buf.writeUInt32BE(crc32c(buf.subarray(6)), 2);
  return buf;
}

export function decodeProducerSnapshot(buf: Buffer, what = 'producer snapshot'): ProducerStateEntry[] {
  const corrupt = (why: string): StorageError => new StorageError('STG_CORRUPT_CHECKPOINT', `${what}: ${why}`);
  if (buf.length < HEADER_BYTES) throw corrupt(`${buf.length} bytes, shorter than the header`);
  const version = buf.readInt16BE(0);
  if (version !== VERSION) throw corrupt(`unsupported version ${version}`);
  if (buf.readUInt32BE(2) !== crc32c(buf.subarray(6))) throw corrupt('CRC32C mismatch');
  const rows = buf.readInt32BE(6);
  if (rows < 0 || buf.length !== HEADER_BYTES + rows * ENTRY_BYTES) throw corrupt(`count ${rows} does not match ${buf.length} bytes`);
  const byId = new Map<bigint, ProducerStateEntry>();
  for (let i = 0, pos = HEADER_BYTES; i < rows; i++, pos += ENTRY_BYTES) {
    const producerId = buf.readBigInt64BE(pos);
    const producerEpoch = buf.readInt16BE(pos + 8);
    const lastSeq = buf.readInt32BE(pos + 10);
    const lastOffset = buf.readBigInt64BE(pos + 14);
    const offsetDelta = buf.readInt32BE(pos + 22);
    const timestamp = buf.readBigInt64BE(pos + 26);
    let e = byId.get(producerId);
    if (e === undefined || e.producerEpoch !== producerEpoch) {
      e = { producerId, producerEpoch, batches: [], lastTimestamp: timestamp, lastUpdateMs: -1, coordinatorEpoch: -1, currentTxnFirstOffset: -1n };
      byId.set(producerId, e);
    }
    e.lastTimestamp = timestamp;
    e.coordinatorEpoch = buf.readInt32BE(pos + 34);
    e.currentTxnFirstOffset = buf.readBigInt64BE(pos + 38);
    if (lastOffset >= 0n) e.batches.push({ lastSeq, lastOffset, offsetDelta, timestamp });
    if (e.batches.length > NUM_BATCHES_TO_RETAIN) e.batches.shift();
  }
  return [...byId.values()];
}

/** Snapshot offsets present in a partition directory, ascending. */
export async function listSnapshotOffsets(dir: string): Promise<bigint[]> {
  const names = await fsp.readdir(dir);
  const offsets = names.filter((n) => /^\d{20}\.snapshot$/.test(n)).map((n) => BigInt(n.slice(0, 20)));
  return offsets.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function writeProducerSnapshot(dir: string, offset: bigint, entries: readonly ProducerStateEntry[]): Promise<void> {
  return writeFileAtomic(join(dir, snapshotFileName(offset)), encodeProducerSnapshot(entries));
}

export async function readProducerSnapshot(dir: string, offset: bigint): Promise<ProducerStateEntry[]> {
  const path = join(dir, snapshotFileName(offset));
  return decodeProducerSnapshot(await fsp.readFile(path), path);
}

export async function deleteProducerSnapshot(dir: string, offset: bigint): Promise<void> {
  await fsp.rm(join(dir, snapshotFileName(offset)), { force: true });
}
