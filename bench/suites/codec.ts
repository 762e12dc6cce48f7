/**
 * protocol/ codec throughput on one core: record batch v2 encode/decode of 100-byte records
 * (uncompressed and per codec), CRC-32C (native and the JS fallback), and a Produce request
 * round trip through the schema codec.
 * Options: --seconds N (per measurement, default 1), --batch N (records per batch, default 1000).
 */
import {
  ApiKey,
  CompressionType,
  RecordCursor,
  crc32c,
  crc32cJs,
  decodeRequest,
  decodeRequestHeader,
  encodeRecordBatch,
  encodeRequest,
  type RecordInput,
} from '../../protocol/index.js';
import type { BenchContext } from '../suites.js';

export const describe = 'record batch encode/decode (100-byte records), CRC-32C, Produce request codec';

function option(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Repeats fn until `seconds` have passed; returns operations per second. */
function measure(seconds: number, fn: () => void): number {
  for (let i = 0; i < 20; i++) fn(); // warm-up: let the JIT settle
  let ops = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 10; i++) fn();
    ops += 10;
    elapsed = process.hrtime.bigint() - start;
  }
  return ops / (Number(elapsed) / 1e9);
}

function payload(i: number): Buffer {
  // 100 bytes of JSON-ish text: compressible like real payloads, not all identical
  const s = `{"id":${i},"user":"user-${i % 997}","event":"page_view","path":"/products/${i % 131}"}`;
  return Buffer.from(s.padEnd(100, ' ').slice(0, 100));
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const seconds = option(ctx.args, 'seconds', 1);
  const batchSize = option(ctx.args, 'batch', 1000);
  const records: RecordInput[] = Array.from({ length: batchSize }, (_, i) => ({ value: payload(i) }));
  // Built as plain literals: V8 reads absent properties (e.g. `headers`) of spread-built
  // objects through a slow path, which would measure the engine rather than the codec.
  const keyed: RecordInput[] = records.map((r, i) => ({ value: r.value, key: Buffer.from(`key-${i}`), timestamp: 1_700_000_000_000n + BigInt(i) }));
  const results: Record<string, unknown> = { batchSize, recordBytes: 100 };

  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

  const encodeRate = measure(seconds, () => encodeRecordBatch(records, { baseTimestamp: 1_700_000_000_000n })) * batchSize;
  results['encodeRecordsPerSec'] = Math.round(encodeRate);
  ctx.log(`encode  none   ${fmt(encodeRate)} records/s (value only)`);
  const encodeKeyed = measure(seconds, () => encodeRecordBatch(keyed)) * batchSize;
  results['encodeKeyedRecordsPerSec'] = Math.round(encodeKeyed);
  ctx.log(`encode  none   ${fmt(encodeKeyed)} records/s (key + timestamp)`);

  const plain = encodeRecordBatch(keyed);
  const decodeRate =
    measure(seconds, () => {
      const c = new RecordCursor(plain);
      while (c.next() !== undefined);
    }) * batchSize;
  results['decodeRecordsPerSec'] = Math.round(decodeRate);
  ctx.log(`decode  none   ${fmt(decodeRate)} records/s`);

  const codecs: Record<string, number> = {};
  for (const [name, type] of [
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
    ['zstd', CompressionType.Zstd],
  ] as const) {
    const enc = measure(seconds / 2, () => encodeRecordBatch(records, { compression: type })) * batchSize;
    const packed = encodeRecordBatch(records, { compression: type });
    const dec =
      measure(seconds / 2, () => {
        const c = new RecordCursor(packed);
        while (c.next() !== undefined);
      }) * batchSize;
    codecs[`${name}EncodeRecordsPerSec`] = Math.round(enc);
    codecs[`${name}DecodeRecordsPerSec`] = Math.round(dec);
    codecs[`${name}Ratio`] = Number((plain.length / packed.length).toFixed(2));
    ctx.log(`${name.padEnd(7)} encode ${fmt(enc)} records/s, decode ${fmt(dec)} records/s, ratio ${(plain.length / packed.length).toFixed(2)}`);
  }
  results['codecs'] = codecs;

  const block = Buffer.alloc(1 << 20, 0xa5);
  const nativeMBs = measure(seconds, () => crc32c(block));
  const jsMBs = measure(seconds / 2, () => crc32cJs(block));
  results['crc32cNativeMBps'] = Math.round(nativeMBs);
  results['crc32cJsMBps'] = Math.round(jsMBs);
  ctx.log(`crc32c  native ${fmt(nativeMBs)} MB/s, js ${fmt(jsMBs)} MB/s (1 MiB blocks)`);

  const body = { transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [{ name: 'bench', partitionData: [{ index: 0, records: plain }] }] };
  const produceRate = measure(seconds, () => {
    const frame = encodeRequest(ApiKey.Produce, 7, 1, 'bench', body).subarray(4);
    const h = decodeRequestHeader(frame);
    decodeRequest(ApiKey.Produce, 7, frame, h.bodyOffset);
  });
  results['produceRequestRoundTripsPerSec'] = Math.round(produceRate);
  ctx.log(`produce v7 request encode+decode (${plain.length} byte batch): ${fmt(produceRate)} /s`);
  return results;
}
