import { expect } from 'chai';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CompressionType, compressionOf, iterateBatches } from '../../../protocol/index.js';
import { cleanLog, cleanableRange, OffsetMap, type KeyHasher, type PartitionLog } from '../../../storage/index.js';
import { tmpDir } from '../../helpers/tmp.js';
import { batch, openLog, quiet, readAll, type ReadRecord } from './helpers.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';

/** A deterministic, synchronous FNV-1a 64 stand-in for xxhash64 (the real one is async to load). */
const fnv: KeyHasher = (key) => {
  let h = 0xcbf29ce484222325n;
  for (const b of key) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h;
};

const DAY = 24 * 3600 * 1000;

async function fill(log: PartitionLog, rounds: number, keys: number, clock: TestScheduler, compression?: CompressionType): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    const ks = [...Array(keys).keys()].map((k) => `k${(k + r) % keys}`);
    await log.appendAsLeader(batch({ keys: ks, values: ks.map((k) => `${k}@${r}`), timestamp: BigInt(clock.now()), compression }), 0);
  }
  log.updateHighWatermark(log.logEndOffset);
}

/** Latest record per key below `upTo`, plus everything from `upTo` on. */
function expectedAfterClean(all: ReadRecord[], upTo: bigint): ReadRecord[] {
  const latest = new Map<string | null, bigint>();
  for (const r of all) if (r.offset < upTo) latest.set(r.key, r.offset);
  return all.filter((r) => r.offset >= upTo || latest.get(r.key) === r.offset);
}

