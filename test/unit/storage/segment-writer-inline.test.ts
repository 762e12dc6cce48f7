/**
 * The inline path of segment-writer.ts: a small append that finds the writer idle is written on
 * the caller's thread before append() returns (no hop to libuv's pool: the low-rate latency path),
 * while a large append, or one arriving while a write runs, goes to the pool and coalesces. A
 * failed inline write ends as an asynchronous one does: rejected, the file cut back to the last
 * good end, everything after refused. Real files; the seam counts (or fails) the calls.
 */
import { expect } from 'chai';
import { readFileSync, statSync } from 'node:fs';
import { StorageError } from '../../../storage/index.js';
import { LogSegment, type AppendInfo } from '../../../storage/segment.js';
import { INLINE_WRITE_MAX_BYTES, nodeWriterFs, type WriterFs } from '../../../storage/segment-writer.js';
import { tmpDir } from '../../helpers/tmp.js';

class CountingFs implements WriterFs {
  inline = 0;
  pooled: number[] = [];
  failInlineFrom = Infinity;
  holdPooled = false;
  private held: (() => void)[] = [];

  writev(fd: number, buffers: readonly Buffer[], position: number, cb: (err: NodeJS.ErrnoException | null, n: number) => void): void {
    this.pooled.push(buffers.length);
    const go = (): void => nodeWriterFs.writev(fd, buffers, position, cb);
    if (this.holdPooled) this.held.push(go);
    else go();
  }

  ftruncate(fd: number, len: number, cb: (err: NodeJS.ErrnoException | null) => void): void {
    nodeWriterFs.ftruncate(fd, len, cb);
  }

  writeSync(fd: number, data: Buffer, offset: number, length: number, position: number): number {
    if (++this.inline >= this.failInlineFrom) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO', syscall: 'write', errno: -5 });
    return nodeWriterFs.writeSync!(fd, data, offset, length, position);
  }

  release(): void {
    this.holdPooled = false;
    for (const go of this.held.splice(0)) go();
  }
}

const params = { segmentIndexBytes: 10 * 1024 * 1024, indexIntervalBytes: 4096 };
const info = (offset: bigint): AppendInfo => ({ firstOffset: offset, lastOffset: offset, maxTimestamp: 1n, offsetOfMaxTimestamp: offset, firstBatchMaxTimestamp: 1n });

describe('storage > appends written inline when small and the writer is idle', () => {
  it('a small append to an idle writer is in the file before append() returns; a large one goes to the pool', async () => {
    const fs = new CountingFs();
    const seg = LogSegment.create(tmpDir('samsa-swi-'), 0n, params, Date.now(), 0, '', fs);
    const small = Buffer.alloc(1000, 1);
    const written = seg.append(small, info(0n));
    expect(seg.writtenSize, 'written synchronously').to.equal(1000);
    expect(seg.pendingWrites).to.equal(0);
    expect(statSync(seg.logPath).size).to.equal(1000);
    await written;
    const large = Buffer.alloc(INLINE_WRITE_MAX_BYTES + 1, 2);
    const p = seg.append(large, info(1n));
    expect(seg.writtenSize, 'a large append waits for the pool').to.equal(1000);
    await p;
    expect({ inline: fs.inline, pooled: fs.pooled }).to.deep.equal({ inline: 1, pooled: [1] });
    expect(readFileSync(seg.logPath)).to.deep.equal(Buffer.concat([small, large]));
    await seg.close();
  });

  it('appends arriving while a pooled write runs queue behind it and coalesce, in order', async () => {
    const fs = new CountingFs();
    const seg = LogSegment.create(tmpDir('samsa-swi-'), 0n, params, Date.now(), 0, '', fs);
    fs.holdPooled = true;
    const parts = [Buffer.alloc(INLINE_WRITE_MAX_BYTES + 1, 1), Buffer.alloc(10, 2), Buffer.alloc(20, 3)];
    const written = parts.map((b, i) => seg.append(b, info(BigInt(i))));
    expect(fs.inline, 'nothing written around the running write').to.equal(0);
    fs.release();
    await Promise.all(written);
    expect(fs.pooled).to.deep.equal([1, 2]);
    expect(readFileSync(seg.logPath)).to.deep.equal(Buffer.concat(parts));
    // Idle again: the next small append is inline.
    await seg.append(Buffer.alloc(5, 4), info(3n));
    expect(fs.inline).to.equal(1);
    await seg.close();
  });

  it('a failed inline write rejects its append, leaves the file at the last good end and refuses what follows', async () => {
    const fs = new CountingFs();
    const seg = LogSegment.create(tmpDir('samsa-swi-'), 0n, params, Date.now(), 0, '', fs);
    await seg.append(Buffer.alloc(100, 1), info(0n));
    fs.failInlineFrom = 2;
    const failed = seg.append(Buffer.alloc(100, 2), info(1n));
    const err = await failed.then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(StorageError);
    expect((err as StorageError).code).to.equal('STG_IO');
    await seg.drainWrites().catch(() => undefined);
    expect(statSync(seg.logPath).size).to.equal(100);
    expect(seg.writtenSize).to.equal(100);
    expect(() => seg.append(Buffer.alloc(10, 3), info(2n)), 'the segment refuses appends after a failed write').to.throw(StorageError);
    expect(statSync(seg.logPath).size).to.equal(100);
  });
});
