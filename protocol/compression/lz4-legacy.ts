/**
 * Kafka's magic 0 LZ4 quirk: before KIP-57 Kafka computed the LZ4 frame descriptor checksum over
 * the frame's magic number too, and message format v0 keeps that "broken" checksum for
 * compatibility (magic 1 uses the correct one). A strict LZ4 decoder refuses such frames, so the
 * byte is rewritten before decoding and after encoding magic 0 data.
 */
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;

/** xxHash32 with seed 0 (LZ4's header checksum hash). */
export function xxh32(data: Uint8Array): number {
  const len = data.length;
  const u32 = (i: number): number => (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0;
  let i = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (P1 + P2) >>> 0;
    let v2 = P2;
    let v3 = 0;
    let v4 = (0 - P1) >>> 0;
    const round = (v: number, lane: number): number => Math.imul(rotl((v + Math.imul(lane, P2)) >>> 0, 13), P1) >>> 0;
    for (; i + 16 <= len; i += 16) {
      v1 = round(v1, u32(i));
      v2 = round(v2, u32(i + 4));
      v3 = round(v3, u32(i + 8));
      v4 = round(v4, u32(i + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) >>> 0;
  } else {
    h = P5;
  }
  h = (h + len) >>> 0;
  for (; i + 4 <= len; i += 4) h = Math.imul(rotl((h + Math.imul(u32(i), P3)) >>> 0, 17), P4) >>> 0;
  for (; i < len; i++) h = Math.imul(rotl((h + Math.imul(data[i]!, P5)) >>> 0, 11), P1) >>> 0;
  h = Math.imul(h ^ (h >>> 15), P2) >>> 0;
  h = Math.imul(h ^ (h >>> 13), P3) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const FRAME_MAGIC = 0x184d2204;

/** Position of the header checksum byte of an LZ4 frame, undefined when this is no LZ4 frame. */
function headerChecksumPosition(frame: Buffer): number | undefined {
  if (frame.length < 7 || frame.readUInt32LE(0) !== FRAME_MAGIC) return undefined;
  const flg = frame[4]!;
  const pos = 6 + ((flg & 0x08) !== 0 ? 8 : 0) + ((flg & 0x01) !== 0 ? 4 : 0);
  return pos < frame.length ? pos : undefined;
}

/** A copy of the frame with its descriptor checksum computed the correct way or Kafka's v0 way. */
export function withLz4HeaderChecksum(frame: Buffer, broken: boolean): Buffer {
  const pos = headerChecksumPosition(frame);
  if (pos === undefined) return frame;
  const out = Buffer.from(frame);
  out[pos] = (xxh32(frame.subarray(broken ? 0 : 4, pos)) >>> 8) & 0xff;
  return out;
}
