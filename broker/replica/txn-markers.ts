/**
 * The partition-leader side of WriteTxnMarkers (Kafka's KafkaApis.handleWriteTxnMarkersRequest):
 * for each producer's marker, one control batch (COMMIT or ABORT, the coordinator's epoch
 * inside) is appended to each of its partitions as the coordinator, with acks=-1, so a marker is
 * acknowledged only once every in-sync replica has it. Per-partition errors are the produce
 * path's (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, INVALID_PRODUCER_EPOCH for a stale
 * producer epoch, TRANSACTION_COORDINATOR_FENCED for a stale coordinator, …); the coordinator
 * retries the retriable ones.
 */
import { encodeEndTxnMarkerBatch } from '../../protocol/index.js';
import { appendRecords, type ProduceEntry } from './produce-path.js';
import type { ReplicaManager } from './replica-manager.js';

export interface TxnMarker {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly commit: boolean;
  readonly coordinatorEpoch: number;
  readonly partitions: ReadonlyArray<{ readonly topic: string; readonly partition: number }>;
}

export interface TxnMarkerOutcome {
  readonly producerId: bigint;
  readonly commit: boolean;
  readonly partitions: Array<{ topic: string; partition: number; errorCode: number }>;
}

export async function writeTxnMarkers(rm: ReplicaManager, markers: readonly TxnMarker[], o: { timeoutMs: number; signal?: AbortSignal }): Promise<TxnMarkerOutcome[]> {
  return Promise.all(
    markers.map(async (m) => {
      const timestamp = BigInt(rm.scheduler.now());
      // One batch per partition: appendAsLeader patches its buffer's offsets in place.
      const entries: ProduceEntry[] = m.partitions.map((tp) => ({
        topic: tp.topic,
        partition: tp.partition,
        records: encodeEndTxnMarkerBatch({ producerId: m.producerId, producerEpoch: m.producerEpoch, type: m.commit ? 'COMMIT' : 'ABORT', coordinatorEpoch: m.coordinatorEpoch, timestamp }),
      }));
      const results = await appendRecords(rm, entries, { acks: -1, timeoutMs: o.timeoutMs, signal: o.signal, origin: 'coordinator' });
      return { producerId: m.producerId, commit: m.commit, partitions: results.map((r) => ({ topic: r.topic, partition: r.partition, errorCode: r.errorCode })) };
    }),
  );
}
