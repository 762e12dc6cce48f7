/**
 * Child process for the idempotent crash test: one idempotent producer (id 42, epoch 0) appends
 * batch i = 3 records at sequence 3i, forever, printing `ack <i>` after each append returns.
 * The parent kills it with SIGKILL.
 */
import { encodeRecordBatch } from '../../../protocol/index.js';
import { PartitionLog } from '../../../storage/index.js';

export const PRODUCER_ID = 42n;

/** Batch i of the test producer. */
export function idempotentBatch(i: number): Buffer {
  const records = [0, 1, 2].map((j) => ({ key: null, value: Buffer.from(`rec-${i}-${j}`.padEnd(120, '.')) }));
  return encodeRecordBatch(records, { producerId: PRODUCER_ID, producerEpoch: 0, baseSequence: 3 * i });
}

if (process.argv[1] === import.meta.filename) {
  const dir = process.argv[2]!;
  const log = await PartitionLog.open({ dir, topic: 'idem', partition: 0, config: { segmentBytes: 32 * 1024, indexIntervalBytes: 512 } });
  for (let i = 0; i < 10_000_000; i++) {
    await log.appendAsLeader(idempotentBatch(i), 1);
    process.stdout.write(`ack ${i}\n`);
  }
}
