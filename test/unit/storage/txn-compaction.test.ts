/**
 * Compaction of transactional data on a real log directory (Kafka 2.8's LogCleaner): aborted
 * batches go and never supersede committed records; a marker stays while its transaction has data
 * in the log and goes on a later pass once none is left and its segment is past
 * delete.retention.ms, taking its `.txnindex` entry along; a producer's last batch is kept empty.
 */
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { encodeEndTxnMarkerBatch, encodeRecordBatch, iterateBatches, isControlBatch } from '../../../protocol/index.js';
import { cleanLog, OffsetMap, type KeyHasher, type PartitionLog } from '../../../storage/index.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';
import { batch, openLog, quiet, readAll } from './helpers.js';

const seqs = new Map<bigint, number>();

/** FNV-1a 64, synchronous (the broker's xxhash64 loads asynchronously). */
const fnv: KeyHasher = (key) => {
  let h = 0xcbf29ce484222325n;
  for (const b of key) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h;
};

function txn(producerId: bigint, entries: [string, string][]): Buffer {
  const seq = seqs.get(producerId) ?? 0;
  seqs.set(producerId, seq + entries.length);
  return encodeRecordBatch(entries.map(([k, v]) => ({ key: Buffer.from(k), value: Buffer.from(v), timestamp: 1_700_000_000_000n })), { producerId, producerEpoch: 0, baseSequence: seq, transactional: true });
}

function marker(producerId: bigint, type: 'COMMIT' | 'ABORT'): Buffer {
  return encodeEndTxnMarkerBatch({ producerId, producerEpoch: 0, type, coordinatorEpoch: 1, timestamp: 1_700_000_000_000n });
}

async function append(log: PartitionLog, b: Buffer, origin: 'client' | 'coordinator' = 'client'): Promise<void> {
  await log.appendAsLeader(b, 0, { origin });
  log.updateHighWatermark(log.logEndOffset);
}

/** Every batch as the log holds it: producer, control, record count. */
async function batches(log: PartitionLog): Promise<{ producerId: bigint; control: boolean; count: number; baseOffset: bigint }[]> {
  const r = await log.read(log.logStartOffset, 1 << 20);
  return [...iterateBatches(r.records)].map(({ header: h }) => ({ producerId: h.producerId, control: isControlBatch(h.attributes), count: h.recordCount, baseOffset: h.baseOffset }));
}

describe('storage > compaction of transactions (LogCleaner)', () => {
  it('drops aborted batches (never superseding committed records), keeps markers while their data is there, removes them a pass later past delete.retention.ms with their .txnindex entry, and keeps a producer\'s last batch empty', async () => {
    seqs.clear();
    // The fake clock runs a minute ahead of the files' real modification times.
    const clock = new TestScheduler(Date.now() + 60_000);
    const log = await openLog({ clock, config: { cleanupPolicy: ['compact'], deleteRetentionMs: 1_000, minCleanableDirtyRatio: 0 } });
    const opts = { map: new OffsetMap(64 * 1024, fnv), clock, logger: quiet, force: true };
    await append(log, txn(8n, [['k1', 'committed']])); // 0
    await append(log, marker(8n, 'COMMIT'), 'coordinator'); // 1
    await append(log, txn(7n, [['k1', 'aborted'], ['k2', 'aborted']])); // 2-3
    await append(log, marker(7n, 'ABORT'), 'coordinator'); // 4
    await append(log, txn(7n, [['k3', 'later']])); // 5
    await append(log, marker(7n, 'COMMIT'), 'coordinator'); // 6
    await append(log, txn(10n, [['k4', 'aborted-last']])); // 7
    await append(log, marker(10n, 'ABORT'), 'coordinator'); // 8
    await log.forceRoll();
    expect(log.abortedTransactions.map((t) => [t.producerId, t.lastOffset])).to.deep.equal([[7n, 4n], [10n, 8n]]);

    const first = await cleanLog(log, undefined, opts);
    expect(first.cleaned).to.equal(true);
    expect(first.abortedBatchesRemoved).to.equal(2);
    expect(first.markersRemoved, 'markers stay while their data was in the log').to.equal(0);
    // Data records only (marker records have binary keys).
    const values = (await readAll(log)).filter((r) => r.key?.startsWith('k') === true).map((r) => `${r.key}=${r.value}`);
    expect(values).to.deep.equal(['k1=committed', 'k3=later']);
    expect(await batches(log)).to.deep.equal([
      { producerId: 8n, control: false, count: 1, baseOffset: 0n },
      { producerId: 8n, control: true, count: 1, baseOffset: 1n },
      { producerId: 7n, control: true, count: 1, baseOffset: 4n },
      { producerId: 7n, control: false, count: 1, baseOffset: 5n },
      { producerId: 7n, control: true, count: 1, baseOffset: 6n },
      // Producer 10's only batch: emptied, its header (sequence, epoch) kept.
      { producerId: 10n, control: false, count: 0, baseOffset: 7n },
      { producerId: 10n, control: true, count: 1, baseOffset: 8n },
    ]);

    // New dirty data so the cleaner runs again; the first pass's output is now the clean part.
    await append(log, batch({ keys: ['k9'], values: ['x'] }));
    await log.forceRoll();
    await clock.tickAsync(2_000);
    const second = await cleanLog(log, first.cleanedUpTo, opts);
    expect(second.cleaned).to.equal(true);
    expect(second.markersRemoved, 'producer 7\'s ABORT (no data left)').to.equal(1);
    expect((await batches(log)).filter((b) => b.control).map((b) => [b.producerId, b.baseOffset]), 'COMMITs keep their data; producer 10\'s ABORT keeps its empty batch').to.deep.equal([[8n, 1n], [7n, 6n], [10n, 8n]]);
    expect(log.abortedTransactions.map((t) => [t.producerId, t.lastOffset])).to.deep.equal([[10n, 8n]]);
    expect(log.collectAbortedTransactions(0n, log.logEndOffset).map((t) => t.producerId), 'a read_committed fetch no longer skips producer 7').to.deep.equal([10n]);
    expect(readdirSync(log.dir).filter((f) => f.endsWith('.txnindex'))).to.have.length(1);
    await log.close();
  });
});
