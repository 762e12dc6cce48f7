/**
 * A raw Kafka test client: hand-built frames (so tests can send exactly the bytes they mean,
 * malformed ones included) and an independent frame reader, so it doubles as an oracle for the
 * broker's codecs. Only the handful of request/response shapes the network tests use are built
 * here; everything else goes through `writeRaw` and `nextFrame`.
 */
import { connect, type Socket } from 'node:net';
import { decodeResponse, encodeRequest, type RequestBody, type ResponseBody } from '../../protocol/index.js';
import { waitFor } from './wait-for.js';

export const API = { Heartbeat: 12, SyncGroup: 14, ApiVersions: 18 } as const;

// ---- encoding -------------------------------------------------------------------------------

export function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}

export function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

export function str(s: string | null): Buffer {
  if (s === null) return int16(-1);
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([int16(bytes.length), bytes]);
}

export function uvarint(v: number): Buffer {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

export function compactStr(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([uvarint(bytes.length + 1), bytes]);
}

/** A whole request frame (size prefix included); header v2 (flexible) when `flexible`. */
export function requestFrame(apiKey: number, apiVersion: number, correlationId: number, body: Buffer, options: { clientId?: string | null; flexible?: boolean } = {}): Buffer {
  const header = Buffer.concat([
    int16(apiKey),
    int16(apiVersion),
    int32(correlationId),
    str(options.clientId === undefined ? 'samsa-test' : options.clientId),
    options.flexible ? Buffer.from([0]) : Buffer.alloc(0),
  ]);
  return Buffer.concat([int32(header.length + body.length), header, body]);
}

export function apiVersionsRequest(apiVersion: number, correlationId: number): Buffer {
  const body = apiVersion >= 3 ? Buffer.concat([compactStr('samsa-test'), compactStr('0.0.1'), Buffer.from([0])]) : Buffer.alloc(0);
  return requestFrame(API.ApiVersions, apiVersion, correlationId, body, { flexible: apiVersion >= 3 });
}

export function heartbeatRequest(correlationId: number, groupId: string): Buffer {
  return requestFrame(API.Heartbeat, 0, correlationId, Buffer.concat([str(groupId), int32(1), str('member')]));
}

export function syncGroupRequest(correlationId: number, groupId: string): Buffer {
  return requestFrame(API.SyncGroup, 0, correlationId, Buffer.concat([str(groupId), int32(1), str('member'), int32(0)]));
}

// ---- decoding -------------------------------------------------------------------------------

export interface ApiVersionsAnswer {
  correlationId: number;
  errorCode: number;
  apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[];
  throttleTimeMs?: number;
}

function readUvarint(buf: Buffer, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const b = buf[at++]!;
    v |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [v >>> 0, at];
    shift += 7;
  }
}

/**
 * Parses an ApiVersions response frame (without size prefix) as version `v`, with response
 * header v0 (correlationId only) as Kafka mandates even for v3. Throws if bytes are left over.
 */
export function parseApiVersions(frame: Buffer, v: number): ApiVersionsAnswer {
  let at = 0;
  const correlationId = frame.readInt32BE(at);
  at += 4;
  const errorCode = frame.readInt16BE(at);
  at += 2;
  let n: number;
  if (v >= 3) {
    [n, at] = readUvarint(frame, at);
    n -= 1;
  } else {
    n = frame.readInt32BE(at);
    at += 4;
  }
  const apiKeys = [];
  for (let i = 0; i < n; i++) {
    apiKeys.push({ apiKey: frame.readInt16BE(at), minVersion: frame.readInt16BE(at + 2), maxVersion: frame.readInt16BE(at + 4) });
    at += 6;
    if (v >= 3) [, at] = readUvarint(frame, at); // per-entry tagged fields (count, expected 0)
  }
  let throttleTimeMs: number | undefined;
  if (v >= 1) {
    throttleTimeMs = frame.readInt32BE(at);
    at += 4;
  }
  if (v >= 3) {
    const [tags, next] = readUvarint(frame, at);
    at = next;
    if (tags !== 0) throw new Error(`unexpected ${tags} top-level tagged fields`);
  }
  if (at !== frame.length) throw new Error(`ApiVersions v${v} response has ${frame.length - at} trailing bytes`);
  return { correlationId, errorCode, apiKeys, throttleTimeMs };
}

// ---- the socket -----------------------------------------------------------------------------

export class KafkaSocket {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private ended = false;
  private error: Error | undefined;
  private nextCorrelation = 1;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4) {
        const size = this.buffered.readInt32BE(0);
        if (this.buffered.length < 4 + size) break;
        this.frames.push(this.buffered.subarray(4, 4 + size));
        this.buffered = this.buffered.subarray(4 + size);
      }
    });
    socket.on('error', (err) => {
      this.error = err;
    });
    socket.on('close', () => {
      this.ended = true;
    });
  }

  static async connect(host: string, port: number): Promise<KafkaSocket> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new KafkaSocket(s));
      });
      s.once('error', reject);
    });
  }

  /** True once the broker (or we) closed the connection. */
  get closed(): boolean {
    return this.ended;
  }

  get receivedFrames(): number {
    return this.frames.length;
  }

  correlationId(): number {
    return this.nextCorrelation++;
  }

  writeRaw(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  /** The next response frame (without size prefix). */
  async nextFrame(timeoutMs = 5_000): Promise<Buffer> {
    await waitFor(() => this.frames.length > 0 || this.ended, 'a response frame', { timeoutMs, intervalMs: 5 });
    const f = this.frames.shift();
    if (f === undefined) throw new Error(`connection closed before a response${this.error ? ` (${this.error.message})` : ''}`);
    return f;
  }

  async apiVersions(apiVersion: number, timeoutMs = 5_000): Promise<ApiVersionsAnswer> {
    const id = this.correlationId();
    this.writeRaw(apiVersionsRequest(apiVersion, id));
    const answer = parseApiVersions(await this.nextFrame(timeoutMs), apiVersion);
    if (answer.correlationId !== id) throw new Error(`correlation id ${answer.correlationId}, expected ${id}`);
    return answer;
  }

  /**
   * Sends one request encoded by protocol/ and decodes its response (for any api the broker
   * serves). Not for concurrent use on one socket: responses are taken in arrival order.
   */
  async request<K extends number>(apiKey: K, apiVersion: number, body: RequestBody<K>, timeoutMs = 5_000, clientId = 'samsa-test'): Promise<ResponseBody<K>> {
    const id = this.correlationId();
    this.writeRaw(encodeRequest(apiKey, apiVersion, id, clientId, body));
    const { correlationId, body: response } = decodeResponse(apiKey, apiVersion, await this.nextFrame(timeoutMs));
    if (correlationId !== id) throw new Error(`correlation id ${correlationId}, expected ${id}`);
    return response;
  }

  async waitClosed(timeoutMs = 5_000): Promise<void> {
    await waitFor(() => this.ended, 'the broker to close the connection', { timeoutMs, intervalMs: 10 });
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    this.socket.destroy();
  }
}
