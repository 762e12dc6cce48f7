/**
 * Storage throughput: PartitionLog appends of pre-encoded 16 KiB batches (100-byte and 1 KiB
 * records), a sequential read of the whole log in 1 MiB fetches, and `dd` writing zeros to a
 * file in the same directory as the yardstick. Targets: append ≥ 1/4 of dd, read ≥ 1/2 of dd.
 * Options: --mb <n> data per case (default 1024), --segment-mb <n> segment size (default 1024).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecordBatch, readBatchHeader, type RecordInput } from '../../protocol/index.js';
import { PartitionLog } from '../../storage/index.js';
import type { BenchContext } from '../suites.js';

export const describe = 'partition log append/read throughput vs dd (16 KiB batches, 100 B and 1 KiB records)';

const MiB = 1024 * 1024;
const BATCH_BYTES = 16 * 1024;

function ddRate(dir: string, mb: number): number {
  const file = join(dir, 'dd.bin');
  const started = process.hrtime.bigint();
  const r = spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${mb}`], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(file, { force: true });
  if (r.status !== 0) throw new Error(`dd failed: ${r.stderr}`);
  // dd's own figure excludes process start-up; fall back to ours if its line is not parseable.
  const m = /(\d+) bytes .* copied, ([\d.]+) s/.exec(r.stderr);
  return m ? Number(m[1]) / Number(m[2]) / MiB : mb / seconds;
}

function encode(recordSize: number, perBatch: number, seed: number): Buffer {
  const records: RecordInput[] = [];
  for (let i = 0; i < perBatch; i++) {
    records.push({ key: Buffer.from(`key-${i}`), value: Buffer.alloc(recordSize, (seed * 31 + i) & 0xff), timestamp: BigInt(Date.now()) });
  }
  return encodeRecordBatch(records);
}

/** A pool of distinct batches, each as many records as fit in 16 KiB. */
function makeBatches(recordSize: number, pool: number): Buffer[] {
  let perBatch = Math.max(1, Math.floor(BATCH_BYTES / recordSize));
  while (perBatch > 1 && encode(recordSize, perBatch, 0).length > BATCH_BYTES) perBatch--;
  return Array.from({ length: pool }, (_, b) => encode(recordSize, perBatch, b));
}

interface CaseResult {
  recordSize: number;
  recordsPerBatch: number;
  batchBytes: number;
  appendMBps: number;
  appendRecordsPerSec: number;
  readMBps: number;
  readRecordsPerSec: number;
}

async function runCase(dir: string, recordSize: number, totalMb: number, segmentMb: number, log: (l: string) => void): Promise<CaseResult> {
  const batches = makeBatches(recordSize, 64);
  const batchBytes = batches[0]!.length;
  const recordsPerBatch = readBatchHeader(batches[0]!, 0).recordCount;
  const count = Math.ceil((totalMb * MiB) / batchBytes);
  const plog = await PartitionLog.open({ dir: join(dir, `bench-${recordSize}`), topic: 'bench', partition: 0, config: { segmentBytes: segmentMb * MiB } });
  let started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await plog.appendAsLeader(batches[i % batches.length]!, 0);
  const appendSec = Number(process.hrtime.bigint() - started) / 1e9;
  const bytes = plog.size;
  plog.updateHighWatermark(plog.logEndOffset);

  started = process.hrtime.bigint();
  let offset = 0n;
  let readBytes = 0;
  for (let i = 0; i < count + 10 && offset < plog.logEndOffset; i++) {
    const r = await plog.read(offset, MiB);
    readBytes += r.records.length;
    offset = r.nextOffset!;
  }
  const readSec = Number(process.hrtime.bigint() - started) / 1e9;
  if (readBytes !== bytes) throw new Error(`read ${readBytes} bytes of ${bytes}`);
  const records = count * recordsPerBatch;
  await plog.close();
  rmSync(plog.dir, { recursive: true, force: true });
  const res = {
    recordSize, recordsPerBatch, batchBytes,
    appendMBps: bytes / MiB / appendSec, appendRecordsPerSec: records / appendSec,
    readMBps: bytes / MiB / readSec, readRecordsPerSec: records / readSec,
  };
  log(`  ${recordSize} B records (${recordsPerBatch}/batch, ${batchBytes} B batches): append ${res.appendMBps.toFixed(0)} MB/s ${Math.round(res.appendRecordsPerSec)} rec/s; read ${res.readMBps.toFixed(0)} MB/s ${Math.round(res.readRecordsPerSec)} rec/s`);
  return res;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const mbArg = ctx.args.indexOf('--mb');
  const totalMb = mbArg >= 0 ? Number(ctx.args[mbArg + 1]) : 1024;
  const segArg = ctx.args.indexOf('--segment-mb');
  const segmentMb = segArg >= 0 ? Number(ctx.args[segArg + 1]) : 1024;
  const dir = mkdtempSync(join(process.env['SAMSA_BENCH_DIR'] ?? tmpdir(), 'samsa-bench-storage-'));
  try {
    const dd = ddRate(dir, totalMb);
    ctx.log(`dd if=/dev/zero bs=1M count=${totalMb} (no sync): ${dd.toFixed(0)} MB/s`);
    const cases = [];
    for (const size of [100, 1024]) cases.push(await runCase(dir, size, totalMb, segmentMb, ctx.log));
    const worstAppend = Math.min(...cases.map((c) => c.appendMBps));
    const worstRead = Math.min(...cases.map((c) => c.readMBps));
    const targets = { appendVsDd: worstAppend / dd, appendTargetMet: worstAppend >= dd / 4, readVsDd: worstRead / dd, readTargetMet: worstRead >= dd / 2 };
    ctx.log(`targets: append ${(targets.appendVsDd * 100).toFixed(0)}% of dd (≥ 25%: ${targets.appendTargetMet}), read ${(targets.readVsDd * 100).toFixed(0)}% of dd (≥ 50%: ${targets.readTargetMet})`);
    return { ddMBps: dd, totalMbPerCase: totalMb, segmentMb, cases, ...targets };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
