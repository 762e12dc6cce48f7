import { expect } from 'chai';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { batch, openLog, readAll, records } from './helpers.js';

/** What the file holds at the log's tail: the bytes a read from memory must equal. */
function fileBytes(path: string, position: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const out = Buffer.alloc(length);
    const n = readSync(fd, out, 0, length, position);
    return out.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** A follower's batch: offsets from the leader (baseOffset lies outside the CRC). */
function at(baseOffset: bigint, b: Buffer): Buffer {
  b.writeBigInt64BE(baseOffset, 0);
  return b;
}

const joined = (r: { records: Buffer; parts?: readonly Buffer[] }): Buffer => (r.parts === undefined ? r.records : Buffer.concat(r.parts));

describe('storage > reads of the log tail from the appended buffers', () => {
  it('serve the appended chunks as pieces, byte for byte what the file holds, within maxBytes and maxOffset', async () => {
    const log = await openLog({ config: { indexIntervalBytes: 100 } });
    for (let i = 0; i < 5; i++) await log.appendAsLeader(Buffer.concat([batch({ count: 2, prefix: `a${i}` }), batch({ count: 2, prefix: `b${i}` })]), 1);
    const file = join(log.dir, '00000000000000000000.log');
    const r = await log.read(0n, 1 << 20);
    expect(r.parts, 'five appended chunks, unjoined').to.have.length(5);
    expect(joined(r).equals(fileBytes(file, 0, statSync(file).size))).to.equal(true);
    expect(r.records.equals(joined(r))).to.equal(true);
    expect([r.firstOffset, r.nextOffset]).to.deep.equal([0n, 20n]);
    // From the middle of a chunk: starts at the batch holding the offset.
    const mid = await log.read(6n, 1 << 20);
    expect(records(joined(mid))[0]!.offset).to.equal(6n);
    expect(mid.firstOffset).to.equal(6n);
    // maxBytes cuts at a whole batch; maxOffset keeps batches reaching it out.
    const one = batch({ count: 2, prefix: 'x' }).length;
    const cut = await log.read(0n, one * 3 + 1);
    expect([cut.nextOffset, joined(cut).length]).to.deep.equal([6n, one * 3]);
    const below = await log.read(0n, 1 << 20, { maxOffset: 9n });
    expect(below.nextOffset).to.equal(8n);
    await log.close();
  });

  it('forget a truncated tail: a re-appended offset reads the new bytes', async () => {
    const log = await openLog();
    for (let i = 0; i < 4; i++) await log.appendAsLeader(batch({ count: 5, prefix: `old${i}` }), 1);
    expect((await log.read(0n, 1 << 20)).parts).to.have.length(4);
    await log.truncateTo(10n);
    await log.appendAsLeader(batch({ count: 5, prefix: 'new' }), 2);
    const all = await readAll(log);
    expect(all.map((x) => x.offset)).to.deep.equal([...Array(15).keys()].map(BigInt));
    expect(all.slice(10).every((x) => /^new/.test(x.value ?? ''))).to.equal(true);
    await log.close();
  });

  it('follower appends are not kept in memory: their reads come from the file', async () => {
    const log = await openLog();
    for (let i = 0; i < 3; i++) await log.appendAsFollower(at(BigInt(i * 5), batch({ count: 5, prefix: `f${i}` })));
    const r = await log.read(0n, 1 << 20);
    expect(r.parts).to.equal(undefined);
    expect(records(r.records).map((x) => x.offset)).to.deep.equal([...Array(15).keys()].map(BigInt));
    await log.close();
  });

  it('a read behind the in-memory tail reads the wanted bytes once, hopping over the indexed chunk before them by its header', async () => {
    // Follower appends are read from the file. Each chunk is one ~100 KB batch: the index entry
    // for a chunk's offsets below the wanted one points at that earlier chunk's start.
    const log = await openLog({ config: { indexIntervalBytes: 100 } });
    for (let i = 0; i < 4; i++) await log.appendAsFollower(at(BigInt(i * 100), batch({ count: 100, valueSize: 1000, prefix: `c${i}` })));
    const seg = (log as unknown as { local: { activeSegment: { readAt: (p: number, n: number) => Promise<Buffer> } } }).local.activeSegment;
    const readAt = seg.readAt;
    let bytesRead = 0;
    seg.readAt = async (p, n) => {
      const b = await readAt(p, n);
      bytesRead += b.length;
      return b;
    };
    const chunk = batch({ count: 100, valueSize: 1000 }).length;
    for (const [from, maxBytes] of [[200n, chunk], [100n, chunk], [300n, chunk], [200n, 0], [250n, chunk * 2]] as const) {
      bytesRead = 0;
      const r = await log.read(from, maxBytes);
      const got = records(r.records);
      expect(got[0]!.offset, `the batch holding ${from}`).to.equal((from / 100n) * 100n);
      expect(got.at(-1)!.offset).to.equal(from === 250n ? 399n : (from / 100n) * 100n + 99n);
      expect(bytesRead, `bytes read for ${r.records.length} returned (from ${from}, maxBytes ${maxBytes})`).to.be.lessThan(r.records.length + 1024);
    }
    await log.close();
  });

  it('after a roll the old segment is read from its file', async () => {
    const log = await openLog({ config: { segmentBytes: 600 } });
    for (let i = 0; i < 6; i++) await log.appendAsLeader(batch({ count: 2, prefix: `r${i}`, valueSize: 100 }), 1);
    expect(log.numberOfSegments).to.be.greaterThan(1);
    const first = await log.read(0n, 1 << 20);
    expect(first.parts, 'a rolled segment is not in memory').to.equal(undefined);
    expect((await readAll(log)).map((x) => x.offset)).to.deep.equal([...Array(12).keys()].map(BigInt));
    await log.close();
  });
});
