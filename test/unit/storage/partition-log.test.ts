import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { readBatchHeader, TimestampType, timestampTypeOf, verifyBatchCrc } from '../../../protocol/index.js';
import { StorageError } from '../../../storage/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import { batch, openLog, readAll, records } from './helpers.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';

async function rejects(p: Promise<unknown>, code: string): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(StorageError);
    expect((err as StorageError).code).to.equal(code);
    return err as StorageError;
  }
  expect.fail(`expected ${code}`);
}

describe('storage > PartitionLog append and read', () => {
  it('assigns offsets, stamps the leader epoch and reads back across segment rolls', async () => {
    const clock = new TestScheduler();
    const log = await openLog({ clock, config: { segmentBytes: 1024, indexIntervalBytes: 100 } });
    const results = [];
    for (let i = 0; i < 30; i++) results.push(await log.appendAsLeader(batch({ count: 3, prefix: `b${i}`, valueSize: 40 }), 5));
    expect(results[0]).to.deep.include({ firstOffset: 0n, lastOffset: 2n, recordCount: 3, logAppendTime: -1n });
    expect(results[29]).to.deep.include({ firstOffset: 87n, lastOffset: 89n });
    expect(log.logEndOffset).to.equal(90n);
    expect(log.numberOfSegments).to.be.greaterThan(3);
    const all = await readAll(log);
    expect(all.map((r) => r.offset)).to.deep.equal([...Array(90).keys()].map(BigInt));
    expect(all[4]!.value).to.match(/^b1-1-/);
    expect(all.every((r) => r.leaderEpoch === 5)).to.equal(true);
    const files = readdirSync(log.dir).sort();
    expect(files).to.include.members(['00000000000000000000.log', '00000000000000000000.index', '00000000000000000000.timeindex', 'leader-epoch-checkpoint']);
    await log.close();
  });

  it('a mid-batch fetch offset returns the whole batch holding it', async () => {
    const log = await openLog();
    await log.appendAsLeader(batch({ count: 5 }), 0);
    await log.appendAsLeader(batch({ count: 5 }), 0);
    const r = await log.read(7n, 1 << 20);
    expect(r.firstOffset).to.equal(5n);
    expect(r.nextOffset).to.equal(10n);
    expect(records(r.records).map((x) => x.offset)).to.deep.equal([5n, 6n, 7n, 8n, 9n]);
    await log.close();
  });

  it('respects maxBytes with whole batches and returns one oversized batch only with minOneBatch', async () => {
    const log = await openLog();
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const b = batch({ count: 2, valueSize: 100 });
      sizes.push(b.length);
      await log.appendAsLeader(b, 0);
    }
    const two = await log.read(0n, sizes[0]! * 2 + 10);
    expect(two.records.length).to.equal(sizes[0]! * 2);
    expect(two.nextOffset).to.equal(4n);
    const one = await log.read(0n, 10);
    expect(one.records.length).to.equal(sizes[0]);
    const none = await log.read(0n, 10, { minOneBatch: false });
    expect(none.records.length).to.equal(0);
    expect(none.nextOffset).to.equal(undefined);
    await log.close();
  });

  it('stops below maxOffset (the high watermark) and at the log end', async () => {
    const log = await openLog();
    for (let i = 0; i < 3; i++) await log.appendAsLeader(batch({ count: 2 }), 0);
    const r = await log.read(0n, 1 << 20, { maxOffset: 4n });
    expect(r.nextOffset).to.equal(4n);
    expect((await log.read(4n, 1 << 20, { maxOffset: 4n })).records.length).to.equal(0);
    expect((await log.read(6n, 1 << 20)).records.length).to.equal(0);
    await rejects(log.read(7n, 100), 'STG_OFFSET_OUT_OF_RANGE');
    await log.close();
  });

  it('rejects corrupt input without writing anything', async () => {
    const log = await openLog();
    await log.appendAsLeader(batch({ count: 2 }), 0);
    const good = batch({ count: 2 });
    const bad = batch({ count: 2 });
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    await rejects(log.appendAsLeader(Buffer.concat([good, bad]), 0), 'STG_CORRUPT_BATCH');
    await rejects(log.appendAsLeader(good.subarray(0, 30), 0), 'STG_CORRUPT_BATCH');
    const wrongMagic = batch();
    wrongMagic[16] = 1;
    await rejects(log.appendAsLeader(wrongMagic, 0), 'STG_INVALID_MAGIC');
    const big = await openLog({ config: { maxMessageBytes: 100 } });
    await rejects(big.appendAsLeader(batch({ valueSize: 200 }), 0), 'STG_RECORD_TOO_LARGE');
    expect(log.logEndOffset).to.equal(2n);
    expect(log.size).to.equal(good.length);
    await log.close();
    await big.close();
  });

  it('stamps LogAppendTime when the topic asks for it', async () => {
    const clock = new TestScheduler(1_800_000_000_000);
    const log = await openLog({ clock, config: { messageTimestampType: 'LogAppendTime' } });
    const r = await log.appendAsLeader(batch({ count: 2, timestamp: 5n }), 0);
    expect(r.logAppendTime).to.equal(1_800_000_000_000n);
    const header = readBatchHeader((await log.read(0n, 1000)).records, 0);
    expect(timestampTypeOf(header.attributes)).to.equal(TimestampType.LogAppendTime);
    expect(header.maxTimestamp).to.equal(1_800_000_000_000n);
    expect(verifyBatchCrc((await log.read(0n, 1000)).records, 0)).to.equal(true);
    expect(await log.offsetForTimestamp(1_700_000_000_000n)).to.deep.equal({ offset: 0n, timestamp: 1_800_000_000_000n });
    await log.close();
  });

  it('follower appends keep the leader offsets and refuse to go backwards', async () => {
    const leader = await openLog();
    for (let i = 0; i < 3; i++) await leader.appendAsLeader(batch({ count: 2 }), 3);
    const data = (await leader.read(0n, 1 << 20)).records;
    const follower = await openLog();
    const r = await follower.appendAsFollower(Buffer.from(data));
    expect(r).to.deep.include({ firstOffset: 0n, lastOffset: 5n, recordCount: 6 });
    expect(follower.logEndOffset).to.equal(6n);
    expect(follower.latestEpoch).to.equal(3);
    await rejects(follower.appendAsFollower(Buffer.from(data)), 'STG_UNEXPECTED_APPEND_OFFSET');
    expect((await follower.read(0n, 1 << 20)).records.equals(data)).to.equal(true);
    await leader.close();
    await follower.close();
  });

  it('finds offsets by timestamp through the time index', async () => {
    const log = await openLog({ config: { segmentBytes: 600, indexIntervalBytes: 50 } });
    for (let i = 0; i < 20; i++) await log.appendAsLeader(batch({ count: 2, timestamp: 1_000_000n + BigInt(i) * 100n }), 0);
    expect(await log.offsetForTimestamp(0n)).to.deep.equal({ offset: 0n, timestamp: 1_000_000n });
    expect(await log.offsetForTimestamp(1_000_501n)).to.deep.equal({ offset: 11n, timestamp: 1_000_501n });
    expect(await log.offsetForTimestamp(1_000_502n)).to.deep.equal({ offset: 12n, timestamp: 1_000_600n });
    expect(await log.offsetForTimestamp(1_001_901n)).to.deep.equal({ offset: 39n, timestamp: 1_001_901n });
    expect(await log.offsetForTimestamp(1_002_000n)).to.equal(undefined);
    await log.close();
  });

  it('reopens cleanly with the same contents and offsets', async () => {
    const cfg = { segmentBytes: 500, indexIntervalBytes: 10 };
    const log = await openLog({ config: cfg });
    for (let i = 0; i < 10; i++) await log.appendAsLeader(batch({ count: 2 }), 1);
    const before = await readAll(log);
    await log.close();
    const again = await openLog({ dir: log.dir, config: cfg });
    expect(again.recoveryReport.hadCleanShutdown).to.equal(true);
    expect(again.logEndOffset).to.equal(20n);
    // Only the active segment keeps its index entries in memory until an old one is read.
    expect(again.segmentList.map((s) => s.offsetIndex.isLoaded)).to.deep.equal(again.segmentList.map((s) => s === again.activeSegment));
    expect(await readAll(again)).to.deep.equal(before);
    expect(again.segmentList[0]!.offsetIndex.isLoaded).to.equal(true);
    const r = await again.appendAsLeader(batch(), 1);
    expect(r.firstOffset).to.equal(20n);
    await again.close();
  });
});

