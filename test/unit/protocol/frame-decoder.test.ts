import { expect } from 'chai';
import { FrameDecoder, ProtocolError } from '../../../protocol/index.js';
import { SeededRandom, testSeed } from './seeded-random.js';

function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
}

describe('protocol > FrameDecoder', () => {
  it('returns frames without the size prefix from split and merged chunks (seeded)', () => {
    const rnd = new SeededRandom(testSeed());
    for (let iter = 0; iter < 50; iter++) {
      const payloads = Array.from({ length: rnd.int(1, 20) }, () => rnd.bytes(rnd.int(0, 300)));
      const stream = Buffer.concat(payloads.map(frame));
      const dec = new FrameDecoder({ maxFrameBytes: 1000 });
      const out: Buffer[] = [];
      let pos = 0;
      while (pos < stream.length) {
        const n = rnd.pick([1, 2, 3, 5, 64, 1000, 5000]);
        out.push(...dec.push(stream.subarray(pos, pos + n)));
        pos += n;
      }
      expect(out.map((b) => b.toString('hex'))).to.deep.equal(payloads.map((b) => b.toString('hex')));
      expect(dec.bufferedBytes).to.equal(0);
    }
  });

  it('frames read through readTarget/commitRead (onread sockets) match the stream, large ones in their own buffer (seeded)', () => {
    const rnd = new SeededRandom(testSeed() + 1);
    for (let iter = 0; iter < 30; iter++) {
      const payloads = Array.from({ length: rnd.int(1, 12) }, () => rnd.bytes(rnd.pick([0, 1, 3, 100, 5000, 70_000, 200_000])));
      const stream = Buffer.concat(payloads.map(frame));
      const dec = new FrameDecoder({ maxFrameBytes: 1 << 20 });
      const out: Buffer[] = [];
      let pos = 0;
      while (pos < stream.length) {
        // What a socket read does: at most the target's length, at most what the peer sent so far.
        const target = dec.readTarget();
        expect(target.length).to.be.greaterThan(0);
        const n = Math.min(target.length, stream.length - pos, rnd.pick([1, 2, 7, 1000, 65_536, 300_000]));
        stream.copy(target, 0, pos, pos + n);
        out.push(...dec.commitRead(n));
        pos += n;
      }
      expect(out.map((b) => b.toString('hex'))).to.deep.equal(payloads.map((b) => b.toString('hex')));
      expect(dec.bufferedBytes).to.equal(0);
      // A frame the slab cannot hold was read into a buffer of its own size: no copy at the end.
      for (const f of out) if (f.length > 64 * 1024) expect([f.byteOffset, f.buffer.byteLength]).to.deep.equal([0, f.length]);
    }
  });

  it('a frame spanning chunks is assembled in one buffer of its size as the chunks arrive', () => {
    const dec = new FrameDecoder({ maxFrameBytes: 1 << 20 });
    const payload = Buffer.alloc(100_000, 7);
    const f = frame(payload);
    expect(dec.push(f.subarray(0, 10))).to.deep.equal([]);
    expect(dec.bufferedBytes).to.equal(6);
    expect(dec.push(f.subarray(10, 50_000))).to.deep.equal([]);
    expect(dec.bufferedBytes).to.equal(49_996);
    const [out] = dec.push(f.subarray(50_000));
    expect(out!.equals(payload)).to.equal(true);
    expect(dec.bufferedBytes).to.equal(0);
  });

  it('readTarget refuses an oversized size before allocating', () => {
    const dec = new FrameDecoder({ maxFrameBytes: 1024 });
    const t = dec.readTarget();
    t.writeInt32BE(1025, 0);
    expect(() => dec.commitRead(4)).to.throw(ProtocolError).with.property('code', 'PRT_FRAME_TOO_LARGE');
  });

  it('holds an incomplete frame until the rest arrives', () => {
    const dec = new FrameDecoder({ maxFrameBytes: 100 });
    const f = frame(Buffer.from('hello world'));
    expect(dec.push(f.subarray(0, 3))).to.deep.equal([]);
    expect(dec.push(f.subarray(3, 9))).to.deep.equal([]);
    expect(dec.bufferedBytes).to.equal(5);
    expect(dec.push(f.subarray(9)).map(String)).to.deep.equal(['hello world']);
  });

  it('rejects an oversized or negative size before buffering the frame', () => {
    const dec = new FrameDecoder({ maxFrameBytes: 1024 });
    const big = Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]);
    let err: unknown;
    try {
      dec.push(big);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ProtocolError);
    expect(err).to.include({ code: 'PRT_FRAME_TOO_LARGE', size: 0x7fffffff, retriable: false });
    expect(() => new FrameDecoder({ maxFrameBytes: 1024 }).push(Buffer.from([0xff, 0xff, 0xff, 0xfe])))
      .to.throw(ProtocolError)
      .with.property('code', 'PRT_FRAME_TOO_LARGE');
    expect(new FrameDecoder({ maxFrameBytes: 4 }).push(frame(Buffer.from('abcd'))).map(String)).to.deep.equal(['abcd']);
    expect(() => new FrameDecoder({ maxFrameBytes: 4 }).push(frame(Buffer.from('abcde')))).to.throw(ProtocolError);
  });

  it('accepts empty frames', () => {
    expect(new FrameDecoder({ maxFrameBytes: 10 }).push(Buffer.alloc(8))).to.have.length(2);
  });
});
