import { expect } from 'chai';
import { installFrameReader, splitFrames } from '../../../coordination/zk/frame-reader.js';

const frame = (body: string): Buffer => {
  const b = Buffer.from(body);
  const f = Buffer.alloc(4 + b.length);
  f.writeInt32BE(b.length, 0);
  b.copy(f, 4);
  return f;
};

/** A stand-in for the library's ConnectionManager: records what its onSocketData was given. */
function fakeManager(): { proto: { socket?: unknown; onSocketData(chunk: Buffer): void }; seen: Buffer[] } {
  const seen: Buffer[] = [];
  const proto = {
    socket: { destroyed: false } as unknown,
    onSocketData(chunk: Buffer): void {
      seen.push(Buffer.from(chunk));
    },
  };
  return { proto, seen };
}

describe('coordination > ZooKeeper frame reader', () => {
  it('cuts a stream into whole frames whatever the chunk boundaries', () => {
    const bodies = ['a', '', 'hello', 'x'.repeat(300), 'zk'];
    const stream = Buffer.concat(bodies.map(frame));
    for (const step of [1, 3, 7, 64, stream.length]) {
      const got: string[] = [];
      let pending: Buffer | null = null;
      for (let at = 0; at < stream.length; at += step) {
        const r = splitFrames(pending, stream.subarray(at, at + step));
        for (const f of r.frames) got.push(f.subarray(4).toString());
        pending = r.rest;
      }
      expect(got, `chunks of ${step}`).to.deep.equal(bodies);
      expect(pending).to.equal(null);
    }
  });

  it('the library handler is given exactly one whole frame per call, in order', () => {
    const { proto, seen } = fakeManager();
    installFrameReader(proto);
    installFrameReader(proto); // idempotent: not wrapped twice
    const frames = Array.from({ length: 1000 }, (_, i) => frame(`response ${i}`));
    const stream = Buffer.concat(frames);
    // one chunk holding many responses, then a frame split over two chunks
    proto.onSocketData(stream.subarray(0, 700));
    proto.onSocketData(stream.subarray(700));
    expect(seen.map((b) => b.subarray(4).toString())).to.deep.equal(frames.map((_, i) => `response ${i}`));
  });

  it('a new connection does not inherit the unfinished frame of the old one; a destroyed one delivers nothing more', () => {
    const { proto, seen } = fakeManager();
    installFrameReader(proto);
    proto.onSocketData(frame('old').subarray(0, 5));
    proto.socket = { destroyed: false };
    proto.onSocketData(frame('new'));
    expect(seen.map((b) => b.subarray(4).toString())).to.deep.equal(['new']);
    (proto.socket as { destroyed: boolean }).destroyed = true;
    proto.onSocketData(frame('late'));
    expect(seen).to.have.length(1);
  });
});
