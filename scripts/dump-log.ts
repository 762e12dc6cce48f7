/**
 * Kafka's DumpLogSegments for Samsa segment files: `scripts/dump-log.sh <file> [--print-data-log]`.
 * A `.log` prints one line per batch (and per record with --print-data-log); `.index` and
 * `.timeindex` print their entries. Stops at the first unreadable batch and says where.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import {
  batchLastOffset, batchTotalSize, compressionName, compressionOf, isControlBatch, isTransactional, iterateRecords,
  RECORD_BATCH_HEADER_SIZE, readBatchHeader, TimestampType, timestampTypeOf, verifyBatchCrc,
} from '../protocol/index.js';

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

function show(b: Buffer | null): string {
  if (b === null) return 'null';
  const s = b.toString('utf8');
  return /^[\x20-\x7e]*$/.test(s) ? s : `0x${b.toString('hex')}`;
}

function dumpLog(fd: number, size: number, printData: boolean, out: (l: string) => void): number {
  let pos = 0;
  while (pos < size) {
    const head = readAt(fd, pos, RECORD_BATCH_HEADER_SIZE);
    let h;
    try {
      h = readBatchHeader(head, 0);
    } catch (err) {
      out(`Found ${size - pos} invalid bytes at position ${pos}: ${(err as Error).message}`);
      return 1;
    }
    const total = batchTotalSize(h);
    if (pos + total > size) {
      out(`Found ${size - pos} invalid bytes at position ${pos}: batch of ${total} bytes is cut short`);
      return 1;
    }
    const bytes = readAt(fd, pos, total);
    const valid = verifyBatchCrc(bytes, 0);
    const tsType = timestampTypeOf(h.attributes) === TimestampType.LogAppendTime ? 'LogAppendTime' : 'CreateTime';
    const lastSeq = h.baseSequence < 0 ? -1 : h.baseSequence + h.lastOffsetDelta;
    out(
      `baseOffset: ${h.baseOffset} lastOffset: ${batchLastOffset(h)} count: ${h.recordCount} baseSequence: ${h.baseSequence} lastSequence: ${lastSeq} ` +
        `producerId: ${h.producerId} producerEpoch: ${h.producerEpoch} partitionLeaderEpoch: ${h.partitionLeaderEpoch} ` +
        `isTransactional: ${isTransactional(h.attributes)} isControl: ${isControlBatch(h.attributes)} position: ${pos} ` +
        `${tsType}: ${h.maxTimestamp} size: ${total} magic: ${h.magic} compresscodec: ${compressionName(compressionOf(h.attributes)).toUpperCase()} crc: ${h.crc} isvalid: ${valid}`,
    );
    if (printData && valid) {
      for (const r of iterateRecords(bytes, 0)) {
        const seq = h.baseSequence < 0 ? -1 : h.baseSequence + r.offsetDelta;
        const ts = tsType === 'LogAppendTime' ? h.maxTimestamp : r.timestamp;
        out(
          `| offset: ${r.offset} ${tsType}: ${ts} keySize: ${r.key?.length ?? -1} valueSize: ${r.value?.length ?? -1} sequence: ${seq} ` +
            `headerKeys: [${r.headers.map((x) => x.key).join(',')}] key: ${show(r.key)} payload: ${show(r.value)}`,
        );
      }
    }
    if (!valid) {
      out(`Stopping at position ${pos}: CRC32C mismatch`);
      return 1;
    }
    pos += total;
  }
  return 0;
}

function dumpIndex(fd: number, size: number, file: string, out: (l: string) => void): number {
  const base = BigInt(basename(file).slice(0, 20));
  const time = file.endsWith('.timeindex');
  const entry = time ? 12 : 8;
  const buf = readAt(fd, 0, size);
  for (let i = 0; i + entry <= buf.length; i += entry) {
    if (time) out(`timestamp: ${buf.readBigInt64BE(i)} offset: ${base + BigInt(buf.readInt32BE(i + 8))}`);
    else out(`offset: ${base + BigInt(buf.readInt32BE(i))} position: ${buf.readInt32BE(i + 4)}`);
  }
  if (buf.length % entry !== 0) {
    out(`Found ${buf.length % entry} trailing bytes (partial entry)`);
    return 1;
  }
  return 0;
}

function main(argv: string[]): number {
  const printData = argv.includes('--print-data-log');
  const files = argv.filter((a) => !a.startsWith('--'));
  if (files.length === 0) {
    console.error('usage: scripts/dump-log.sh <segment.log|.index|.timeindex>... [--print-data-log]');
    return 2;
  }
  let status = 0;
  for (const file of files) {
    console.log(`Dumping ${file}`);
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const name = basename(file);
      if (/\.log(\.\w+)?$/.test(name)) {
        console.log(`Starting offset: ${BigInt(name.slice(0, 20))}`);
        status = Math.max(status, dumpLog(fd, size, printData, (l) => console.log(l)));
      } else status = Math.max(status, dumpIndex(fd, size, file, (l) => console.log(l)));
    } finally {
      closeSync(fd);
    }
  }
  return status;
}

process.exitCode = main(process.argv.slice(2));
