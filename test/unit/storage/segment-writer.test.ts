/**
 * Appends off the event loop (segment-writer.ts): bytes reach the file through one positional
 * writev at a time, appends queued meanwhile coalesce into the next call, reads of bytes not yet
 * written equal the file afterwards, everything that cuts or closes a segment waits for pending
 * writes, and a failed write rejects the failing append and every one queued behind it, leaving
 * the file at the end of the last write that completed. The file system is real; a gate holds
 * writes back (or fails them) at the one seam the writer has.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CompressionType, encodeEndTxnMarkerBatch, encodeRecordBatch } from '../../../protocol/index.js';
import { PartitionLog, StorageError } from '../../../storage/index.js';
import { LogSegment, type AppendInfo } from '../../../storage/segment.js';
import { nodeWriterFs, type WriterFs } from '../../../storage/segment-writer.js';
import { tmpDir } from '../../helpers/tmp.js';
import { batch, quiet, readAll, rejection } from './helpers.js';

/** node:fs writes, held until `release()` while `hold` is set; `failFrom` makes calls from that number on fail with EIO. */
class GateFs implements WriterFs {
  hold = false;
  failFrom = Infinity;
  /** A call whose write goes out only half (a short write), before the rest is asked for. */
  shortCall = -1;
  calls: number[] = [];
  private held: (() => void)[] = [];

  writev(fd: number, buffers: readonly Buffer[], position: number, cb: (err: NodeJS.ErrnoException | null, n: number) => void): void {
    const call = this.calls.length;
    this.calls.push(buffers.length);
    const go = (): void => {
      if (call >= this.failFrom) return cb(Object.assign(new Error('EIO: i/o error, writev'), { code: 'EIO', syscall: 'writev', errno: -5 }), 0);
      if (call === this.shortCall) {
        const half = buffers[0]!.subarray(0, Math.max(1, buffers[0]!.length >> 1));
        return nodeWriterFs.writev(fd, [half], position, cb);
      }
      nodeWriterFs.writev(fd, buffers, position, cb);
    };
    if (this.hold) this.held.push(go);
    else go();
  }

  ftruncate(fd: number, len: number, cb: (err: NodeJS.ErrnoException | null) => void): void {
    nodeWriterFs.ftruncate(fd, len, cb);
  }

  release(): void {
    this.hold = false;
    const h = this.held;
    this.held = [];
    for (const go of h) go();
  }
}

const params = { segmentIndexBytes: 10 * 1024 * 1024, indexIntervalBytes: 4096 };

/** A chunk of `n` bytes standing for batches [first, first + 1). */
function chunk(n: number, fill: number): Buffer {
  return Buffer.alloc(n, fill);
}
function info(offset: bigint): AppendInfo {
  return { firstOffset: offset, lastOffset: offset, maxTimestamp: 1n, offsetOfMaxTimestamp: offset, firstBatchMaxTimestamp: 1n };
}

/** Lets every callback already due run (the writer's syscalls finish on libuv's pool). */
async function ticks(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}

