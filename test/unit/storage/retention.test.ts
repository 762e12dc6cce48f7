import { expect } from 'chai';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { selectSegmentsToDelete, type SegmentInfo } from '../../../storage/index.js';
import { batch, openLog } from './helpers.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';

const DAY = 24 * 3600 * 1000;

function seg(base: number, next: number, size: number, ts: number, isActive = false): SegmentInfo {
  return { baseOffset: BigInt(base), nextBaseOffset: BigInt(next), sizeBytes: size, largestTimestamp: BigInt(ts), isActive };
}

describe('storage > retention', () => {
  const now = 100 * DAY;
  const segs = [seg(0, 10, 100, now - 9 * DAY), seg(10, 20, 100, now - 8 * DAY), seg(20, 30, 100, now - 1 * DAY), seg(30, 35, 50, now, true)];
  const base = { retentionMs: -1, retentionBytes: -1, logStartOffset: 0n, highWatermark: 35n };

  it('selects by time, oldest first, stopping at the first young segment', () => {
    expect(selectSegmentsToDelete(segs, { ...base, retentionMs: 7 * DAY }, now).map((d) => [d.baseOffset, d.reason])).to.deep.equal([[0n, 'retention-time'], [10n, 'retention-time']]);
    const young = [segs[0]!, seg(10, 20, 100, now), seg(20, 30, 100, now - 9 * DAY), segs[3]!];
    expect(selectSegmentsToDelete(young, { ...base, retentionMs: 7 * DAY }, now).map((d) => d.baseOffset)).to.deep.equal([0n]);
  });

  it('selects by size while the rest still exceeds retentionBytes', () => {
    // total 350: a segment goes only if what remains is still at least retentionBytes
    expect(selectSegmentsToDelete(segs, { ...base, retentionBytes: 150 }, now).map((d) => d.baseOffset)).to.deep.equal([0n, 10n]);
    expect(selectSegmentsToDelete(segs, { ...base, retentionBytes: 200 }, now).map((d) => d.baseOffset)).to.deep.equal([0n]);
    expect(selectSegmentsToDelete(segs, { ...base, retentionBytes: 251 }, now).map((d) => d.baseOffset)).to.deep.equal([]);
    expect(selectSegmentsToDelete(segs, { ...base, retentionBytes: 0 }, now).map((d) => d.baseOffset)).to.deep.equal([0n, 10n, 20n]);
  });

  it('never the active segment, never at or past the high watermark, always below logStartOffset', () => {
    expect(selectSegmentsToDelete(segs, { ...base, retentionMs: 0, highWatermark: 19n }, now).map((d) => d.baseOffset)).to.deep.equal([0n]);
    expect(selectSegmentsToDelete(segs, { ...base, retentionMs: 0 }, now + DAY).map((d) => d.baseOffset)).to.deep.equal([0n, 10n, 20n]);
    expect(selectSegmentsToDelete(segs, { ...base, logStartOffset: 25n }, now).map((d) => [d.baseOffset, d.reason])).to.deep.equal([[0n, 'log-start-offset'], [10n, 'log-start-offset']]);
  });

  it('deletes expired segments of a log under a fake clock, advancing logStartOffset first', async () => {
    const clock = new TestScheduler(10 * DAY);
    const log = await openLog({ clock, scheduler: clock, config: { segmentBytes: 300, retentionMs: DAY, fileDeleteDelayMs: 60_000 } });
    for (let i = 0; i < 6; i++) await log.appendAsLeader(batch({ count: 2, timestamp: BigInt(clock.now()) }), 0);
    clock.tick(2 * DAY);
    for (let i = 0; i < 3; i++) await log.appendAsLeader(batch({ count: 2, timestamp: BigInt(clock.now()) }), 0);
    expect(await log.deleteOldSegments()).to.deep.equal([]); // high watermark still 0
    log.updateHighWatermark(log.logEndOffset);
    const deleted = await log.deleteOldSegments();
    expect(deleted.length).to.be.greaterThan(0);
    expect(deleted.every((d) => d.reason === 'retention-time')).to.equal(true);
    expect(log.logStartOffset).to.equal(deleted.at(-1)!.nextBaseOffset);
    const first = join(log.dir, '00000000000000000000.log');
    expect(existsSync(first)).to.equal(false);
    expect(existsSync(`${first}.deleted`)).to.equal(true);
    expect(clock.pendingDelays()).to.deep.equal([60_000]); // file.delete.delay.ms
    await clock.tickAsync(60_000);
    expect(clock.pending).to.equal(0);
    expect(readdirSync(log.dir).filter((f) => f.endsWith('.deleted'))).to.deep.equal([]);
    // Once everything has expired the active segment is rolled and goes too; offsets continue.
    clock.tick(2 * DAY);
    await log.deleteOldSegments();
    expect(log.numberOfSegments).to.equal(1);
    expect(log.size).to.equal(0);
    expect(log.logStartOffset).to.equal(18n);
    expect((await log.appendAsLeader(batch(), 0)).firstOffset).to.equal(18n);
    await log.close();
  });

  it('keeps logs by size and leaves compact-only logs to the cleaner', async () => {
    const log = await openLog({ config: { segmentBytes: 300, retentionBytes: 600 } });
    for (let i = 0; i < 12; i++) await log.appendAsLeader(batch({ count: 2, timestamp: BigInt(Date.now()) }), 0);
    log.updateHighWatermark(log.logEndOffset);
    const deleted = await log.deleteOldSegments();
    expect(deleted.map((d) => d.reason)).to.deep.equal(['retention-size']);
    expect(log.size).to.be.at.least(600);
    expect(log.size).to.be.lessThan(600 + 300);
    const compacted = await openLog({ config: { segmentBytes: 300, retentionBytes: 1, cleanupPolicy: ['compact'] } });
    for (let i = 0; i < 12; i++) await compacted.appendAsLeader(batch({ count: 2, keys: ['a', 'b'] }), 0);
    compacted.updateHighWatermark(compacted.logEndOffset);
    expect(await compacted.deleteOldSegments()).to.deep.equal([]);
    await log.close();
    await compacted.close();
  });

  it('rolls on segmentMs measured in record time', async () => {
    const clock = new TestScheduler();
    const log = await openLog({ clock, config: { segmentMs: 1000 } });
    await log.appendAsLeader(batch({ timestamp: 5000n }), 0);
    await log.appendAsLeader(batch({ timestamp: 5900n }), 0);
    expect(log.numberOfSegments).to.equal(1);
    await log.appendAsLeader(batch({ timestamp: 6001n }), 0);
    expect(log.segments().map((s) => s.baseOffset)).to.deep.equal([0n, 2n]);
    await log.close();
  });
});