describe('storage > compaction', () => {
  const cfg = { segmentBytes: 700, cleanupPolicy: ['compact' as const], minCleanableDirtyRatio: 0.5, deleteRetentionMs: DAY };
  const opts = (clock: TestScheduler) => ({ map: new OffsetMap(64 * 1024, fnv), clock, logger: quiet });

  it('keeps exactly the latest value of every key and the original offsets', async () => {
    const clock = new TestScheduler(Date.now());
    const log = await openLog({ clock, config: cfg });
    await fill(log, 30, 5, clock);
    const before = await readAll(log);
    const stats = await cleanLog(log, undefined, opts(clock));
    expect(stats.cleaned).to.equal(true);
    expect(stats.cleanedUpTo).to.equal(log.activeSegment.baseOffset);
    const after = await readAll(log);
    expect(after).to.deep.equal(expectedAfterClean(before, stats.cleanedUpTo));
    const cleanPart = after.filter((r) => r.offset < stats.cleanedUpTo);
    expect(new Set(cleanPart.map((r) => r.key)).size).to.equal(cleanPart.length);
    expect(stats.recordsRemoved).to.equal(before.length - after.length);
    expect(log.logEndOffset).to.equal(150n);
    // Fetching a compacted-away offset returns the next surviving batch; a follower copies the gaps.
    const kept = new Set(after.map((r) => r.offset));
    const gone = [...Array(Number(stats.cleanedUpTo)).keys()].map(BigInt).find((o) => !kept.has(o))!;
    const r = await log.read(gone, 1 << 20);
    expect(r.records.length).to.be.greaterThan(0);
    expect(r.firstOffset > gone || r.firstOffset < gone).to.equal(true);
    const follower = await openLog({ config: cfg });
    for (let o = 0n, i = 0; o < log.logEndOffset && i < 1000; i++) {
      const chunk = await log.read(o, 500);
      await follower.appendAsFollower(Buffer.from(chunk.records));
      o = chunk.nextOffset!;
    }
    expect(await readAll(follower)).to.deep.equal(after);
    await follower.close();
    // Another pass has nothing new to do.
    const again = await cleanLog(log, stats.cleanedUpTo, opts(clock));
    expect(again.cleaned).to.equal(false);
    await log.close();
    const reopened = await openLog({ dir: log.dir, config: cfg });
    expect(await readAll(reopened)).to.deep.equal(after);
    await reopened.close();
  });

  it('with a map too small for the dirty range, cleans a prefix and continues next time', async () => {
    const clock = new TestScheduler(Date.now());
    const log = await openLog({ clock, config: { ...cfg, segmentBytes: 400 } });
    for (let i = 0; i < 40; i++) await log.appendAsLeader(batch({ keys: [`u${i}`, 'hot'], values: [`${i}`, `${i}`] }), 0);
    log.updateHighWatermark(log.logEndOffset);
    const before = await readAll(log);
    const small = { map: new OffsetMap(16 * 12, fnv), clock, logger: quiet }; // 10 keys
    const first = await cleanLog(log, undefined, small);
    expect(first.cleaned).to.equal(true);
    expect(first.cleanedUpTo > 0n && first.cleanedUpTo < log.activeSegment.baseOffset).to.equal(true);
    const after = await readAll(log);
    const key = (r: ReadRecord) => `${r.offset}|${r.key}|${r.value}|${r.timestamp}`;
    const original = new Set(before.map(key));
    const latestOverall = new Map(before.map((r) => [r.key, r.offset]));
    expect(after.every((r) => original.has(key(r)))).to.equal(true);
    expect(after.filter((r) => r.offset >= first.cleanedUpTo)).to.deep.equal(before.filter((r) => r.offset >= first.cleanedUpTo));
    const below = after.filter((r) => r.offset < first.cleanedUpTo);
    expect(new Set(below.map((r) => r.key)).size).to.equal(below.length);
    for (const [k, offset] of latestOverall) expect(after.some((r) => r.key === k && r.offset === offset), `latest of ${k}`).to.equal(true);
    const second = await cleanLog(log, first.cleanedUpTo, { ...small, force: true });
    expect(second.cleanedUpTo > first.cleanedUpTo).to.equal(true);
    await log.close();
  });

  it('keeps the codec of compressed batches it rewrites', async () => {
    const clock = new TestScheduler(Date.now());
    const log = await openLog({ clock, config: cfg });
    await fill(log, 20, 4, clock, CompressionType.Snappy);
    const before = await readAll(log);
    const stats = await cleanLog(log, undefined, opts(clock));
    expect(stats.cleaned).to.equal(true);
    expect(await readAll(log)).to.deep.equal(expectedAfterClean(before, stats.cleanedUpTo));
    const r = await log.read(0n, 1 << 20);
    for (const b of iterateBatches(r.records)) expect(compressionOf(b.header.attributes)).to.equal(CompressionType.Snappy);
    await log.close();
  });

  it('respects minCleanableDirtyRatio and minCompactionLagMs', async () => {
    const clock = new TestScheduler(Date.now());
    const log = await openLog({ clock, config: cfg });
    await fill(log, 30, 5, clock);
    const first = await cleanLog(log, undefined, opts(clock));
    expect(first.cleaned).to.equal(true);
    await fill(log, 10, 5, clock);
    const range = cleanableRange(log, first.cleanedUpTo, clock.now());
    expect(range.dirtyRatio).to.be.greaterThan(0).and.lessThan(1);
    log.updateConfig({ minCleanableDirtyRatio: range.dirtyRatio + 0.01 });
    expect((await cleanLog(log, first.cleanedUpTo, opts(clock))).skipped).to.match(/dirty ratio/);
    log.updateConfig({ minCleanableDirtyRatio: range.dirtyRatio - 0.01 });
    expect((await cleanLog(log, first.cleanedUpTo, opts(clock))).cleaned).to.equal(true);
    const lagged = await openLog({ clock, config: { ...cfg, minCompactionLagMs: DAY } });
    await fill(lagged, 30, 5, clock);
    expect(cleanableRange(lagged, undefined, clock.now()).dirtyBytes).to.equal(0);
    clock.tick(DAY + 1000);
    expect(cleanableRange(lagged, undefined, clock.now()).dirtyBytes).to.be.greaterThan(0);
    await log.close();
    await lagged.close();
  });

  it('removes tombstones only once they have been clean for deleteRetentionMs', async () => {
    const clock = new TestScheduler(Date.now());
    const log = await openLog({ clock, config: { ...cfg, minCleanableDirtyRatio: 0 } });
    await log.appendAsLeader(batch({ keys: ['gone', 'stay'], values: ['1', '1'] }), 0);
    await log.appendAsLeader(batch({ keys: ['gone'], values: [null] }), 0);
    await fill(log, 20, 3, clock);
    const first = await cleanLog(log, undefined, opts(clock));
    const tombstones = async () => (await readAll(log)).filter((r) => r.key === 'gone');
    expect(await tombstones()).to.deep.equal([{ offset: 2n, timestamp: 1_700_000_000_000n, key: 'gone', value: null, leaderEpoch: 0 }]);
    await fill(log, 10, 3, clock);
    const second = await cleanLog(log, first.cleanedUpTo, opts(clock));
    expect(second.cleaned).to.equal(true);
    expect(await tombstones()).to.have.length(1); // clean, but not for a day yet
    clock.tick(DAY + 60_000);
    await fill(log, 10, 3, clock);
    const third = await cleanLog(log, second.cleanedUpTo, opts(clock));
    expect(third.tombstonesRemoved).to.equal(1);
    expect(await tombstones()).to.deep.equal([]);
    expect((await readAll(log)).find((r) => r.key === 'stay')?.value).to.equal('1');
    await log.close();
  });

  it('an interrupted swap rolls back from .cleaned and forward from .swap', async () => {
    const clock = new TestScheduler(Date.now());
    const log = await openLog({ clock, config: cfg });
    await fill(log, 30, 5, clock);
    await log.close();
    const snapshot = join(tmpDir(), 'snap');
    cpSync(log.dir, snapshot, { recursive: true });
    const live = await openLog({ clock, dir: log.dir, config: cfg });
    live.updateHighWatermark(live.logEndOffset);
    const original = await readAll(live);
    const stats = await cleanLog(live, undefined, opts(clock));
    const cleaned = await readAll(live);
    await live.close();
    expect(stats.segmentsOut).to.be.greaterThan(0);
    const newFiles = readdirSync(log.dir).filter((f) => /\.(log|index|timeindex)$/.test(f) && BigInt(f.slice(0, 20)) < stats.cleanedUpTo);

    // Crash before the commit point: only .cleaned files exist next to the old segments.
    const rollBack = join(tmpDir(), 'back');
    cpSync(snapshot, rollBack, { recursive: true });
    for (const f of newFiles) cpSync(join(log.dir, f), join(rollBack, `${f}.cleaned`));
    const back = await openLog({ dir: rollBack, config: cfg });
    expect(back.recoveryReport.removedFiles.filter((f) => f.endsWith('.cleaned'))).to.have.length(newFiles.length);
    expect(await readAll(back)).to.deep.equal(original);
    await back.close();

    // Crash after the commit point: .swap files exist and the old segments were not yet renamed.
    const rollForward = join(tmpDir(), 'fwd');
    cpSync(snapshot, rollForward, { recursive: true });
    for (const f of newFiles) cpSync(join(log.dir, f), join(rollForward, `${f}.swap`));
    rmSync(join(rollForward, '.samsa_cleanshutdown'));
    const fwd = await openLog({ dir: rollForward, config: cfg });
    expect(fwd.recoveryReport.completedSwaps).to.have.length(newFiles.filter((f) => f.endsWith('.log')).length);
    expect(await readAll(fwd)).to.deep.equal(cleaned);
    expect(readdirSync(rollForward).filter((f) => f.endsWith('.swap') || f.endsWith('.deleted'))).to.deep.equal([]);
    await fwd.close();
  });
});
