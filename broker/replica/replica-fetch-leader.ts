/**
 * The leader side of replication: serves a follower's `ReplicaFetch` (raw batches up to the log
 * end offset, not just the HW) and its `LeaderEpochEndOffset` question. The fetch offset is the
 * follower's log end offset: it updates the follower's state (HW, ISR expansion) once per
 * request, before the request parks. Parks in the replica-fetch purgatory, which every leader
 * append wakes, until `minBytes` are there or `maxWaitMs` passed. A fetch carrying an older
 * broker epoch than the follower's current registration (an old incarnation of the broker id)
 * is answered STALE_BROKER_EPOCH on every partition and changes nothing; checked again after
 * every wait, since UpdateMetadata may announce the new incarnation meanwhile.
 *
 * A parked fetch also answers as soon as the leader's high watermark would raise the
 * follower's (the follower names its HW in the request; the HW moves when the follower's
 * previous fetch reported its log end offset, so without this the follower would learn it only
 * with the next append or after the long poll): consumers reading from followers (KIP-392) see
 * a record about one round trip after the leader commits it.
 */
import { tpKey } from '../../common/index.js';
import { ErrorCode } from '../../protocol/index.js';
import { BrokerError, toWireError } from '../errors.js';
import type { FetchManager } from '../fetch-session/index.js';
import type { ReadResult } from '../../storage/index.js';
import { toSessionRequest } from './replica-fetch-session.js';
import type { ReplicaManager } from './replica-manager.js';
import type {
  ReplicaFetchPartition,
  EpochEndOffsetRequest,
  EpochEndOffsetResponse,
  ReplicaFetchPartitionResult,
  ReplicaFetchRequest,
  ReplicaFetchResponse,
} from './replica-fetch-protocol.js';

const EMPTY: Buffer = Buffer.alloc(0);

function failed(topic: string, partition: number, err: unknown): ReplicaFetchPartitionResult {
  return { topic, partition, errorCode: toWireError(err), highWatermark: -1n, logStartOffset: -1n, logEndOffset: -1n, records: EMPTY };
}

function brokerEpochOf(req: ReplicaFetchRequest): bigint {
  // msgpack hands int64 back as a number when it fits.
  return req.brokerEpoch === undefined || req.brokerEpoch === null ? -1n : BigInt(req.brokerEpoch);
}

function readBytes(r: ReadResult): number {
  if (r.parts === undefined) return r.records.length;
  let n = 0;
  for (const p of r.parts) n += p.length;
  return n;
}

/** A read of several in-memory pieces stays pieces (v1 writes them with writev); only v0 joins them. */
function withRecords(base: Omit<ReplicaFetchPartitionResult, 'records' | 'parts'>, read: ReadResult | undefined): ReplicaFetchPartitionResult {
  if (read === undefined) return { ...base, records: EMPTY };
  if (read.parts === undefined || read.parts.length <= 1) return { ...base, records: read.records };
  return {
    ...base,
    get records(): Buffer {
      return read.records;
    },
    parts: read.parts,
  };
}

interface Round {
  readonly results: ReplicaFetchPartitionResult[];
  readonly bytes: number;
  readonly error: boolean;
  /** The leader's HW would raise the follower's HW of some partition. */
  readonly newHighWatermark: boolean;
  /** The fetch came from an old incarnation: nothing was read or recorded. */
  readonly stale?: boolean;
}

async function readRound(rm: ReplicaManager, req: ReplicaFetchRequest, updateState: boolean): Promise<Round> {
  let bytes = 0;
  let error = false;
  let newHighWatermark = false;
  const results: ReplicaFetchPartitionResult[] = [];
  const brokerEpoch = brokerEpochOf(req);
  try {
    rm.checkReplicaBrokerEpoch(req.replicaId, brokerEpoch);
  } catch (err) {
    return { results: req.partitions.map((fp) => failed(fp.topic, fp.partition, err)), bytes: 0, error: true, newHighWatermark: false, stale: true };
  }
  for (const fp of req.partitions) {
    try {
      const p = rm.leaderPartition(fp.topic, fp.partition, fp.currentLeaderEpoch);
      if (!p.replicas.includes(req.replicaId)) throw new BrokerError('BRK_NOT_LEADER_OR_FOLLOWER', `broker ${req.replicaId} is not a replica of ${p.key}`);
      const log = p.log;
      const fetchOffset = BigInt(fp.fetchOffset);
      if (fetchOffset < log.logStartOffset || fetchOffset > log.logEndOffset) {
        error = true;
        results.push({ topic: fp.topic, partition: fp.partition, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: log.highWatermark, logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset, records: EMPTY });
        continue;
      }
      if (updateState) rm.updateFollowerFetchState(fp.topic, fp.partition, req.replicaId, fetchOffset, brokerEpoch);
      const room = Math.min(fp.partitionMaxBytes, req.maxBytes - bytes);
      let read: ReadResult | undefined;
      if (fetchOffset < log.logEndOffset && (room > 0 || bytes === 0)) read = await log.read(fetchOffset, Math.max(0, room), { minOneBatch: bytes === 0 });
      bytes += read === undefined ? 0 : readBytes(read);
      if (fp.highWatermark !== undefined && fp.highWatermark !== null) {
        const reachable = log.highWatermark < fetchOffset ? log.highWatermark : fetchOffset;
        if (reachable > BigInt(fp.highWatermark)) newHighWatermark = true;
      }
      results.push(withRecords({ topic: fp.topic, partition: fp.partition, errorCode: ErrorCode.NONE, highWatermark: log.highWatermark, logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset }, read));
    } catch (err) {
      error = true;
      results.push(failed(fp.topic, fp.partition, err));
    }
  }
  return { results, bytes, error, newHighWatermark };
}

