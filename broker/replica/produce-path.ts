/**
 * The leader side of Produce (Kafka's ReplicaManager.appendRecords): per partition, leadership
 * and the fence are checked here, then the partition appends as leader (partition.ts:
 * min.insync.replicas BEFORE anything is written, keys on compacted topics, storage validates
 * and patches offsets, the high watermark is recomputed). acks=-1 then parks in the produce purgatory
 * until the high watermark passes the last appended offset, leadership is lost, or the timeout;
 * if by then the ISR is below min.insync.replicas the answer is NOT_ENOUGH_REPLICAS_AFTER_APPEND.
 * A leader fenced from ZooKeeper (ReplicaManager.leadershipFence) refuses before the append
 * (nothing written), answers NOT_LEADER_OR_FOLLOWER instead of acks=0/1 success when the fence
 * engaged during the append, and fails its parked acks=-1 waiters the same way.
 */
import { ErrorCode } from '../../protocol/index.js';
import type { AppendOrigin } from '../../storage/index.js';
import { BrokerError, toWireError } from '../errors.js';
import { toStoredFormat } from './message-format.js';
import type { Partition } from './partition.js';
import { RecordValidationError, type RecordError } from './record-validation.js';
import { waitUntil } from './purgatory.js';
import type { ReplicaManager } from './replica-manager.js';

export interface ProduceEntry {
  readonly topic: string;
  readonly partition: number;
  readonly records: Buffer | null;
}

export interface ProducePartitionResult {
  readonly topic: string;
  readonly partition: number;
  errorCode: number;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
  /** Records appended (0 on error or for an idempotent retry already in the log). */
  recordCount: number;
  /** Bytes of the partition's batch set as received. */
  readonly bytes: number;
  /** Produce v8+: the records that made the append fail, and why. */
  recordErrors?: readonly RecordError[];
  errorMessage?: string;
}

export interface ProduceOptions {
  readonly acks: number;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /**
   * Who writes: a client (the default; idempotence and transaction checks apply, control batches
   * refused) or the transaction coordinator (markers, through WriteTxnMarkers).
   */
  readonly origin?: AppendOrigin;
  /** The Produce version: v0–2 may carry magic 0/1 message sets (up-converted), v3+ may not. */
  readonly produceVersion?: number;
}

const LATEST_PRODUCE_VERSION = 9;

interface Pending {
  readonly result: ProducePartitionResult;
  readonly partition: Partition;
  readonly leaderEpoch: number;
  readonly requiredOffset: bigint;
  readonly minIsr: number;
}

async function appendOne(rm: ReplicaManager, e: ProduceEntry, acks: number, origin: AppendOrigin, produceVersion: number): Promise<{ result: ProducePartitionResult; pending?: Pending }> {
  const result: ProducePartitionResult = {
    topic: e.topic,
    partition: e.partition,
    errorCode: ErrorCode.NONE,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordCount: 0,
    bytes: e.records?.length ?? 0,
  };
  try {
    const p = rm.leaderPartition(e.topic, e.partition);
    rm.ensureNotFenced(p);
    if (e.records === null || e.records.length === 0) throw new BrokerError('BRK_CORRUPT_MESSAGE', `no records for ${p.key}`);
    const records = toStoredFormat(e.records, produceVersion);
    const settings = rm.topicConfigs.get(e.topic);
    const minIsr = settings.minInsyncReplicas;
    const appended = await p.appendRecordsToLeader(records, {
      requiredAcks: acks,
      minInsyncReplicas: minIsr,
      now: () => rm.scheduler.now(),
      origin,
      timestampDifferenceMaxMs: settings.timestampDifferenceMaxMs,
    });
    rm.onLeaderAppended(p, appended.highWatermarkIncreased);
    // Written but not acknowledged: the tail of a deposed leader is truncated when it follows.
    if (acks !== -1) rm.ensureNotFenced(p);
    result.baseOffset = appended.firstOffset;
    result.logAppendTimeMs = appended.logAppendTime;
    result.logStartOffset = p.log.logStartOffset;
    result.recordCount = appended.recordCount;
    if (acks !== -1) return { result };
    return { result, pending: { result, partition: p, leaderEpoch: appended.leaderEpoch, requiredOffset: appended.lastOffset + 1n, minIsr } };
  } catch (err) {
    result.errorCode = toWireError(err);
    if (err instanceof RecordValidationError) {
      result.recordErrors = err.recordErrors;
      result.errorMessage = err.message;
    }
    return { result };
  }
}

/** NONE when replicated, an error when it can no longer be, undefined while still waiting. */
function pendingOutcome(rm: ReplicaManager, w: Pending): number | undefined {
  const p = w.partition;
  // The log directory failed: whatever the HW says, this broker no longer vouches for the write.
  if (p.offline) return ErrorCode.KAFKA_STORAGE_ERROR;
  if (rm.isStopped || rm.getPartition(p.topic, p.partition) !== p || !p.isLeader || p.leaderSinceEpoch > w.leaderEpoch) {
    return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  }
  if (rm.leadershipFence(p.topic, p.partition) !== undefined) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (p.log.highWatermark < w.requiredOffset) return undefined;
  // Replicated, but the ISR shrank meanwhile: the data is in the log, the guarantee is not.
  return p.maximalIsr.length >= w.minIsr ? ErrorCode.NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
}

/** Appends every entry (partitions concurrently) and, for acks=-1, waits for replication. */
export async function appendRecords(rm: ReplicaManager, entries: readonly ProduceEntry[], o: ProduceOptions): Promise<ProducePartitionResult[]> {
  const deadline = rm.scheduler.now() + Math.max(0, o.timeoutMs);
  const appended = await Promise.all(entries.map((e) => appendOne(rm, e, o.acks, o.origin ?? 'client', o.produceVersion ?? LATEST_PRODUCE_VERSION)));
  const waiting = appended.flatMap((a) => (a.pending === undefined ? [] : [a.pending]));
  if (waiting.length > 0) {
    const keys = [...new Set(waiting.map((w) => w.partition.key))];
    await waitUntil(
      rm.producePurgatory,
      rm.scheduler,
      keys,
      deadline,
      () => (waiting.every((w) => pendingOutcome(rm, w) !== undefined) ? true : undefined),
      o.signal,
    );
    for (const w of waiting) w.result.errorCode = pendingOutcome(rm, w) ?? ErrorCode.REQUEST_TIMED_OUT;
  }
  return appended.map((a) => a.result);
}
