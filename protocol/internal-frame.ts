/**
 * Broker-to-broker frames: int32 size + one msgpack value [api, version, correlationId,
 * isResponse, body]. Each frame is self-contained (no msgpackr records, shared structures or
 * bundled strings), so frames can be decoded in any order and by any peer. bigint (int64) and
 * Buffer (bin) round-trip; record batches ride inside as raw Buffers.
 *
 * A frame may carry a raw tail after the msgpack value (replication's record bytes, which then
 * are never packed or copied into the frame): int32 size, the byte 0xc1 (which msgpack never
 * uses, so no v0 frame starts with it), int32 length of the msgpack value, the value, then the
 * tail bytes. The body says how the tail is cut (replica-fetch-protocol.ts); the encoder returns
 * the head and the tail's buffers as they are, for one vectored write.
 */
import { Packr } from 'msgpackr';
import { ProtocolError, asProtocolError } from './errors.js';

export interface InternalFrame {
  api: string;
  version: number;
  correlationId: number;
  isResponse?: boolean;
  body: unknown;
  /** Decoded: a view of the raw bytes after the msgpack value (a frame with a tail). */
  tail?: Buffer;
}

/** First payload byte of a frame with a raw tail: 0xc1 is "never used" in msgpack. */
export const INTERNAL_TAIL_MARKER = 0xc1;
const TAIL_HEAD_BYTES = 4 + 1 + 4;

/** A body that travels with raw bytes after it (handlers return it; channels resolve to it). */
export class TailedBody {
  constructor(
    readonly body: unknown,
    readonly tail: readonly Buffer[],
  ) {}
}

const packr = new Packr({
  useRecords: false,
  structuredClone: false,
  bundleStrings: false,
  mapsAsObjects: true,
  int64AsType: 'bigint',
  moreTypes: false,
});

export function encodeInternalFrame(frame: InternalFrame): Buffer {
  let payload: Buffer;
  try {
    payload = packr.pack([frame.api, frame.version, frame.correlationId, frame.isResponse === true, frame.body]);
  } catch (err) {
    throw asProtocolError('PRT_ENCODE', `internal frame ${frame.api}`, err);
  }
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeInt32BE(payload.length, 0);
  payload.copy(out, 4);
  return out;
}

/**
 * A frame with a raw tail: [head, ...tail], the head holding the size prefix, the marker and the
 * msgpack value. The tail buffers are not copied; the caller writes them after the head.
 */
export function encodeInternalFrameWithTail(frame: Omit<InternalFrame, 'tail'>, tail: readonly Buffer[]): Buffer[] {
  let payload: Buffer;
  try {
    payload = packr.pack([frame.api, frame.version, frame.correlationId, frame.isResponse === true, frame.body]);
  } catch (err) {
    throw asProtocolError('PRT_ENCODE', `internal frame ${frame.api}`, err);
  }
  let tailBytes = 0;
  for (const t of tail) tailBytes += t.length;
  const size = 1 + 4 + payload.length + tailBytes;
  if (size > 0x7fffffff) throw new ProtocolError('PRT_ENCODE', `internal frame ${frame.api}: ${size} bytes do not fit a frame`);
  const head = Buffer.allocUnsafe(TAIL_HEAD_BYTES + payload.length);
  head.writeInt32BE(size, 0);
  head[4] = INTERNAL_TAIL_MARKER;
  head.writeInt32BE(payload.length, 5);
  payload.copy(head, TAIL_HEAD_BYTES);
  const out: Buffer[] = [head];
  for (const t of tail) if (t.length > 0) out.push(t);
  return out;
}

function invalid(msg: string): ProtocolError {
  return new ProtocolError('PRT_INVALID_FRAME', `internal frame: ${msg}`);
}

/** Decodes one internal frame (size prefix removed). */
export function decodeInternalFrame(buf: Buffer): InternalFrame {
  let value: unknown;
  let tail: Buffer | undefined;
  let packed = buf;
  if (buf.length > 0 && buf[0] === INTERNAL_TAIL_MARKER) {
    if (buf.length < 5) throw invalid('truncated tail header');
    const length = buf.readInt32BE(1);
    if (length <= 0 || length > buf.length - 5) throw invalid(`msgpack length ${length} outside the ${buf.length}-byte frame`);
    packed = buf.subarray(5, 5 + length);
    tail = buf.subarray(5 + length);
  }
  try {
    value = packr.unpack(packed);
  } catch (err) {
    throw asProtocolError('PRT_INVALID_FRAME', 'internal frame is not valid msgpack', err);
  }
  if (!Array.isArray(value) || value.length !== 5) throw invalid('expected [api, version, correlationId, isResponse, body]');
  const [api, version, correlationId, isResponse, body] = value as unknown[];
  if (typeof api !== 'string' || api.length === 0) throw invalid('api must be a non-empty string');
  if (typeof version !== 'number' || !Number.isInteger(version)) throw invalid('version must be an integer');
  if (typeof correlationId !== 'number' || !Number.isInteger(correlationId)) throw invalid('correlationId must be an integer');
  if (typeof isResponse !== 'boolean') throw invalid('isResponse must be a boolean');
  return tail === undefined ? { api, version, correlationId, isResponse, body } : { api, version, correlationId, isResponse, body, tail };
}
