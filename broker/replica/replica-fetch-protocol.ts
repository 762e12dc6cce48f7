/**
 * The internal (msgpack) apis of replication, on the inter-broker listener:
 * - `ReplicaFetch`: a follower's fetch of raw batches from the leader; its fetch offset is its
 *   log end offset, which is how the leader learns where the follower is.
 * - `LeaderEpochEndOffset`: OffsetsForLeaderEpoch between brokers (KIP-101): where did an epoch
 *   end on the leader, so a new follower truncates to the divergence point.
 * - `AlterIsr`: a leader's ISR change, answered by the active controller (KIP-497).
 */
export const REPLICA_FETCH_API = 'ReplicaFetch';
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
