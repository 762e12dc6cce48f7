/**
 * Broker-to-broker frames: int32 size + one msgpack value [api, version, correlationId,
 * isResponse, body]. Each frame is self-contained (no msgpackr records, shared structures or
 * bundled strings), so frames can be decoded in any order and by any peer. bigint (int64) and
 * Buffer (bin) round-trip; record batches ride inside as raw Buffers.
 */
import { Packr } from 'msgpackr';
import { ProtocolError, asProtocolError } from './errors.js';

export interface InternalFrame {
  api: string;
  version: number;
  correlationId: number;
  isResponse?: boolean;
  body: unknown;
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

function invalid(msg: string): ProtocolError {
  return new ProtocolError('PRT_INVALID_FRAME', `internal frame: ${msg}`);
}

/** Decodes one internal frame (size prefix removed). */
export function decodeInternalFrame(buf: Buffer): InternalFrame {
  let value: unknown;
  try {
    value = packr.unpack(buf);
  } catch (err) {
    throw asProtocolError('PRT_INVALID_FRAME', 'internal frame is not valid msgpack', err);
  }
  if (!Array.isArray(value) || value.length !== 5) throw invalid('expected [api, version, correlationId, isResponse, body]');
  const [api, version, correlationId, isResponse, body] = value as unknown[];
  if (typeof api !== 'string' || api.length === 0) throw invalid('api must be a non-empty string');
  if (typeof version !== 'number' || !Number.isInteger(version)) throw invalid('version must be an integer');
  if (typeof correlationId !== 'number' || !Number.isInteger(correlationId)) throw invalid('correlationId must be an integer');
  if (typeof isResponse !== 'boolean') throw invalid('isResponse must be a boolean');
  return { api, version, correlationId, isResponse, body };
}