describe('storage > appends written off the event loop', () => {
  it('coalesces the appends queued while a write runs into one writev, in order, byte for byte', async () => {
    const gate = new GateFs();
    const seg = LogSegment.create(tmpDir('samsa-sw-'), 0n, params, Date.now(), 0, '', gate);
    gate.hold = true;
    const parts = [chunk(100, 1), chunk(200, 2), chunk(300, 3), chunk(400, 4), chunk(500, 5)];
    const written = parts.map((p, i) => seg.append(p, info(BigInt(i))));
    expect(seg.size).to.equal(1500);
    expect(seg.writtenSize).to.equal(0);
    expect(seg.pendingWrites).to.equal(5);
    gate.release();
    await Promise.all(written);
    // The first append went out alone; the four queued behind it in one call.
    expect(gate.calls).to.deep.equal([1, 4]);
    expect(seg.writtenSize).to.equal(1500);
    expect(readFileSync(seg.logPath)).to.deep.equal(Buffer.concat(parts));
    await seg.close();
  });

  it('reads of bytes still on their way to the file equal the file afterwards', async () => {
    const gate = new GateFs();
    const seg = LogSegment.create(tmpDir('samsa-sw-'), 0n, params, Date.now(), 0, '', gate);
    const first = chunk(1000, 7);
    await seg.append(first, info(0n));
    gate.hold = true;
    const later = [chunk(300, 8), chunk(300, 9)];
    const written = later.map((p, i) => seg.append(p, info(BigInt(i + 1))));
    const whileHeld = await seg.readAt(500, 2000);
    expect(whileHeld.length).to.equal(1100);
    gate.release();
    await Promise.all(written);
    expect(whileHeld).to.deep.equal(readFileSync(seg.logPath).subarray(500));
    await seg.close();
  });

  it('flush, truncation and close wait for pending writes', async () => {
    const gate = new GateFs();
    const seg = LogSegment.create(tmpDir('samsa-sw-'), 0n, params, Date.now(), 0, '', gate);
    await seg.append(chunk(100, 1), info(0n));
    const events: string[] = [];
    gate.hold = true;
    const w1 = seg.append(chunk(100, 2), info(1n)).then(() => events.push('written 1'));
    const flushed = seg.flush().then(() => events.push('flushed'));
    await ticks();
    expect(events).to.deep.equal([]);
    gate.release();
    await Promise.all([w1, flushed]);
    expect(seg.flushedSize).to.equal(200);

    gate.hold = true;
    const w2 = seg.append(chunk(100, 3), info(2n)).then(() => events.push('written 2'));
    const cut = seg.truncateTo(100, 1n).then(() => events.push('truncated'));
    await ticks();
    gate.release();
    await Promise.all([w2, cut]);
    expect(statSync(seg.logPath).size).to.equal(100);
    expect(seg.writtenSize).to.equal(100);

    gate.hold = true;
    const w3 = seg.append(chunk(50, 4), info(1n)).then(() => events.push('written 3'));
    const closed = seg.close().then(() => events.push('closed'));
    await ticks();
    gate.release();
    await Promise.all([w3, closed]);
    expect(events).to.deep.equal(['written 1', 'flushed', 'written 2', 'truncated', 'written 3', 'closed']);
    expect(statSync(seg.logPath).size).to.equal(150);
  });

  it('a failed write rejects it and every append queued behind it, and cuts the file at the last write that completed', async () => {
    const gate = new GateFs();
    const seg = LogSegment.create(tmpDir('samsa-sw-'), 0n, params, Date.now(), 0, '', gate);
    await seg.append(chunk(100, 1), info(0n));
    // The next write goes out half (a short write), and asking for the rest fails: EIO.
    gate.hold = true;
    gate.shortCall = 1;
    gate.failFrom = 2;
    const queued = [seg.append(chunk(400, 2), info(1n)), seg.append(chunk(400, 3), info(2n)), seg.append(chunk(400, 4), info(3n))];
    gate.release();
    for (const err of await Promise.all(queued.map(rejection))) {
      expect(err.code).to.equal('STG_IO');
      expect(err.message).to.match(/EIO/);
    }
    expect(statSync(seg.logPath).size).to.equal(100);
    expect(readFileSync(seg.logPath)).to.deep.equal(chunk(100, 1));
    expect(seg.writtenSize).to.equal(100);
    // Nothing more is accepted: no later append can be reported written.
    expect(() => seg.append(chunk(10, 5), info(4n))).to.throw(StorageError).with.property('code', 'STG_IO');
    expect((await rejection(seg.drainWrites())).code).to.equal('STG_IO');
    await seg.close(false);
  });
});

