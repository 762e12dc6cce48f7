import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { batch, openLog, readAll } from './helpers.js';

const SEGMENT = '00000000000000000000';

describe('storage > recovery', () => {
  it('cuts a torn write at the tail and keeps everything before it', async () => {
    const log = await openLog();
    for (let i = 0; i < 5; i++) await log.appendAsLeader(batch({ count: 2, prefix: `b${i}` }), 1);
    const before = await readAll(log);
    const path = join(log.dir, `${SEGMENT}.log`);
    const size = statSync(path).size;
    // The process "dies" mid-write: no close(), last batch half on disk.
    truncateSync(path, size - 20);
    const again = await openLog({ dir: log.dir });
    const report = again.recoveryReport;
    expect(report.hadCleanShutdown).to.equal(false);
    expect(report.problem?.reason).to.match(/batch of \d+ bytes but only \d+ present/);
    expect(report.truncatedBytes).to.equal(batch({ count: 2, prefix: 'b4' }).length - 20);
    expect(again.logEndOffset).to.equal(8n);
    expect(await readAll(again)).to.deep.equal(before.slice(0, 8));
    const r = await again.appendAsLeader(batch(), 1);
    expect(r.firstOffset).to.equal(8n);
    await again.close();
  });

  it('cuts at a flipped byte mid-log, drops later segments and invents nothing', async () => {
    const cfg = { segmentBytes: 400 };
    const log = await openLog({ config: cfg });
    for (let i = 0; i < 16; i++) await log.appendAsLeader(batch({ count: 2, prefix: `b${i}` }), 2);
    const before = await readAll(log);
    const segs = log.segments();
    expect(segs.length).to.be.at.least(4);
    const victim = segs[1]!;
    const path = join(log.dir, `${victim.baseOffset.toString().padStart(20, '0')}.log`);
    const bytes = readFileSync(path);
    const batchLen = batch({ count: 2, prefix: 'b0' }).length;
    bytes[batchLen + 70] = bytes[batchLen + 70]! ^ 0x55; // inside the second batch's records: CRC breaks
    writeFileSync(path, bytes);
    const again = await openLog({ dir: log.dir, config: cfg });
    const report = again.recoveryReport;
    expect(report.problem).to.deep.include({ segmentBaseOffset: victim.baseOffset, position: batchLen });
    expect(report.problem?.reason).to.equal('CRC32C mismatch');
    expect(report.deletedSegments).to.deep.equal(segs.slice(2).map((s) => s.baseOffset));
    const kept = victim.baseOffset + 2n;
    expect(again.logEndOffset).to.equal(kept);
    expect(await readAll(again)).to.deep.equal(before.slice(0, Number(kept)));
    expect(readdirSync(again.dir).filter((f) => f.endsWith('.log'))).to.have.length(2);
    await again.close();
  });

  it('skips the scan after a clean shutdown and rescans from the recovery point otherwise', async () => {
    const cfg = { segmentBytes: 400 };
    const log = await openLog({ config: cfg });
    for (let i = 0; i < 12; i++) await log.appendAsLeader(batch({ count: 2 }), 0);
    await log.close();
    const clean = await openLog({ dir: log.dir, config: cfg });
    expect(clean.recoveryReport.recoveredSegments).to.deep.equal([]);
    const segs = clean.segments();
    for (let i = 0; i < 2; i++) await clean.appendAsLeader(batch({ count: 2 }), 0);
    // crash: no close. A recovery point from the checkpoint limits the rescan.
    const again = await openLog({ dir: log.dir, config: cfg, recoveryPoint: segs.at(-1)!.baseOffset });
    expect(again.recoveryReport.hadCleanShutdown).to.equal(false);
    const rp = segs.at(-1)!.baseOffset;
    expect(again.recoveryReport.recoveredSegments).to.deep.equal(again.segments().map((s) => s.baseOffset).filter((b) => b >= rp));
    expect(again.recoveryReport.recoveredSegments).to.have.length.lessThan(again.segments().length);
    expect(again.logEndOffset).to.equal(28n);
    expect((await readAll(again)).map((r) => r.offset)).to.deep.equal([...Array(28).keys()].map(BigInt));
    await again.close();
  });

  it('rebuilds missing and corrupt index files', async () => {
    const cfg = { segmentBytes: 1000, indexIntervalBytes: 10 };
    const log = await openLog({ config: cfg });
    for (let i = 0; i < 20; i++) await log.appendAsLeader(batch({ count: 3 }), 0);
    const before = await readAll(log);
    const segs = log.segments();
    await log.close();
    const name = (b: bigint, s: string) => join(log.dir, b.toString().padStart(20, '0') + s);
    rmSync(name(segs[0]!.baseOffset, '.index'));
    writeFileSync(name(segs[1]!.baseOffset, '.index'), Buffer.from([0, 0, 0, 9, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 1]));
    writeFileSync(name(segs[2]!.baseOffset, '.timeindex'), Buffer.alloc(7));
    const again = await openLog({ dir: log.dir, config: cfg });
    expect(again.recoveryReport.rebuiltIndexes).to.deep.equal(segs.slice(0, 3).map((s) => s.baseOffset));
    expect(await readAll(again)).to.deep.equal(before);
    const mid = await again.read(segs[1]!.baseOffset + 4n, 10);
    expect(mid.firstOffset).to.equal(segs[1]!.baseOffset + 3n);
    expect(existsSync(name(segs[0]!.baseOffset, '.index'))).to.equal(true);
    expect(statSync(name(segs[1]!.baseOffset, '.index')).size % 8).to.equal(0);
    await again.close();
  });

  it('removes leftovers of deleted segments and stray temp files', async () => {
    const log = await openLog();
    await log.appendAsLeader(batch(), 0);
    await log.close();
    writeFileSync(join(log.dir, '00000000000000000099.log.deleted'), 'x');
    writeFileSync(join(log.dir, '.recovery-point-offset-checkpoint.1.2.tmp'), 'x');
    const again = await openLog({ dir: log.dir });
    expect(again.recoveryReport.removedFiles).to.have.members(['00000000000000000099.log.deleted', '.recovery-point-offset-checkpoint.1.2.tmp']);
    await again.close();
  });
});

describe('storage > recovery after a clean shutdown', () => {
  it('still cuts garbage found behind the last batch', async () => {
    const log = await openLog();
    for (let i = 0; i < 3; i++) await log.appendAsLeader(batch({ count: 2 }), 0);
    await log.close();
    const path = join(log.dir, `${SEGMENT}.log`);
    const good = statSync(path).size;
    writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.alloc(100, 7)]));
    const again = await openLog({ dir: log.dir });
    expect(again.recoveryReport.hadCleanShutdown).to.equal(true);
    expect(again.recoveryReport.rebuiltIndexes).to.deep.equal([0n]);
    expect(again.recoveryReport.truncatedBytes).to.equal(100);
    expect(statSync(path).size).to.equal(good);
    expect((await again.appendAsLeader(batch(), 0)).firstOffset).to.equal(6n);
    expect((await readAll(again)).length).to.equal(7);
    await again.close();
  });
});
