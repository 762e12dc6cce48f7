/**
 * The consumer side of Fetch (replica_id -1): per partition, whole batches from the one holding
 * the fetch offset, never reaching the high watermark, at most `partitionMaxBytes` and in total
 * at most `maxBytes`, except that the first non-empty partition always gets its first batch
 * (KIP-74). While fewer than `minBytes` are available the request parks in the fetch purgatory
 * (woken when a partition's high watermark moves) until `maxWaitMs` has passed. An error on any
 * partition answers at once, as in Kafka.
 *
 * A leader fenced from ZooKeeper (ReplicaManager.leadershipFence; Kafka has no such fence) still
 * serves what lies below its high watermark: that is committed, every ISR member has it and so
 * will whoever leads next, and the HW no longer moves while fenced. A consumer that has reached
 * the HW gets NOT_LEADER_OR_FOLLOWER instead of empty answers, so it refreshes its metadata and
 * finds the new leader rather than waiting on a broker that will never show it anything new.
 *
 * Fetch from follower (KIP-392): a consumer that sent its client metadata (Fetch v11+,
 * `clientRack` set, even empty) may read from a follower, up to the follower's high watermark
 * (OFFSET_OUT_OF_RANGE beyond its log end, nothing between the two). A leader with a replica
 * selector answers `preferredReadReplica` and no records when a follower in the client's rack
 * should serve it (read-replica.ts), as Kafka's ReplicaManager.readFromLocalLog does.
 */
import { tpKey } from '../../common/index.js';
import { ErrorCode } from '../../protocol/index.js';
import { BrokerError, toWireError } from '../errors.js';
import { NO_PREFERRED_READ_REPLICA } from './read-replica.js';
import type { ReplicaManager } from './replica-manager.js';

export interface FetchPartitionRequest {
  readonly topic: string;
  readonly partition: number;
  readonly fetchOffset: bigint;
  readonly partitionMaxBytes: number;
  readonly currentLeaderEpoch: number;
}

export interface FetchParams {
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  /**
   * 0 read_uncommitted (up to the high watermark), 1 read_committed (up to the last stable
   * offset, with the aborted transactions the records overlap so the client drops them).
   */
  readonly isolationLevel: number;
  readonly partitions: readonly FetchPartitionRequest[];
  readonly signal?: AbortSignal;
  /** Fetch v11+: the client's rack ('' = none) and, with it, reads from followers; undefined = leader only. */
  readonly clientRack?: string;
  /** replica.selector.class is set: a leader may send the client to a follower in its rack. */
  readonly selectReadReplica?: boolean;
}

export interface FetchPartitionResult {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  readonly logStartOffset: bigint;
  readonly records: Buffer;
  /** read_committed only: aborted transactions the records may hold data of. */
  readonly abortedTransactions?: readonly { producerId: bigint; firstOffset: bigint }[];
  /** KIP-392: the broker the client should read this partition from instead (no records then). */
  readonly preferredReadReplica?: number;
}

const EMPTY: Buffer = Buffer.alloc(0);

interface ReadRound {
  readonly results: FetchPartitionResult[];
  readonly bytes: number;
  /** An error, or a client sent to its preferred read replica: the answer cannot wait. */
  readonly answerNow: boolean;
}

async function readOnce(rm: ReplicaManager, params: FetchParams): Promise<ReadRound> {
  let bytes = 0;
  let answerNow = false;
  const results: FetchPartitionResult[] = [];
  for (const fp of params.partitions) {
    try {
      const p = params.clientRack === undefined ? rm.leaderPartition(fp.topic, fp.partition, fp.currentLeaderEpoch) : rm.readablePartition(fp.topic, fp.partition, fp.currentLeaderEpoch);
      const log = p.log;
      const hw = log.highWatermark;
      const lastStableOffset = log.lastStableOffset;
      if (params.selectReadReplica === true && params.clientRack !== undefined) {
        const preferred = rm.preferredReadReplica(p, params.clientRack, fp.fetchOffset);
        if (preferred !== NO_PREFERRED_READ_REPLICA) {
          results.push({ topic: fp.topic, partition: fp.partition, errorCode: ErrorCode.NONE, highWatermark: hw, lastStableOffset, logStartOffset: log.logStartOffset, records: EMPTY, preferredReadReplica: preferred });
          answerNow = true;
          continue;
        }
      }
      const readCommitted = params.isolationLevel === 1;
      const maxOffset = readCommitted ? lastStableOffset : hw;
      if (p.isLeader && fp.fetchOffset >= hw && rm.leadershipFence(fp.topic, fp.partition) !== undefined) {
        throw new BrokerError('BRK_NOT_LEADER_OR_FOLLOWER', `broker ${rm.brokerId} is fenced from ZooKeeper and ${p.key} has nothing committed at ${fp.fetchOffset}`);
      }
      const room = Math.min(fp.partitionMaxBytes, params.maxBytes - bytes);
      let records: Buffer = EMPTY;
      if (room > 0 || bytes === 0) {
        const r = await log.read(fp.fetchOffset, Math.max(0, room), { maxOffset, minOneBatch: bytes === 0 });
        records = r.records;
      } else if (fp.fetchOffset < log.logStartOffset || fp.fetchOffset > log.logEndOffset) {
        // No room left in this response, but a bad offset is still worth telling the client.
        await log.read(fp.fetchOffset, 0, { maxOffset });
      }
      bytes += records.length;
      const abortedTransactions = readCommitted ? (records.length === 0 ? [] : log.collectAbortedTransactions(fp.fetchOffset, maxOffset)) : undefined;
      results.push({ topic: fp.topic, partition: fp.partition, errorCode: ErrorCode.NONE, highWatermark: hw, lastStableOffset, logStartOffset: log.logStartOffset, records, ...(abortedTransactions === undefined ? {} : { abortedTransactions }) });
    } catch (err) {
      answerNow = true;
      results.push({ topic: fp.topic, partition: fp.partition, errorCode: toWireError(err), highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: EMPTY });
    }
  }
  return { results, bytes, answerNow };
}

export async function fetchRecords(rm: ReplicaManager, params: FetchParams): Promise<FetchPartitionResult[]> {
  const deadline = rm.scheduler.now() + Math.max(0, params.maxWaitMs);
  const keys = [...new Set(params.partitions.map((fp) => tpKey(fp.topic, fp.partition)))];
  // Sampled before each read: an append notified while the read awaits wakes the wait at once.
  let seen = rm.fetchPurgatory.notifications(keys);
  let round = await readOnce(rm, params);
  const enough = (r: ReadRound): boolean => r.answerNow || r.bytes >= params.minBytes || params.partitions.length === 0;
  if (enough(round) || params.maxWaitMs <= 0) return round.results;
  // Bounded by the deadline: each wake-up re-reads once and either answers or parks again.
  for (;;) {
    const outcome = await rm.fetchPurgatory.wait(keys, deadline - rm.scheduler.now(), params.signal, undefined, seen);
    seen = rm.fetchPurgatory.notifications(keys);
    round = await readOnce(rm, params);
    if (enough(round) || outcome !== 'woken' || rm.isStopped) return round.results;
  }
}
