import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeRecordBatch } from '../../../protocol/index.js';
import { crc32c } from '../../../protocol/index.js';
import { decodeProducerSnapshot, encodeProducerSnapshot, LogManager, StorageError, type PartitionLog, type ProducerStateEntry } from '../../../storage/index.js';
import { tmpDir } from '../../helpers/tmp.js';
import { openLog, quiet, readAll } from './helpers.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';

const INT32_MAX = 0x7fffffff;
const PID = 4000n;

interface IdemSpec {
  pid?: bigint;
  epoch?: number;
  seq: number;
  count?: number;
  timestamp?: bigint;
  tag?: string;
}

/** An idempotent producer's batch of `count` records starting at sequence `seq`. */
function idem(s: IdemSpec): Buffer {
  const n = s.count ?? 2;
  const ts = s.timestamp ?? 1_700_000_000_000n;
  const records = Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`${s.tag ?? 'r'}-${s.seq}-${i}`), timestamp: ts }));
  return encodeRecordBatch(records, { producerId: s.pid ?? PID, producerEpoch: s.epoch ?? 0, baseSequence: s.seq });
}

async function expectStorageError(p: Promise<unknown>, code: string): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(StorageError);
    expect((err as StorageError).code).to.equal(code);
    return err as StorageError;
  }
  throw new Error(`expected ${code}`);
}

/** Appends `n` batches of 2 records at sequences 0, 2, 4, … and returns their results. */
async function appendRun(log: PartitionLog, n: number, o: { epoch?: number; pid?: bigint; firstSeq?: number; timestamp?: bigint } = {}) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await log.appendAsLeader(idem({ pid: o.pid, epoch: o.epoch, seq: (o.firstSeq ?? 0) + 2 * i, timestamp: o.timestamp }), 3));
  return out;
}