describe('storage > PartitionLog concurrency', () => {
  it('serialises unawaited appends in call order while reads run alongside', async () => {
    const log = await openLog({ config: { segmentBytes: 2000, indexIntervalBytes: 200 } });
    const appends = [];
    const reads = [];
    for (let i = 0; i < 200; i++) {
      appends.push(log.appendAsLeader(batch({ count: 2, prefix: `p${i}` }), 0));
      if (i % 10 === 0) reads.push(log.read(0n, 4096));
    }
    const results = await Promise.all(appends);
    expect(results.map((r) => r.firstOffset)).to.deep.equal(results.map((_, i) => BigInt(i * 2)));
    for (const r of await Promise.all(reads)) expect(records(r.records).every((x, j) => x.offset === BigInt(j))).to.equal(true);
    const all = await readAll(log);
    expect(all.map((r) => r.value?.split('-')[0])).to.deep.equal(results.flatMap((_, i) => [`p${i}`, `p${i}`]));
    await log.close();
  });

  it('reads racing with retention either see whole batches or out-of-range', async () => {
    const log = await openLog({ config: { segmentBytes: 300, retentionBytes: 300 } });
    for (let i = 0; i < 30; i++) await log.appendAsLeader(batch({ count: 2, timestamp: BigInt(Date.now()) }), 0);
    log.updateHighWatermark(log.logEndOffset);
    const reads = [0n, 10n, 20n, 40n].map((o) => log.read(o, 1 << 20).then((r) => records(r.records).length, (e: StorageError) => e.code));
    const deletion = log.deleteOldSegments();
    const outcomes = await Promise.all(reads);
    await deletion;
    for (const o of outcomes) expect(typeof o === 'number' ? o > 0 : o === 'STG_OFFSET_OUT_OF_RANGE', String(o)).to.equal(true);
    await log.close();
  });
});

