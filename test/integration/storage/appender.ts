/**
 * Child process for the crash test: appends numbered batches to a log forever and prints
 * `ack <lastOffset>` after each append returns. The parent kills it with SIGKILL.
 */
import { encodeRecordBatch } from '../../../protocol/index.js';
import { PartitionLog } from '../../../storage/index.js';

const dir = process.argv[2]!;
const log = await PartitionLog.open({ dir, topic: 'crash', partition: 0, config: { segmentBytes: 64 * 1024, indexIntervalBytes: 512 } });
for (let i = 0; i < 10_000_000; i++) {
  const value = Buffer.from(`record-${i}`.padEnd(200, '.'));
  const r = await log.appendAsLeader(encodeRecordBatch([{ key: Buffer.from(`k${i}`), value }]), 1);
  process.stdout.write(`ack ${r.lastOffset}\n`);
}
