/**
 * The internal (msgpack) apis of replication, on the inter-broker listener:
 * - `ReplicaFetch`: a follower's fetch of raw batches from the leader; its fetch offset is its
 *   log end offset, which is how the leader learns where the follower is.
 * - `LeaderEpochEndOffset`: OffsetsForLeaderEpoch between brokers (KIP-101): where did an epoch
 *   end on the leader, so a new follower truncates to the divergence point.
 * - `AlterIsr`: a leader's ISR change, answered by the active controller (KIP-497).
 *
 * `ReplicaFetch` versions (the frame's version; the leader answers in the version asked):
 * - v0: the response's record bytes are msgpack bins inside the body.
 * - v1: the records travel after the msgpack body as the frame's raw tail (protocol/'s
 *   internal-frame.ts), partition after partition, each partition naming its `recordsBytes`: the
 *   leader writes the slices it read from the log without packing or copying them, and the
 *   follower appends views of the received frame. A follower starts at v1 and falls back to v0
 *   for a leader that refuses it (an older release during a rolling upgrade).
 */
import { TailedBody } from '../../protocol/index.js';
import { BrokerError } from '../errors.js';

export const REPLICA_FETCH_API = 'ReplicaFetch';
export const REPLICA_FETCH_VERSIONS = { minVersion: 0, maxVersion: 1 } as const;
/** The version a follower asks first. */
export const REPLICA_FETCH_LATEST_VERSION = REPLICA_FETCH_VERSIONS.maxVersion;
export const LEADER_EPOCH_END_OFFSET_API = 'LeaderEpochEndOffset';
export const ALTER_ISR_API = 'AlterIsr';

export interface ReplicaFetchPartition {
  readonly topic: string;
  readonly partition: number;
  readonly currentLeaderEpoch: number;
  readonly fetchOffset: bigint;
  readonly logStartOffset: bigint;
  readonly partitionMaxBytes: number;
  /**
   * The follower's high watermark: the leader answers at once when it can raise it (a consumer
   * reading from this follower, KIP-392, would otherwise wait out the long poll). Absent from
   * older senders: never answered early.
   */
  readonly highWatermark?: bigint;
}

export interface ReplicaFetchRequest {
  readonly replicaId: number;
  readonly brokerEpoch: bigint;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  /** Full request: every partition; incremental: only the changed ones (replica-fetch-session.ts). */
  readonly partitions: readonly ReplicaFetchPartition[];
  /** KIP-227 session (0 = none) and epoch (0 full, -1 no session, > 0 incremental); absent = no session. */
  readonly sessionId?: number;
  readonly sessionEpoch?: number;
  /** Incremental: partitions the follower no longer fetches from this leader. */
  readonly forgotten?: readonly { topic: string; partition: number }[];
}

export interface ReplicaFetchPartitionResult {
  readonly topic: string;
  readonly partition: number;
  /** Kafka error code (0 = none). */
  readonly errorCode: number;
  readonly highWatermark: bigint;
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;
  readonly records: Buffer;
  /** `records` as the in-memory pieces the leader read (several appended chunks): v1 writes these, unjoined. */
  readonly parts?: readonly Buffer[];
}

export interface ReplicaFetchResponse {
  /** Incremental: only partitions with records, a changed HW or log start offset, or an error. */
  readonly partitions: ReplicaFetchPartitionResult[];
  /** A session error (FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH): nothing was read. */
  readonly errorCode?: number;
  /** The session this answer belongs to; 0 = none (every request stays full). */
  readonly sessionId?: number;
}

export interface EpochEndOffsetRequest {
  readonly replicaId: number;
  readonly partitions: readonly { topic: string; partition: number; currentLeaderEpoch: number; leaderEpoch: number }[];
}

export interface EpochEndOffsetResult {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly leaderEpoch: number;
  readonly endOffset: bigint;
}

export interface EpochEndOffsetResponse {
  readonly partitions: EpochEndOffsetResult[];
}

/** A v1 partition on the wire: its records are the next `recordsBytes` of the frame's tail. */
interface ReplicaFetchPartitionV1 extends Omit<ReplicaFetchPartitionResult, 'records' | 'parts'> {
  readonly recordsBytes: number;
}

/** The handler's answer in the wire shape of `version` (v1: a body plus the record slices). */
export function encodeReplicaFetchResponse(resp: ReplicaFetchResponse, version: number): ReplicaFetchResponse | TailedBody {
  if (version < 1) {
    // v0 carries one bin per partition: pieces read from memory are joined (spreading reads the joining getter).
    return resp.partitions.some((p) => p.parts !== undefined) ? { ...resp, partitions: resp.partitions.map(({ parts: _pieces, ...p }) => p) } : resp;
  }
  const tail: Buffer[] = [];
  const partitions: ReplicaFetchPartitionV1[] = resp.partitions.map((p) => {
    let recordsBytes = 0;
    for (const piece of p.parts ?? [p.records]) {
      tail.push(piece);
      recordsBytes += piece.length;
    }
    return { topic: p.topic, partition: p.partition, errorCode: p.errorCode, highWatermark: p.highWatermark, logStartOffset: p.logStartOffset, logEndOffset: p.logEndOffset, recordsBytes };
  });
  const body = { ...(resp.errorCode === undefined ? {} : { errorCode: resp.errorCode }), ...(resp.sessionId === undefined ? {} : { sessionId: resp.sessionId }), partitions };
  return new TailedBody(body, tail);
}

function corrupt(msg: string): BrokerError {
  return new BrokerError('BRK_CORRUPT_MESSAGE', `ReplicaFetch v1 response: ${msg}`);
}

/**
 * A leader's answer as the fetcher uses it, whichever version it came in: v1 records become
 * views of the received frame (validated later by the follower append, as v0 records are).
 */
export function decodeReplicaFetchResponse(answer: unknown): ReplicaFetchResponse {
  if (!(answer instanceof TailedBody)) return answer as ReplicaFetchResponse;
  const body = answer.body as { partitions?: unknown; errorCode?: number; sessionId?: number } | null;
  if (body === null || typeof body !== 'object' || !Array.isArray(body.partitions)) throw corrupt('no partitions array');
  const tail = answer.tail.length === 1 ? answer.tail[0]! : Buffer.concat(answer.tail);
  let at = 0;
  const partitions: ReplicaFetchPartitionResult[] = (body.partitions as ReplicaFetchPartitionV1[]).map((p) => {
    const n = p?.recordsBytes;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > tail.length - at) throw corrupt(`recordsBytes ${String(n)} at tail position ${at} of ${tail.length}`);
    const records = tail.subarray(at, at + n);
    at += n;
    return { topic: p.topic, partition: p.partition, errorCode: p.errorCode, highWatermark: p.highWatermark, logStartOffset: p.logStartOffset, logEndOffset: p.logEndOffset, records };
  });
  if (at !== tail.length) throw corrupt(`${tail.length - at} tail bytes belong to no partition`);
  return { ...(body.errorCode === undefined ? {} : { errorCode: body.errorCode }), ...(body.sessionId === undefined ? {} : { sessionId: body.sessionId }), partitions };
}