describe('storage > PartitionLog rolls and flushes', () => {
  it('rolls when the offset or time index is full', async () => {
    const log = await openLog({ config: { segmentIndexBytes: 24, indexIntervalBytes: 0 } });
    for (let i = 0; i < 12; i++) await log.appendAsLeader(batch({ timestamp: BigInt(1_700_000_000_000 + i * 10) }), 0);
    // 24 bytes hold 2 time index entries (12 B each): a segment fills after 3 appends.
    expect(log.segments().map((s) => s.baseOffset)).to.deep.equal([0n, 3n, 6n, 9n]);
    expect((await readAll(log)).length).to.equal(12);
    await log.close();
  });

  it('fsyncs after flushIntervalMessages and on flushIntervalMs, moving the recovery point', async () => {
    const clock = new TestScheduler();
    const log = await openLog({ clock, config: { flushIntervalMessages: 5, flushIntervalMs: 1000 } });
    await log.appendAsLeader(batch({ count: 3 }), 0);
    expect(log.recoveryPoint).to.equal(0n);
    await log.appendAsLeader(batch({ count: 3 }), 0);
    expect(log.recoveryPoint).to.equal(6n);
    await log.appendAsLeader(batch({ count: 1 }), 0);
    await log.maybeFlushOnTime();
    expect(log.recoveryPoint).to.equal(6n);
    clock.tick(1000);
    await log.maybeFlushOnTime();
    expect(log.recoveryPoint).to.equal(7n);
    await log.close();
  });

  it('fsyncs a rolled segment in the background and then advances the recovery point', async () => {
    const log = await openLog({ config: { segmentBytes: 300 } });
    for (let i = 0; i < 6; i++) await log.appendAsLeader(batch({ count: 2 }), 0);
    const active = log.activeSegment.baseOffset;
    expect(active > 0n).to.equal(true);
    await waitFor(() => log.recoveryPoint === active, `recovery point ${log.recoveryPoint} to reach ${active}`);
    await log.close();
  });

  it('clamps the high watermark and never moves it back unless asked', async () => {
    const log = await openLog();
    await log.appendAsLeader(batch({ count: 4 }), 0);
    expect(log.updateHighWatermark(10n)).to.equal(4n);
    expect(log.updateHighWatermark(2n)).to.equal(4n);
    expect(log.resetHighWatermark(2n)).to.equal(2n);
    await log.close();
  });
});