describe('storage > idempotent producer state', () => {
  it('answers a retry of any of the last 5 batches with the original offsets and writes nothing', async () => {
    const log = await openLog();
    await log.appendAsLeader(idem({ pid: 77n, seq: 0, count: 3 }), 3); // another producer first: offsets differ from sequences
    const first = await appendRun(log, 6);
    const before = await readAll(log);
    const leo = log.logEndOffset;
    for (let i = 1; i < 6; i++) {
      const again = await log.appendAsLeader(idem({ seq: 2 * i }), 3);
      expect(again).to.deep.include({ firstOffset: first[i]!.firstOffset, lastOffset: first[i]!.lastOffset, duplicate: true, recordCount: 0 });
    }
    expect(log.logEndOffset).to.equal(leo);
    expect(await readAll(log)).to.deep.equal(before);
    // The 6th-newest batch is no longer cached: a lower sequence is out of order, not a duplicate.
    const err = await expectStorageError(log.appendAsLeader(idem({ seq: 0 }), 3), 'STG_OUT_OF_ORDER_SEQUENCE');
    expect(err.kafkaError).to.equal('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(log.logEndOffset).to.equal(leo);
    await log.close();
  });

  it('refuses a sequence gap and a retry that does not match a cached batch, writing nothing', async () => {
    const log = await openLog();
    await appendRun(log, 2); // sequences 0-1, 2-3
    const leo = log.logEndOffset;
    await expectStorageError(log.appendAsLeader(idem({ seq: 5 }), 3), 'STG_OUT_OF_ORDER_SEQUENCE');
    // Same first sequence as a cached batch but a different length: not the same batch.
    await expectStorageError(log.appendAsLeader(idem({ seq: 2, count: 3 }), 3), 'STG_OUT_OF_ORDER_SEQUENCE');
    expect(log.logEndOffset).to.equal(leo);
    const ok = await log.appendAsLeader(idem({ seq: 4 }), 3);
    expect(ok.firstOffset).to.equal(leo);
    expect(ok.duplicate).to.equal(undefined);
    expect(log.producerState(PID)?.batches.at(-1)?.lastSeq).to.equal(5);
    await log.close();
  });

  it('fences an older epoch and accepts a new epoch only from sequence 0', async () => {
    const log = await openLog();
    await appendRun(log, 2, { epoch: 3 });
    const err = await expectStorageError(log.appendAsLeader(idem({ epoch: 2, seq: 4 }), 3), 'STG_INVALID_PRODUCER_EPOCH');
    expect(err.kafkaError).to.equal('INVALID_PRODUCER_EPOCH');
    await expectStorageError(log.appendAsLeader(idem({ epoch: 4, seq: 4 }), 3), 'STG_OUT_OF_ORDER_SEQUENCE');
    const bumped = await log.appendAsLeader(idem({ epoch: 4, seq: 0 }), 3);
    expect(bumped.duplicate).to.equal(undefined);
    expect(log.producerState(PID)).to.deep.include({ producerEpoch: 4 });
    expect(log.producerState(PID)!.batches).to.have.length(1);
    // A batch of the old epoch that was cached is no longer a duplicate: it is fenced.
    await expectStorageError(log.appendAsLeader(idem({ epoch: 3, seq: 2 }), 3), 'STG_INVALID_PRODUCER_EPOCH');
    expect(log.logEndOffset).to.equal(6n);
    await log.close();
  });

  it('wraps sequences at Int32.MAX and recognises a retried wrapping batch', async () => {
    const log = await openLog();
    // An unknown producer may start anywhere (its state may have expired).
    const a = await log.appendAsLeader(idem({ seq: INT32_MAX - 4, count: 3 }), 3); // MAX-4 … MAX-2
    const wrap = await log.appendAsLeader(idem({ seq: INT32_MAX - 1, count: 4 }), 3); // MAX-1, MAX, 0, 1
    expect(log.producerState(PID)!.batches.at(-1)!.lastSeq).to.equal(1);
    const retry = await log.appendAsLeader(idem({ seq: INT32_MAX - 1, count: 4 }), 3);
    expect(retry).to.deep.include({ duplicate: true, firstOffset: wrap.firstOffset, lastOffset: wrap.lastOffset });
    await expectStorageError(log.appendAsLeader(idem({ seq: 3 }), 3), 'STG_OUT_OF_ORDER_SEQUENCE');
    const next = await log.appendAsLeader(idem({ seq: 2 }), 3);
    expect(next.firstOffset).to.equal(a.lastOffset + 5n);
    // A batch ending exactly at MAX is followed by sequence 0.
    await log.appendAsLeader(idem({ pid: 9n, seq: INT32_MAX - 1, count: 2 }), 3);
    expect((await log.appendAsLeader(idem({ pid: 9n, seq: 0 }), 3)).duplicate).to.equal(undefined);
    await log.close();
  });

  it('checks several batches of one append in order and keeps them all-or-nothing', async () => {
    const log = await openLog();
    await log.appendAsLeader(Buffer.concat([idem({ seq: 0 }), idem({ seq: 2 }), idem({ pid: 5n, seq: 0 })]), 3);
    expect(log.producerState(PID)!.batches.map((b) => b.lastSeq)).to.deep.equal([1, 3]);
    await expectStorageError(log.appendAsLeader(Buffer.concat([idem({ seq: 4 }), idem({ seq: 7 })]), 3), 'STG_OUT_OF_ORDER_SEQUENCE');
    expect(log.logEndOffset).to.equal(6n);
    // A retry glued to new data cannot be answered as a duplicate nor written half.
    await expectStorageError(log.appendAsLeader(Buffer.concat([idem({ seq: 2 }), idem({ seq: 4 })]), 3), 'STG_OUT_OF_ORDER_SEQUENCE');
    // Nor can a plain batch glued to a retry be dropped silently.
    const plain = encodeRecordBatch([{ key: null, value: Buffer.from('plain') }]);
    await expectStorageError(log.appendAsLeader(Buffer.concat([plain, idem({ seq: 2 })]), 3), 'STG_OUT_OF_ORDER_SEQUENCE');
    expect(log.logEndOffset).to.equal(6n);
    const both = await log.appendAsLeader(Buffer.concat([idem({ seq: 0 }), idem({ seq: 2 })]), 3);
    expect(both).to.deep.include({ duplicate: true, firstOffset: 0n, lastOffset: 3n });
    await log.close();
  });

  it('returns the original append time for a retried batch under LogAppendTime', async () => {
    const clock = new TestScheduler();
    const log = await openLog({ clock, config: { messageTimestampType: 'LogAppendTime' } });
    const first = await log.appendAsLeader(idem({ seq: 0 }), 3);
    clock.tick(5_000);
    const again = await log.appendAsLeader(idem({ seq: 0 }), 3);
    expect(again).to.deep.include({ duplicate: true, logAppendTime: first.logAppendTime });
    expect(first.logAppendTime).to.equal(BigInt(clock.now() - 5_000));
    await log.close();
  });

  it('non-idempotent and non-client appends skip the checks', async () => {
    const log = await openLog();
    await appendRun(log, 1);
    const plain = encodeRecordBatch([{ key: null, value: Buffer.from('x') }]);
    expect((await log.appendAsLeader(plain, 3)).firstOffset).to.equal(2n);
    // A coordinator writing on its own behalf is not sequence-checked.
    expect((await log.appendAsLeader(idem({ seq: 9 }), 3, { origin: 'coordinator' })).firstOffset).to.equal(3n);
    expect(log.producerState(PID)!.batches.at(-1)!.lastSeq).to.equal(10);
    await log.close();
  });

  it('follower appends update state without checks, so a new leader recognises retries', async () => {
    const leader = await openLog();
    await appendRun(leader, 3);
    const follower = await openLog();
    const copy = await leader.read(0n, 1 << 20);
    await follower.appendAsFollower(Buffer.from(copy.records));
    // Replicated input is never refused for sequences, even with a gap.
    const gap = idem({ seq: 40 });
    gap.writeBigInt64BE(6n, 0);
    await follower.appendAsFollower(gap);
    expect(follower.producerState(PID)!.batches.map((b) => b.lastSeq)).to.deep.equal([1, 3, 5, 41]);
    const retry = await follower.appendAsLeader(idem({ seq: 2 }), 4);
    expect(retry).to.deep.include({ duplicate: true, firstOffset: 2n, lastOffset: 3n });
    await leader.close();
    await follower.close();
  });

  it('survives a clean restart from the snapshot written at close, with all 5 batches', async () => {
    const log = await openLog();
    const results = await appendRun(log, 7);
    await log.close();
    expect(readdirSync(log.dir)).to.include('00000000000000000014.snapshot');
    const again = await openLog({ dir: log.dir });
    expect(again.producerStateLoad).to.deep.equal({ snapshotOffset: 14n, replayedBatches: 0 });
    for (let i = 2; i < 7; i++) {
      expect(await again.appendAsLeader(idem({ seq: 2 * i }), 3)).to.deep.include({ duplicate: true, firstOffset: results[i]!.firstOffset });
    }
    await expectStorageError(again.appendAsLeader(idem({ seq: 15 }), 3), 'STG_OUT_OF_ORDER_SEQUENCE');
    expect((await again.appendAsLeader(idem({ seq: 14 }), 3)).firstOffset).to.equal(14n);
    await again.close();
  });

  it('survives an unclean shutdown by replaying batches after the last roll snapshot', async () => {
    const cfg = { segmentBytes: 400 };
    const log = await openLog({ config: cfg });
    const results = await appendRun(log, 12);
    expect(log.numberOfSegments).to.be.greaterThan(2);
    const snapshots = readdirSync(log.dir).filter((f) => f.endsWith('.snapshot'));
    // Kept for the last two segments only, named by the segment base offsets.
    expect(snapshots).to.deep.equal(log.segments().slice(-2).map((s) => `${s.baseOffset.toString().padStart(20, '0')}.snapshot`));
    // No close(): the process "dies"; the state after the last roll exists only in the log.
    const again = await openLog({ dir: log.dir, config: cfg });
    expect(again.recoveryReport.hadCleanShutdown).to.equal(false);
    expect(again.producerStateLoad.snapshotOffset).to.equal(log.activeSegment.baseOffset);
    expect(again.producerStateLoad.replayedBatches).to.be.greaterThan(0);
    for (let i = 7; i < 12; i++) {
      expect(await again.appendAsLeader(idem({ seq: 2 * i }), 3)).to.deep.include({ duplicate: true, firstOffset: results[i]!.firstOffset });
    }
    expect((await again.appendAsLeader(idem({ seq: 24 }), 3)).firstOffset).to.equal(24n);
    await log.close({ clean: false });
    await again.close();
  });

  it('rebuilds from the log alone when snapshots are missing or corrupt', async () => {
    const log = await openLog();
    const results = await appendRun(log, 4);
    await log.close();
    const snap = join(log.dir, '00000000000000000008.snapshot');
    const bytes = readFileSync(snap);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    writeFileSync(snap, bytes);
    const again = await openLog({ dir: log.dir });
    expect(again.producerStateLoad).to.deep.equal({ snapshotOffset: undefined, replayedBatches: 4 });
    expect(existsSync(snap)).to.equal(false);
    expect(await again.appendAsLeader(idem({ seq: 6 }), 3)).to.deep.include({ duplicate: true, firstOffset: results[3]!.firstOffset });
    await again.close();
  });

  it('truncation drops state past the truncation point and its snapshots', async () => {
    const cfg = { segmentBytes: 400 };
    const log = await openLog({ config: cfg });
    await appendRun(log, 12);
    const cut = 10n; // keeps batches with sequences 0..9
    await log.truncateTo(cut);
    expect(log.producerState(PID)!.batches.at(-1)).to.deep.include({ lastSeq: 9, lastOffset: 9n });
    const left = readdirSync(log.dir).filter((f) => f.endsWith('.snapshot')).map((f) => BigInt(f.slice(0, 20)));
    expect(left.every((o) => o <= cut)).to.equal(true);
    // The removed batch is new again: appended, not a duplicate.
    const resent = await log.appendAsLeader(idem({ seq: 10 }), 4);
    expect(resent).to.deep.include({ firstOffset: 10n });
    expect(resent.duplicate).to.equal(undefined);
    await log.truncateFullyAndStartAt(100n);
    expect(log.activeProducerCount).to.equal(0);
    expect(readdirSync(log.dir).filter((f) => f.endsWith('.snapshot'))).to.deep.equal([]);
    await log.close();
  });

  it('moving the log start forgets producers whose batches are all gone', async () => {
    const log = await openLog();
    await appendRun(log, 2, { pid: 1n }); // offsets 0-3
    await appendRun(log, 2, { pid: 2n }); // offsets 4-7
    log.updateHighWatermark(log.logEndOffset);
    await log.advanceLogStartOffset(6n);
    expect(log.producerState(1n)).to.equal(undefined);
    expect(log.producerState(2n)!.batches.map((b) => b.lastOffset)).to.deep.equal([7n]);
    // Unknown again: any sequence is accepted.
    expect((await log.appendAsLeader(idem({ pid: 1n, seq: 33 }), 3)).firstOffset).to.equal(8n);
    await log.close();
  });

  it('expires producers idle for producerIdExpirationMs on the broker clock (fake clock)', async () => {
    const clock = new TestScheduler();
    const log = await openLog({ clock, producerIdExpirationMs: 60_000 });
    // Record timestamps far in the past do not expire a producer that is active now.
    await appendRun(log, 1, { pid: 1n, timestamp: 1_000n });
    clock.tick(30_000);
    await appendRun(log, 1, { pid: 2n, timestamp: 1_000n });
    clock.tick(29_999);
    expect(await log.removeExpiredProducers()).to.equal(0);
    clock.tick(1);
    expect(await log.removeExpiredProducers()).to.equal(1);
    expect(log.producerState(1n)).to.equal(undefined);
    expect(log.producerState(2n)).to.not.equal(undefined);
    // The expired producer continues at any sequence; the live one is still checked.
    expect((await log.appendAsLeader(idem({ pid: 1n, seq: 50 }), 3)).duplicate).to.equal(undefined);
    await expectStorageError(log.appendAsLeader(idem({ pid: 2n, seq: 50 }), 3), 'STG_OUT_OF_ORDER_SEQUENCE');
    // A restart restarts the idle timers: state is never dropped early because the broker was down.
    await log.close();
    clock.tick(120_000);
    const again = await openLog({ dir: log.dir, clock, producerIdExpirationMs: 60_000 });
    expect(again.activeProducerCount).to.equal(2);
    clock.tick(59_999);
    expect(await again.removeExpiredProducers()).to.equal(0);
    clock.tick(1);
    expect(await again.removeExpiredProducers()).to.equal(2);
    await again.close();
  });

  it('snapshot files use Kafka\'s layout: version 1, CRC32C, 46-byte entries, one per cached batch', () => {
    const entry: ProducerStateEntry = {
      producerId: 7n, producerEpoch: 2, lastTimestamp: 1234n, lastUpdateMs: 0, coordinatorEpoch: -1, currentTxnFirstOffset: -1n,
      batches: [{ lastSeq: 4, lastOffset: 14n, offsetDelta: 4, timestamp: 1000n }, { lastSeq: 6, lastOffset: 20n, offsetDelta: 1, timestamp: 1234n }],
    };
    const idle: ProducerStateEntry = { ...entry, producerId: 8n, batches: [], lastTimestamp: 99n };
    const buf = encodeProducerSnapshot([entry, idle]);
    expect(buf.length).to.equal(10 + 3 * 46);
    expect(buf.readInt16BE(0)).to.equal(1);
    expect(buf.readUInt32BE(2)).to.equal(crc32c(buf.subarray(6)));
    expect(buf.readInt32BE(6)).to.equal(3);
    // The last row of a producer is its latest batch: what Kafka itself would have written.
    expect(buf.readBigInt64BE(10 + 46)).to.equal(7n);
    expect(buf.readInt32BE(10 + 46 + 10)).to.equal(6);
    expect(buf.readBigInt64BE(10 + 46 + 14)).to.equal(20n);
    const back = decodeProducerSnapshot(buf);
    expect(back.map((e) => ({ ...e, lastUpdateMs: 0 }))).to.deep.equal([entry, { ...idle, lastUpdateMs: 0 }]);
    buf[20] = buf[20]! ^ 1;
    expect(() => decodeProducerSnapshot(buf)).to.throw(StorageError, /CRC32C/);
  });

  it('the LogManager expires idle producers of every log on its periodic task', async () => {
    const clock = new TestScheduler(Date.now());
    const m = await LogManager.start({ logDirs: [tmpDir()], clock, scheduler: clock, logger: quiet, producerIdExpirationMs: 1_000, intervals: { producerIdExpirationCheckMs: 500 } });
    const logs = await Promise.all([m.getOrCreateLog('a', 0), m.getOrCreateLog('a', 1)]);
    for (const log of logs) await log.appendAsLeader(idem({ seq: 0 }), 0);
    await clock.tickAsync(500); // a check, 500 ms into a 1 s expiration
    expect(logs.map((l) => l.activeProducerCount)).to.deep.equal([1, 1]);
    await clock.tickAsync(1_000); // two more checks, the last one past the expiration
    expect(logs.map((l) => l.activeProducerCount)).to.deep.equal([0, 0]);
    await m.shutdown();
  });
});
