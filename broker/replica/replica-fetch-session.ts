/**
 * Incremental fetch sessions for followers (KIP-227 on the msgpack `ReplicaFetch`). The leader
 * keeps the session in the broker's one FetchSessionCache (broker/fetch-session; a follower's
 * session is privileged there, as in Kafka), so ids, epochs, eviction and "answer only what
 * changed" are the client fetch path's own. This file is the follower's half (Kafka's
 * FetchSessionHandler) and the leader's translation between the flat replica request and a
 * session request.
 *
 * The follower's first request is full (epoch 0) and names every partition; once the leader
 * answers a session id, requests are incremental (epoch 1, 2, …) and name only partitions whose
 * fetch offset, leader epoch, log start offset or max bytes changed, or whose high watermark is
 * behind their log end offset (the leader may raise it: see replica-fetch-leader.ts), plus the
 * partitions no longer fetched as `forgotten`. An incremental answer holds only partitions with
 * records, a changed HW or log start offset, or an error. Any session error or failed request
 * starts over with a full request (naming the old session so the leader drops it); a leader
 * that opened no session (cache full, slots 0, or an older broker) keeps every request full.
 */
import { tpKey } from '../../common/index.js';
import { ErrorCode, type FetchRequest } from '../../protocol/index.js';
import { INITIAL_EPOCH, INVALID_SESSION_ID, nextEpoch } from '../fetch-session/index.js';
import type { ReplicaFetchPartition, ReplicaFetchRequest, ReplicaFetchResponse } from './replica-fetch-protocol.js';

/** The session part of a ReplicaFetch request. */
export interface ReplicaSessionFields {
  readonly sessionId: number;
  readonly sessionEpoch: number;
  readonly partitions: ReplicaFetchPartition[];
  readonly forgotten: { topic: string; partition: number }[];
}

function changed(a: ReplicaFetchPartition, b: ReplicaFetchPartition): boolean {
  return a.fetchOffset !== b.fetchOffset || a.currentLeaderEpoch !== b.currentLeaderEpoch || a.logStartOffset !== b.logStartOffset || a.partitionMaxBytes !== b.partitionMaxBytes;
}

/** The follower's half, one per fetcher (source broker). */
export class ReplicaFetchSessionHandler {
  private sessionId = INVALID_SESSION_ID;
  private epoch = INITIAL_EPOCH;
  /** What the leader's session holds as of the last answered request. */
  private session = new Map<string, ReplicaFetchPartition>();
  private pending = new Map<string, ReplicaFetchPartition>();

  /** The next request's session fields for the partitions wanted now. */
  build(wanted: readonly ReplicaFetchPartition[]): ReplicaSessionFields {
    this.pending = new Map(wanted.map((p) => [tpKey(p.topic, p.partition), p]));
    if (this.epoch === INITIAL_EPOCH) return { sessionId: this.sessionId, sessionEpoch: INITIAL_EPOCH, partitions: [...wanted], forgotten: [] };
    const partitions = wanted.filter((p) => {
      const had = this.session.get(tpKey(p.topic, p.partition));
      return had === undefined || changed(had, p) || (p.highWatermark !== undefined && p.highWatermark < p.fetchOffset);
    });
    const forgotten = [...this.session.values()].filter((p) => !this.pending.has(tpKey(p.topic, p.partition))).map((p) => ({ topic: p.topic, partition: p.partition }));
    return { sessionId: this.sessionId, sessionEpoch: this.epoch, partitions, forgotten };
  }

  /** After an answer: the session goes on, opens, or starts over. */
  handleResponse(res: Pick<ReplicaFetchResponse, 'errorCode' | 'sessionId'>): void {
    const errorCode = res.errorCode ?? ErrorCode.NONE;
    if (errorCode !== ErrorCode.NONE) {
      // FETCH_SESSION_ID_NOT_FOUND (leader restarted, session evicted) or a wrong epoch: full again.
      if (errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND) this.sessionId = INVALID_SESSION_ID;
      this.epoch = INITIAL_EPOCH;
      return;
    }
    const id = res.sessionId ?? INVALID_SESSION_ID;
    if (id === INVALID_SESSION_ID) {
      this.sessionId = INVALID_SESSION_ID;
      this.epoch = INITIAL_EPOCH;
      return;
    }
    this.epoch = this.epoch === INITIAL_EPOCH || id !== this.sessionId ? nextEpoch(INITIAL_EPOCH) : nextEpoch(this.epoch);
    this.sessionId = id;
    this.session = this.pending;
  }

  /** The request failed (timeout, leader gone): the next one is full and closes this session. */
  handleError(): void {
    this.epoch = INITIAL_EPOCH;
  }
}

/** Leader side: the replica request as the session cache's request (topics grouped, forgotten ones). */
export function toSessionRequest(req: ReplicaFetchRequest): { sessionId: number; sessionEpoch: number; topics: FetchRequest['topics']; forgottenTopicsData: FetchRequest['forgottenTopicsData'] } {
  const group = <T extends { topic: string }, R>(items: readonly T[], map: (t: T) => R): { topic: string; partitions: R[] }[] => {
    const out = new Map<string, R[]>();
    for (const it of items) out.set(it.topic, [...(out.get(it.topic) ?? []), map(it)]);
    return [...out].map(([topic, partitions]) => ({ topic, partitions }));
  };
  return {
    sessionId: req.sessionId ?? INVALID_SESSION_ID,
    sessionEpoch: req.sessionEpoch ?? INITIAL_EPOCH,
    topics: group(req.partitions, (p) => ({
      partition: p.partition,
      currentLeaderEpoch: p.currentLeaderEpoch,
      fetchOffset: BigInt(p.fetchOffset),
      lastFetchedEpoch: -1,
      logStartOffset: BigInt(p.logStartOffset),
      partitionMaxBytes: p.partitionMaxBytes,
    })),
    forgottenTopicsData: group(req.forgotten ?? [], (p) => p.partition),
  };
}