/**
 * A follower's fetch. With `sessions` and a request that names a session epoch, the partitions
 * read are the session's (replica-fetch-session.ts): the named ones updated, the rest as the
 * leader kept them, so every session partition still counts as fetched (HW, ISR) and wakes the
 * long poll; the answer holds only what changed.
 */
export async function serveReplicaFetch(rm: ReplicaManager, req: ReplicaFetchRequest, signal?: AbortSignal, sessions?: FetchManager): Promise<ReplicaFetchResponse> {
  if (sessions === undefined || req.sessionEpoch === undefined || req.sessionEpoch === null) return servePartitions(rm, req, signal);
  const context = sessions.newContext(toSessionRequest(req), true);
  if (context.errorCode !== ErrorCode.NONE) return { errorCode: context.errorCode, sessionId: 0, partitions: [] };
  const named = new Map(req.partitions.map((p) => [tpKey(p.topic, p.partition), p]));
  const partitions: ReplicaFetchPartition[] = context.partitions.map((p) => ({
    topic: p.topic,
    partition: p.partition,
    currentLeaderEpoch: p.currentLeaderEpoch,
    fetchOffset: p.fetchOffset,
    logStartOffset: p.logStartOffset,
    partitionMaxBytes: p.partitionMaxBytes,
    ...(named.get(tpKey(p.topic, p.partition))?.highWatermark === undefined ? {} : { highWatermark: named.get(tpKey(p.topic, p.partition))!.highWatermark }),
  }));
  const answer = await servePartitions(rm, { ...req, partitions }, signal);
  const { sessionId, responses } = context.respond(
    answer.partitions.map((r) => ({
      topic: r.topic,
      // The session looks only at whether records came (the first piece says as much, unjoined).
      data: { partitionIndex: r.partition, errorCode: r.errorCode, highWatermark: BigInt(r.highWatermark), lastStableOffset: -1n, logStartOffset: BigInt(r.logStartOffset), abortedTransactions: null, preferredReadReplica: -1, records: r.parts?.[0] ?? r.records },
    })),
  );
  const chosen = new Set(responses.flatMap((t) => t.partitions.map((p) => tpKey(t.topic ?? '', p.partitionIndex))));
  return { errorCode: ErrorCode.NONE, sessionId, partitions: answer.partitions.filter((r) => chosen.has(tpKey(r.topic, r.partition))) };
}

async function servePartitions(rm: ReplicaManager, req: ReplicaFetchRequest, signal?: AbortSignal): Promise<ReplicaFetchResponse> {
  const deadline = rm.scheduler.now() + Math.max(0, Math.min(req.maxWaitMs, 30_000));
  const keys = req.partitions.map((fp) => tpKey(fp.topic, fp.partition));
  // Sampled before each read: an append notified while the read awaits must wake the wait at
  // once, or the follower (and every acks=all producer behind it) sits out max wait.
  let seen = rm.replicaFetchPurgatory.notifications(keys);
  let round = await readRound(rm, req, true);
  if (round.error || round.newHighWatermark || round.bytes >= req.minBytes || req.maxWaitMs <= 0) return { partitions: round.results };
  // Bounded by the deadline: each wake-up re-reads once and answers or parks again.
  for (;;) {
    const outcome = await rm.replicaFetchPurgatory.wait(keys, deadline - rm.scheduler.now(), signal, undefined, seen);
    seen = rm.replicaFetchPurgatory.notifications(keys);
    round = await readRound(rm, req, false);
    if (round.error || round.newHighWatermark || round.bytes >= req.minBytes || outcome !== 'woken' || rm.isStopped) {
      // The follower's caught-up time also counts while it waited at the end of the log.
      if (outcome !== 'woken' && round.stale !== true) for (const fp of req.partitions) rm.updateFollowerFetchState(fp.topic, fp.partition, req.replicaId, BigInt(fp.fetchOffset), brokerEpochOf(req));
      return { partitions: round.results };
    }
  }
}

export function serveEpochEndOffsets(rm: ReplicaManager, req: EpochEndOffsetRequest): EpochEndOffsetResponse {
  return {
    partitions: req.partitions.map((q) => {
      try {
        const p = rm.leaderPartition(q.topic, q.partition, q.currentLeaderEpoch);
        const r = p.log.endOffsetForEpoch(q.leaderEpoch);
        return { topic: q.topic, partition: q.partition, errorCode: ErrorCode.NONE, leaderEpoch: r.leaderEpoch, endOffset: r.endOffset };
      } catch (err) {
        return { topic: q.topic, partition: q.partition, errorCode: toWireError(err), leaderEpoch: -1, endOffset: -1n };
      }
    }),
  };
}
