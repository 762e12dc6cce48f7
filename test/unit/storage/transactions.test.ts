/**
 * The partition side of transactions on a real log directory: the last stable offset held by an
 * open transaction, the aborted transaction index (`.txnindex`, Kafka's 34-byte entries) through
 * roll, truncation, an unclean reopen (recovery from the producer snapshot and the log) and
 * segment deletion.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CompressionType, encodeEndTxnMarkerBatch, encodeRecordBatch } from '../../../protocol/index.js';
import { ABORTED_TXN_ENTRY_SIZE, decodeAbortedTxns, type PartitionLog } from '../../../storage/index.js';
import { openLog } from './helpers.js';

let nextSeq = new Map<bigint, number>();

function txnBatch(producerId: bigint, count = 2, producerEpoch = 0): Buffer {
  const seq = nextSeq.get(producerId) ?? 0;
  nextSeq.set(producerId, seq + count);
  const recs = Array.from({ length: count }, (_, i) => ({ value: Buffer.from(`p${producerId}-${seq + i}`), timestamp: 1_700_000_000_000n }));
  return encodeRecordBatch(recs, { compression: CompressionType.None, producerId, producerEpoch, baseSequence: seq, transactional: true });
}

function marker(producerId: bigint, type: 'COMMIT' | 'ABORT', producerEpoch = 0, coordinatorEpoch = 3): Buffer {
  return encodeEndTxnMarkerBatch({ producerId, producerEpoch, type, coordinatorEpoch, timestamp: 1_700_000_000_000n });
}

async function leaderAppend(log: PartitionLog, b: Buffer, origin: 'client' | 'coordinator' = 'client'): Promise<bigint> {
  const r = await log.appendAsLeader(b, 0, { origin });
  log.updateHighWatermark(log.logEndOffset);
  return r.firstOffset;
}

function txnIndexFiles(log: PartitionLog): string[] {
  return readdirSync(log.dir).filter((f) => f.endsWith('.txnindex')).sort();
}

describe('storage > transactions (LSO and the aborted transaction index)', () => {
  beforeEach(() => {
    nextSeq = new Map();
  });

  it('an open transaction holds the LSO at its first offset; its marker releases it; an ABORT is indexed in Kafka format', async () => {
    const log = await openLog();
    await leaderAppend(log, txnBatch(7n)); // 0-1
    await leaderAppend(log, txnBatch(8n)); // 2-3
    expect(log.highWatermark).to.equal(4n);
    expect(log.lastStableOffset).to.equal(0n);
    await leaderAppend(log, marker(7n, 'ABORT'), 'coordinator'); // 4
    expect(log.lastStableOffset, 'producer 8 still open').to.equal(2n);
    await leaderAppend(log, marker(8n, 'COMMIT'), 'coordinator'); // 5
    expect(log.lastStableOffset).to.equal(6n);
    expect(log.collectAbortedTransactions(0n, 6n)).to.deep.equal([{ producerId: 7n, firstOffset: 0n }]);
    expect(log.collectAbortedTransactions(5n, 6n), 'a read after the marker does not need it').to.deep.equal([]);
    const file = readFileSync(join(log.dir, '00000000000000000000.txnindex'));
    expect(file.length).to.equal(ABORTED_TXN_ENTRY_SIZE);
    expect(file.toString('hex')).to.equal('0000' + '0000000000000007' + '0000000000000000' + '0000000000000004' + '0000000000000002');
    // A client may not write markers.
    const err = await log.appendAsLeader(marker(9n, 'ABORT'), 0).then(() => undefined, (e: unknown) => e);
    expect(err).to.have.property('code', 'STG_INVALID_RECORD');
    await log.close();
  });

  it('refuses a marker for an older producer epoch or from an older coordinator epoch, writing nothing', async () => {
    const log = await openLog();
    await leaderAppend(log, txnBatch(5n, 2, 1)); // 0-1 at epoch 1
    const refused = async (b: Buffer): Promise<unknown> => log.appendAsLeader(b, 0, { origin: 'coordinator' }).then(() => undefined, (e: unknown) => e);
    expect(await refused(marker(5n, 'COMMIT', 0))).to.have.property('code', 'STG_INVALID_PRODUCER_EPOCH');
    await leaderAppend(log, marker(5n, 'COMMIT', 1, 4), 'coordinator'); // 2
    await leaderAppend(log, txnBatch(5n, 2, 1)); // 3-4
    expect(await refused(marker(5n, 'ABORT', 1, 3))).to.have.property('code', 'STG_TXN_COORDINATOR_FENCED');
    expect(log.logEndOffset).to.equal(5n);
    expect(log.lastStableOffset).to.equal(3n);
    await log.close();
  });

  it('keeps the index per segment through roll, truncation and an unclean reopen (replayed markers the file missed come back)', async () => {
    const cfg = { segmentBytes: 250 };
    const log = await openLog({ config: cfg });
    await leaderAppend(log, txnBatch(1n)); // 0-1
    await leaderAppend(log, marker(1n, 'ABORT'), 'coordinator'); // 2
    await log.forceRoll();
    await leaderAppend(log, txnBatch(1n)); // 3-4
    await leaderAppend(log, marker(1n, 'ABORT'), 'coordinator'); // 5
    await leaderAppend(log, txnBatch(2n)); // 6-7, left open
    expect(txnIndexFiles(log)).to.deep.equal(['00000000000000000000.txnindex', '00000000000000000003.txnindex']);
    expect(log.lastStableOffset).to.equal(6n);

    // Truncation below the second marker drops its entry (and the file) and reopens that transaction.
    await log.truncateTo(5n);
    expect(txnIndexFiles(log)).to.deep.equal(['00000000000000000000.txnindex']);
    expect(log.collectAbortedTransactions(0n, 5n)).to.deep.equal([{ producerId: 1n, firstOffset: 0n }]);
    expect(log.lastStableOffset, 'producer 1 open again at 3').to.equal(3n);
    await leaderAppend(log, marker(1n, 'ABORT'), 'coordinator'); // 5 again
    const dir = log.dir;
    await log.close({ clean: false });

    // The index file of the second segment is lost (an unclean stop): recovery re-adds it from the log.
    rmSync(join(dir, '00000000000000000003.txnindex'), { force: true });
    const again = await openLog({ dir, config: cfg, highWatermark: 6n });
    expect(again.collectAbortedTransactions(0n, 6n)).to.deep.equal([{ producerId: 1n, firstOffset: 0n }, { producerId: 1n, firstOffset: 3n }]);
    expect(decodeAbortedTxns(readFileSync(join(dir, '00000000000000000003.txnindex')))).to.have.length(1);
    expect(again.lastStableOffset).to.equal(6n);
    await again.close();
  });

  it('an open transaction survives a reopen through the producer snapshot, and its later marker still closes it', async () => {
    const cfg = { segmentBytes: 200 };
    const log = await openLog({ config: cfg });
    await leaderAppend(log, txnBatch(4n)); // 0-1, open
    await log.forceRoll(); // snapshot at 2 holds the open transaction
    await leaderAppend(log, encodeRecordBatch([{ value: Buffer.from('plain'), timestamp: 1n }], { compression: CompressionType.None })); // 2
    const dir = log.dir;
    await log.close();
    const again = await openLog({ dir, config: cfg, highWatermark: 3n });
    expect(again.lastStableOffset).to.equal(0n);
    await leaderAppend(again, marker(4n, 'ABORT'), 'coordinator'); // 3
    expect(again.lastStableOffset).to.equal(4n);
    expect(again.collectAbortedTransactions(0n, 4n)).to.deep.equal([{ producerId: 4n, firstOffset: 0n }]);
    // DeleteRecords up to the log end deletes every old segment, and their index entries and files with them.
    await again.deleteRecordsBefore(4n);
    expect(again.segments().map((s) => s.baseOffset)).to.deep.equal([4n]);
    expect(again.collectAbortedTransactions(0n, 4n)).to.deep.equal([]);
    expect(txnIndexFiles(again)).to.deep.equal([]);
    await again.close();
  });
});
