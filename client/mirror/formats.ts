/**
 * The records MirrorMaker 2 writes to its internal topics, byte for byte as Kafka's MM2 writes
 * them (Kafka's `Struct` encoding: STRING = int16 length + UTF-8, INT16/32/64 big-endian), so
 * Kafka's own tools (RemoteClusterUtils, the MM2 formatters) read what Samsa's mirror writes and
 * the other way round:
 * - OffsetSync (`mm2-offset-syncs.<target>.internal`, on the source): key (topic, partition),
 *   value (upstreamOffset, offset).
 * - Checkpoint (`<source>.checkpoints.internal`, on the target): key (group, topic, partition),
 *   value version int16 0 + (upstreamOffset, offset, metadata).
 * - Heartbeat (`heartbeats`, on the target): key (sourceClusterAlias, targetClusterAlias), value
 *   version int16 0 + (timestamp).
 * - Source offsets (`mm2-offsets.<source>.internal`, on the target), as Kafka Connect's offset
 *   store writes them with its JSON converter: key `["MirrorSourceConnector",{"cluster":"A",
 *   "partition":0,"topic":"orders"}]`, value `{"offset":41}` = the last mirrored upstream offset.
 */
import { Reader, Writer } from '../../protocol/index.js';
import { KafkaClientError } from '../errors.js';

export interface OffsetSync {
  topic: string;
  partition: number;
  upstreamOffset: bigint;
  downstreamOffset: bigint;
}

export interface Checkpoint {
  group: string;
  /** The downstream (target) topic. */
  topic: string;
  partition: number;
  upstreamOffset: bigint;
  downstreamOffset: bigint;
  metadata: string;
}

export interface Heartbeat {
  sourceClusterAlias: string;
  targetClusterAlias: string;
  timestamp: bigint;
}

export interface SourceOffsetKey {
  cluster: string;
  topic: string;
  partition: number;
}

const VERSION = 0;
export const SOURCE_CONNECTOR_NAME = 'MirrorSourceConnector';

function malformed(what: string, cause: unknown): KafkaClientError {
  return new KafkaClientError('CLI_PROTOCOL', `malformed ${what} record: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
}

function read<T>(what: string, buf: Buffer | null, fn: (r: Reader) => T): T {
  if (buf === null) throw malformed(what, 'null key or value');
  try {
    return fn(new Reader(buf));
  } catch (err) {
    throw malformed(what, err);
  }
}

function readVersion(r: Reader, what: string): void {
  const v = r.int16();
  if (v !== VERSION) throw new Error(`${what} version ${v} (this mirror reads version ${VERSION})`);
}

export function encodeOffsetSync(s: OffsetSync): { key: Buffer; value: Buffer } {
  return {
    key: new Writer(32).string(s.topic).int32(s.partition).finish(),
    value: new Writer(16).int64(s.upstreamOffset).int64(s.downstreamOffset).finish(),
  };
}

export function decodeOffsetSync(key: Buffer | null, value: Buffer | null): OffsetSync {
  const k = read('offset sync', key, (r) => ({ topic: r.string(), partition: r.int32() }));
  const v = read('offset sync', value, (r) => ({ upstreamOffset: r.int64(), downstreamOffset: r.int64() }));
  return { ...k, ...v };
}

export function encodeCheckpoint(c: Checkpoint): { key: Buffer; value: Buffer } {
  return {
    key: new Writer(64).string(c.group).string(c.topic).int32(c.partition).finish(),
    value: new Writer(32).int16(VERSION).int64(c.upstreamOffset).int64(c.downstreamOffset).string(c.metadata).finish(),
  };
}

export function decodeCheckpoint(key: Buffer | null, value: Buffer | null): Checkpoint {
  const v = read('checkpoint', value, (r) => {
    readVersion(r, 'checkpoint');
    return { upstreamOffset: r.int64(), downstreamOffset: r.int64(), metadata: r.string() };
  });
  const k = read('checkpoint', key, (r) => ({ group: r.string(), topic: r.string(), partition: r.int32() }));
  return { ...k, ...v };
}

export function encodeHeartbeat(h: Heartbeat): { key: Buffer; value: Buffer } {
  return {
    key: new Writer(32).string(h.sourceClusterAlias).string(h.targetClusterAlias).finish(),
    value: new Writer(16).int16(VERSION).int64(h.timestamp).finish(),
  };
}

export function decodeHeartbeat(key: Buffer | null, value: Buffer | null): Heartbeat {
  const v = read('heartbeat', value, (r) => {
    readVersion(r, 'heartbeat');
    return { timestamp: r.int64() };
  });
  const k = read('heartbeat', key, (r) => ({ sourceClusterAlias: r.string(), targetClusterAlias: r.string() }));
  return { ...k, ...v };
}

/** Connect's offset key: the connector name and the source partition map (keys in sorted order). */
export function encodeSourceOffsetKey(k: SourceOffsetKey): Buffer {
  return Buffer.from(JSON.stringify([SOURCE_CONNECTOR_NAME, { cluster: k.cluster, partition: k.partition, topic: k.topic }]), 'utf8');
}

/** undefined for keys of other connectors (Connect stores every connector's offsets in one topic). */
export function decodeSourceOffsetKey(key: Buffer | null): SourceOffsetKey | undefined {
  if (key === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(key.toString('utf8'));
  } catch (err) {
    throw malformed('source offset', err);
  }
  if (!Array.isArray(parsed) || parsed[0] !== SOURCE_CONNECTOR_NAME) return undefined;
  const p = parsed[1] as Record<string, unknown> | null;
  if (p === null || typeof p !== 'object' || typeof p['cluster'] !== 'string' || typeof p['topic'] !== 'string' || !Number.isInteger(p['partition'])) {
    throw malformed('source offset', `unexpected key ${key.toString('utf8')}`);
  }
  return { cluster: p['cluster'], topic: p['topic'], partition: p['partition'] as number };
}

export function encodeSourceOffsetValue(offset: bigint): Buffer {
  return Buffer.from(`{"offset":${offset.toString()}}`, 'utf8');
}

/** The stored offset, or null for a tombstone (Connect's way of forgetting a partition). */
export function decodeSourceOffsetValue(value: Buffer | null): bigint | null {
  if (value === null) return null;
  // Parsed by hand: JSON.parse would round offsets above 2^53.
  const m = /^\s*\{\s*"offset"\s*:\s*(-?\d+)\s*\}\s*$/.exec(value.toString('utf8'));
  if (m === null) throw malformed('source offset', `unexpected value ${value.toString('utf8')}`);
  return BigInt(m[1]!);
}
