/**
 * node-zookeeper-client 1.1.3 reads its socket in `ConnectionManager.onSocketData`: after each
 * response it re-enters itself with `Buffer.concat([rest, empty])`, copying everything still
 * unread once per response. A chunk that holds n pipelined responses thus costs O(n × chunk)
 * copying: with thousands of partition-state multis in flight (a broker failure at 10,000
 * partitions) the controller spent most of its CPU copying ZooKeeper answers. We split the
 * stream into whole frames (4-byte length + body) ourselves and hand the library one frame at a
 * time, which it parses without concatenating; what it does with a frame is unchanged.
 */
import { createRequire } from 'node:module';

/** What is left of the stream after cutting out every complete frame. */
export interface FrameSplit {
  readonly frames: Buffer[];
  readonly rest: Buffer | null;
}

/** Frames of `pending` followed by `chunk`; `rest` starts the next, incomplete frame. */
export function splitFrames(pending: Buffer | null, chunk: Buffer): FrameSplit {
  const buf = pending === null || pending.length === 0 ? chunk : Buffer.concat([pending, chunk], pending.length + chunk.length);
  const frames: Buffer[] = [];
  let off = 0;
  while (buf.length - off >= 4) {
    const end = off + 4 + buf.readInt32BE(off);
    if (end > buf.length) break;
    frames.push(buf.subarray(off, end));
    off = end;
  }
  // A copy, so that the rest does not pin the whole chunk until the frame completes.
  return { frames, rest: off === buf.length ? null : Buffer.from(buf.subarray(off)) };
}

interface ManagerLike {
  socket?: unknown;
  onSocketData(chunk: Buffer): void;
}

const pendingBySocket = new WeakMap<object, Buffer | null>();

/**
 * Wraps `proto.onSocketData` (the library's ConnectionManager prototype, or a test double): the
 * original sees exactly one complete frame per call. Idempotent. The rest of a frame is kept per
 * socket, so a new connection never starts with bytes of the old one.
 */
export function installFrameReader(proto: ManagerLike): void {
  const marked = proto as ManagerLike & { samsaFrameReader?: true };
  if (marked.samsaFrameReader) return;
  const original = proto.onSocketData;
  marked.samsaFrameReader = true;
  proto.onSocketData = function onSocketData(this: ManagerLike, chunk: Buffer): void {
    const socket = (this.socket ?? this) as object;
    const { frames, rest } = splitFrames(pendingBySocket.get(socket) ?? null, chunk);
    pendingBySocket.set(socket, rest);
    for (const frame of frames) {
      // The library destroys the socket on a response it cannot place (and reconnects): the
      // frames after it belong to a dead connection, as they did when it returned early.
      if ((socket as { destroyed?: boolean }).destroyed === true) return;
      original.call(this, frame);
    }
  };
}

/** Patches the library once per process (installFrameReader marks it), before any client connects. */
export function installLibraryFrameReader(): void {
  const require = createRequire(import.meta.url);
  installFrameReader((require('node-zookeeper-client/lib/ConnectionManager.js') as { prototype: ManagerLike }).prototype);
}
