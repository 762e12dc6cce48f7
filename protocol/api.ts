/**
 * Request/response framing around the schema codecs: request header v1/v2, response header
 * v0/v1 (ApiVersions always v0), the int32 size prefix, and the KIP-511 "unsupported ApiVersions
 * version" answer. Every decode failure is a ProtocolError; every encode failure PRT_ENCODE.
 */
import { ProtocolError, asProtocolError } from './errors.js';
import { ErrorCode } from './error-codes.js';
import { ApiKey, apiName } from './api-keys.js';
import { API_MESSAGES, describedVersions, type RequestBody, type ResponseBody } from './messages/index.js';
import { Reader } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';
import { isFlexible, messageCodec } from './schema/compile.js';
import type { Decoded, MessageSpec } from './schema/spec.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** 1 = classic, 2 = flexible (tagged fields after clientId). */
  headerVersion: 1 | 2;
  /** Where the body starts in the frame passed to decodeRequestHeader. */
  bodyOffset: number;
}

function specFor(apiKey: number, kind: 'request' | 'response'): MessageSpec {
  const pair = API_MESSAGES.get(apiKey);
  if (pair === undefined) throw new ProtocolError('PRT_UNKNOWN_API', `api key ${apiKey} (${apiName(apiKey)}) is not supported`);
  return pair[kind];
}

/** Whether requests of this api/version carry header v2. Unknown apis are treated as classic. */
export function isFlexibleVersion(apiKey: number, apiVersion: number): boolean {
  const pair = API_MESSAGES.get(apiKey);
  return pair !== undefined && isFlexible(pair.request, apiVersion);
}

/**
 * Reads the request header of one frame (size prefix already removed). Works for any api key,
 * so the broker can still answer (or log) requests it does not support.
 */
export function decodeRequestHeader(buf: Buffer): RequestHeader {
  const r = new Reader(buf);
  try {
    const apiKey = r.int16();
    const apiVersion = r.int16();
    const correlationId = r.int32();
    // clientId keeps its int16 length even in header v2 so any broker can read any header.
    const clientId = r.nullableString();
    const flexible = isFlexibleVersion(apiKey, apiVersion);
    if (flexible) r.taggedFields();
    return { apiKey, apiVersion, correlationId, clientId, headerVersion: flexible ? 2 : 1, bodyOffset: r.pos };
  } catch (err) {
    throw asProtocolError('PRT_TRUNCATED', 'request header', err);
  }
}

/** Decodes a request body. Fields absent in `apiVersion` come back with their Kafka defaults (`Decoded`: every field present). */
export function decodeRequest<K extends number>(apiKey: K, apiVersion: number, buf: Buffer, bodyOffset: number): Decoded<RequestBody<K>> {
  const codec = messageCodec(specFor(apiKey, 'request'), apiVersion);
  try {
    return codec.decode(new Reader(buf, bodyOffset)) as Decoded<RequestBody<K>>;
  } catch (err) {
    throw asProtocolError('PRT_TRUNCATED', `${codec.spec.name} v${apiVersion}`, err);
  }
}

/** ApiVersions responses keep header v0 even when the body is flexible (KIP-511). */
function responseHeaderHasTags(apiKey: number, flexible: boolean): boolean {
  return flexible && apiKey !== ApiKey.ApiVersions;
}

function writeResponse(apiKey: number, apiVersion: number, correlationId: number, body: unknown): Writer {
  const codec = messageCodec(specFor(apiKey, 'response'), apiVersion);
  const w = new Writer(256);
  try {
    const sizeAt = w.reserveInt32();
    w.int32(correlationId);
    if (responseHeaderHasTags(apiKey, codec.flexible)) w.uint8(0);
    codec.encode(w, body);
    w.patchInt32(sizeAt, w.length - 4);
  } catch (err) {
    throw asProtocolError('PRT_ENCODE', `${codec.spec.name} v${apiVersion}`, err);
  }
  return w;
}

/** Encodes a complete response frame: int32 size, response header, body. */
export function encodeResponse<K extends number>(apiKey: K, apiVersion: number, correlationId: number, body: ResponseBody<K>): Buffer {
  return writeResponse(apiKey, apiVersion, correlationId, body).finish();
}

/**
 * The same frame as encodeResponse, as an ordered list of Buffers whose large byte fields
 * (record sets ≥ 8 KiB) are the caller's own Buffers, not copies: write them in order (e.g.
 * cork + write each + uncork) and do not modify them until written.
 */
export function encodeResponseChunks<K extends number>(apiKey: K, apiVersion: number, correlationId: number, body: ResponseBody<K>): Buffer[] {
  return writeResponse(apiKey, apiVersion, correlationId, body).finishChunks();
}

/** Encodes a complete request frame: int32 size, request header v1/v2, body. */
export function encodeRequest<K extends number>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: RequestBody<K>,
): Buffer {
  const codec = messageCodec(specFor(apiKey, 'request'), apiVersion);
  const w = new Writer(256);
  try {
    const sizeAt = w.reserveInt32();
    w.int16(apiKey).int16(apiVersion).int32(correlationId).nullableString(clientId);
    if (codec.flexible) w.uint8(0);
    codec.encode(w, body);
    w.patchInt32(sizeAt, w.length - 4);
  } catch (err) {
    throw asProtocolError('PRT_ENCODE', `${codec.spec.name} v${apiVersion}`, err);
  }
  return w.finish();
}

/** Decodes a response frame (size prefix removed) for a request we sent with this api/version. */
export function decodeResponse<K extends number>(
  apiKey: K,
  apiVersion: number,
  buf: Buffer,
): { correlationId: number; body: ResponseBody<K> } {
  const codec = messageCodec(specFor(apiKey, 'response'), apiVersion);
  const r = new Reader(buf);
  try {
    const correlationId = r.int32();
    if (responseHeaderHasTags(apiKey, codec.flexible)) r.taggedFields();
    return { correlationId, body: codec.decode(r) as ResponseBody<K> };
  } catch (err) {
    throw asProtocolError('PRT_TRUNCATED', `${codec.spec.name} v${apiVersion}`, err);
  }
}

/**
 * Kafka's answer to an ApiVersions request of a version it does not know (KIP-511): a v0-format
 * response with UNSUPPORTED_VERSION listing only our ApiVersions range, so the client can retry
 * with a version we speak.
 */
export function encodeApiVersionsV0Error(correlationId: number): Buffer {
  const span = describedVersions(ApiKey.ApiVersions)!;
  return encodeResponse(ApiKey.ApiVersions, 0, correlationId, {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: span.min, maxVersion: span.max }],
  });
}