describe('storage > a partition log while its appends are being written', () => {
  async function openGated() {
    const gate = new GateFs();
    const failures: StorageError[] = [];
    const dir = join(tmpDir('samsa-sw-log-'), 't-0');
    const log = await PartitionLog.open({ dir, topic: 't', partition: 0, logger: quiet, writerFs: gate, onIoError: (err) => failures.push(err) });
    // The first segment came from opening the directory; the ones rolled later write through the gate.
    await log.appendAsLeader(batch({ count: 2 }), 0);
    await log.forceRoll();
    return { gate, log, dir, failures };
  }

  it('shows nothing of an append until its write completed: log end offset, high watermark and reads stay behind', async () => {
    const { gate, log } = await openGated();
    log.updateHighWatermark(2n);
    gate.hold = true;
    let acknowledged = false;
    const a = log.appendAsLeader(batch({ count: 3 }), 0).then((r) => ((acknowledged = true), r));
    const b = log.appendAsLeader(batch({ count: 4 }), 0);
    await ticks();
    expect(acknowledged).to.equal(false);
    expect(log.logEndOffset).to.equal(2n);
    expect(log.pendingWrites).to.be.greaterThan(0);
    expect(log.updateHighWatermark(9n)).to.equal(2n);
    const r = await log.read(2n, 1 << 20);
    expect(r.records.length).to.equal(0);
    gate.release();
    expect((await a).firstOffset).to.equal(2n);
    expect((await b).firstOffset).to.equal(5n);
    expect(log.logEndOffset).to.equal(9n);
    expect(log.updateHighWatermark(9n)).to.equal(9n);
    expect((await readAll(log)).map((x) => x.offset)).to.deep.equal([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    await log.close();
  });

  it('a failed write fails that append and the ones queued behind it, takes the log offline, and reopening finds the last good end', async () => {
    const { gate, log, dir, failures } = await openGated();
    gate.hold = true;
    gate.failFrom = gate.calls.length;
    const a = log.appendAsLeader(batch({ count: 3 }), 0);
    const b = log.appendAsLeader(batch({ count: 4 }), 0);
    gate.release();
    const errs = await Promise.all([rejection(a), rejection(b)]);
    expect(errs.map((e) => e.code)).to.deep.equal(['STG_IO', 'STG_IO']);
    expect(failures).to.have.length(1);
    expect(log.isOffline).to.equal(true);
    expect(log.logEndOffset).to.equal(2n);
    expect((await rejection(log.appendAsLeader(batch(), 0))).code).to.equal('STG_LOG_DIR_OFFLINE');
    // The descriptors close once the failed write's cut is done; what is on disk ends at offset 2.
    await log.close().catch(() => undefined);
    const reopened = await PartitionLog.open({ dir, topic: 't', partition: 0, logger: quiet });
    expect(reopened.logEndOffset).to.equal(2n);
    expect(reopened.recoveryReport.truncatedBytes).to.equal(0);
    await reopened.close();
  });

  it('an ABORT marker reaches .txnindex only after its batch is in the log file', async () => {
    const { gate, log } = await openGated();
    const txn = encodeRecordBatch([{ value: Buffer.from('t'), timestamp: 1_700_000_000_000n }], { compression: CompressionType.None, producerId: 7n, producerEpoch: 0, baseSequence: 0, transactional: true });
    await log.appendAsLeader(txn, 0);
    gate.hold = true;
    const abort = log.appendAsLeader(encodeEndTxnMarkerBatch({ producerId: 7n, producerEpoch: 0, type: 'ABORT', coordinatorEpoch: 3, timestamp: 1_700_000_000_000n }), 0, { origin: 'coordinator' });
    // The marker's offsets are decided, but its index entry (and the end of its transaction) wait for its write.
    await ticks();
    expect(readdirSync(log.dir).filter((f) => f.endsWith('.txnindex'))).to.deep.equal([]);
    expect(log.abortedTransactions).to.deep.equal([]);
    gate.release();
    expect((await abort).firstOffset).to.equal(3n);
    expect(log.abortedTransactions.map((t) => t.lastOffset)).to.deep.equal([3n]);
    expect(readdirSync(log.dir).filter((f) => f.endsWith('.txnindex'))).to.have.length(1);
    await log.close();
  });
});
