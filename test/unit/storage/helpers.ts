/** Shared fixtures for storage tests: batches built with the protocol encoder, quiet logs (fake time: test/helpers/test-scheduler.ts). */
import { pino } from 'pino';
import { decodeRecordBatch, encodeRecordBatch, iterateBatches, type CompressionType, type RecordInput } from '../../../protocol/index.js';
import { expect } from 'chai';
import { PartitionLog, StorageError, type PartitionLogOptions } from '../../../storage/index.js';
import { tmpDir } from '../../helpers/tmp.js';

export const quiet = pino({ level: 'silent' });

export interface BatchSpec {
  count?: number;
  valueSize?: number;
  timestamp?: bigint;
  keys?: (string | null)[];
  values?: (string | null)[];
  prefix?: string;
  compression?: CompressionType;
}

/** One producer-style batch (baseOffset 0, epoch -1). */
export function batch(spec: BatchSpec = {}): Buffer {
  const n = spec.keys?.length ?? spec.values?.length ?? spec.count ?? 1;
  const ts = spec.timestamp ?? 1_700_000_000_000n;
  const records: RecordInput[] = [];
  for (let i = 0; i < n; i++) {
    const key = spec.keys ? spec.keys[i] : undefined;
    const value = spec.values ? spec.values[i] : `${spec.prefix ?? 'v'}-${i}-`.padEnd(spec.valueSize ?? 10, 'x');
    records.push({ key: key === undefined || key === null ? null : Buffer.from(key), value: value === null || value === undefined ? null : Buffer.from(value), timestamp: ts + BigInt(i) });
  }
  return encodeRecordBatch(records, { compression: spec.compression });
}

export interface ReadRecord {
  offset: bigint;
  timestamp: bigint;
  key: string | null;
  value: string | null;
  leaderEpoch: number;
}

/** Decodes every record in a run of batches. */
export function records(buf: Buffer): ReadRecord[] {
  const out: ReadRecord[] = [];
  for (const b of iterateBatches(buf)) {
    const { header, records: recs } = decodeRecordBatch(buf, b.start);
    for (const r of recs) {
      out.push({ offset: r.offset, timestamp: r.timestamp, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, leaderEpoch: header.partitionLeaderEpoch });
    }
  }
  return out;
}

/** Reads the whole log from logStartOffset through repeated fetches. */
export async function readAll(log: PartitionLog, maxBytes = 64 * 1024): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  let offset = log.logStartOffset;
  for (let i = 0; i < 100_000 && offset < log.logEndOffset; i++) {
    const r = await log.read(offset, maxBytes);
    if (r.nextOffset === undefined) break;
    out.push(...records(r.records).filter((x) => x.offset >= offset));
    offset = r.nextOffset;
  }
  return out;
}

export async function openLog(o: Partial<PartitionLogOptions> = {}): Promise<PartitionLog> {
  return PartitionLog.open({ dir: o.dir ?? `${tmpDir('samsa-log-')}/t-0`, topic: 't', partition: 0, logger: quiet, ...o, config: { fileDeleteDelayMs: 0, ...o.config } });
}

/** The StorageError `p` rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(StorageError);
    return err as StorageError;
  }
  throw new Error('expected a rejection');
}
