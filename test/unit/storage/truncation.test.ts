import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError } from '../../../storage/index.js';
import { batch, openLog, readAll } from './helpers.js';

describe('storage > truncation and DeleteRecords', () => {
  it('truncateTo removes later segments, the tail batch and later epochs', async () => {
    const cfg = { segmentBytes: 400, indexIntervalBytes: 1 };
    const log = await openLog({ config: cfg });
    for (let i = 0; i < 6; i++) await log.appendAsLeader(batch({ count: 2 }), 1);
    await log.assignEpochStartOffset(2, log.logEndOffset);
    for (let i = 0; i < 6; i++) await log.appendAsLeader(batch({ count: 2 }), 2);
    log.updateHighWatermark(20n);
    const segsBefore = log.numberOfSegments;
    expect(await log.truncateTo(13n)).to.equal(12n); // 13 is mid-batch [12,13]: the whole batch goes
    expect(log.logEndOffset).to.equal(12n);
    expect(log.highWatermark).to.equal(12n);
    expect(log.numberOfSegments).to.be.lessThan(segsBefore);
    expect(log.epochEntries).to.deep.equal([{ epoch: 1, startOffset: 0n }]);
    expect(readFileSync(join(log.dir, 'leader-epoch-checkpoint'), 'utf8')).to.equal('0\n1\n1 0\n');
    expect((await readAll(log)).map((r) => r.offset)).to.deep.equal([...Array(12).keys()].map(BigInt));
    const r = await log.appendAsLeader(batch(), 3);
    expect(r.firstOffset).to.equal(12n);
    expect(log.endOffsetForEpoch(1)).to.deep.equal({ leaderEpoch: 1, endOffset: 12n });
    expect(await log.truncateTo(100n)).to.equal(13n);
    await log.close();
    const again = await openLog({ dir: log.dir, config: cfg });
    expect(again.logEndOffset).to.equal(13n);
    expect(again.latestEpoch).to.equal(3);
    await again.close();
  });

  it('an epoch taken at the log end reaches leader-epoch-checkpoint with its first append, not before', async () => {
    const log = await openLog({});
    await log.appendAsLeader(batch({ count: 2 }), 1);
    const file = (): string => readFileSync(join(log.dir, 'leader-epoch-checkpoint'), 'utf8');
    expect(file()).to.equal('0\n1\n1 0\n');
    // Becoming leader at the log end: in memory (answers followers) but no record is in it yet.
    await log.assignEpochStartOffset(2, log.logEndOffset);
    expect(log.endOffsetForEpoch(1)).to.deep.equal({ leaderEpoch: 1, endOffset: 2n });
    expect(file()).to.equal('0\n1\n1 0\n');
    // The first batch of epoch 2 writes the file before it lands.
    await log.appendAsLeader(batch(), 2);
    expect(file()).to.equal('0\n2\n1 0\n2 2\n');
    // Nor does a clean close write one: opening drops an epoch that starts at the log end anyway
    // (Kafka's truncateFromEnd at load), so such an entry never outlives a restart.
    await log.assignEpochStartOffset(3, log.logEndOffset);
    await log.close();
    expect(file()).to.equal('0\n2\n1 0\n2 2\n');
    const again = await openLog({ dir: log.dir });
    expect(again.latestEpoch).to.equal(2);
    await again.appendAsLeader(batch(), 4);
    expect(again.epochEntries.at(-1)).to.deep.equal({ epoch: 4, startOffset: 3n });
    await again.close();
  });

  it('truncateTo the base of a segment keeps it empty; truncateFullyAndStartAt restarts elsewhere', async () => {
    const log = await openLog({ config: { segmentBytes: 300 } });
    for (let i = 0; i < 6; i++) await log.appendAsLeader(batch({ count: 2 }), 0);
    const second = log.segments()[1]!.baseOffset;
    await log.truncateTo(second);
    expect(log.logEndOffset).to.equal(second);
    expect(log.segments().at(-1)).to.deep.include({ baseOffset: second, sizeBytes: 0 });
    await log.truncateFullyAndStartAt(500n);
    expect([log.logStartOffset, log.logEndOffset, log.highWatermark]).to.deep.equal([500n, 500n, 500n]);
    expect(readdirSync(log.dir).filter((f) => f.endsWith('.log'))).to.deep.equal(['00000000000000000500.log']);
    expect((await log.appendAsLeader(batch(), 0)).firstOffset).to.equal(500n);
    await log.close();
  });

  it('DeleteRecords moves logStartOffset, deletes whole segments below it and refuses to pass the high watermark', async () => {
    const log = await openLog({ config: { segmentBytes: 300 } });
    for (let i = 0; i < 10; i++) await log.appendAsLeader(batch({ count: 2 }), 0);
    const segs = log.segments();
    log.updateHighWatermark(16n);
    try {
      await log.deleteRecordsBefore(17n);
      expect.fail('accepted an offset above the high watermark');
    } catch (err) {
      expect((err as StorageError).code).to.equal('STG_OFFSET_OUT_OF_RANGE');
    }
    const target = segs[2]!.baseOffset + 1n;
    expect(await log.deleteRecordsBefore(target)).to.equal(target);
    expect(log.logStartOffset).to.equal(target);
    expect(log.segments()[0]!.baseOffset).to.equal(segs[2]!.baseOffset);
    try {
      await log.read(target - 1n, 100);
      expect.fail('read below logStartOffset');
    } catch (err) {
      expect((err as StorageError).code).to.equal('STG_OFFSET_OUT_OF_RANGE');
    }
    expect((await readAll(log))[0]!.offset).to.equal(target);
    await log.close();
    const again = await openLog({ dir: log.dir, config: { segmentBytes: 300 }, logStartOffset: target });
    expect(again.logStartOffset).to.equal(target);
    await again.close();
  });
});
