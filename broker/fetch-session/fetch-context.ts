/**
 * Kafka's FetchManager.newContext: what a Fetch request means given the session it names.
 * - epoch -1 (FINAL): no session; one named by id is closed first (sessionless).
 * - epoch 0 (INITIAL): a full fetch; any named session is closed and a new one opened if the
 *   cache has (or can free) a slot; the response's session id is 0 when it could not.
 * - epoch > 0: an incremental fetch on an existing session. Unknown id: FETCH_SESSION_ID_NOT_FOUND;
 *   wrong epoch: INVALID_FETCH_SESSION_EPOCH. The request's partitions add to or update the
 *   session, `forgottenTopicsData` removes; every partition of the session is read, and only
 *   those with records, a changed high watermark or log start offset, an error, a diverging
 *   epoch or a preferred read replica are answered. A session left empty is closed.
 */
import { ErrorCode, type FetchRequest, type FetchResponse } from '../../protocol/index.js';
import { tpKey } from '../../common/index.js';
import { FINAL_EPOCH, INITIAL_EPOCH, INVALID_SESSION_ID, nextEpoch, type CachedPartition, type FetchSession, type FetchSessionCache } from './fetch-session-cache.js';

export interface FetchPartitionData {
  readonly topic: string;
  readonly partition: number;
  readonly fetchOffset: bigint;
  readonly partitionMaxBytes: number;
  readonly currentLeaderEpoch: number;
  readonly lastFetchedEpoch: number;
  readonly logStartOffset: bigint;
}

export type FetchPartitionResponse = FetchResponse['responses'][number]['partitions'][number];

/** One read partition's answer, in the order of the context's `partitions`. */
export interface PartitionAnswer {
  readonly topic: string;
  readonly data: FetchPartitionResponse;
}

export interface FetchContextResult {
  readonly sessionId: number;
  readonly responses: FetchResponse['responses'];
}

export interface FetchContext {
  readonly kind: 'sessionless' | 'full' | 'incremental' | 'error';
  /** NONE, or the session error to answer at the top level with no partitions. */
  readonly errorCode: number;
  /** What to read, in order. */
  readonly partitions: readonly FetchPartitionData[];
  respond(answers: readonly PartitionAnswer[]): FetchContextResult;
  /**
   * Kafka's getThrottledResponse: a fetch over its quota answers no partitions. A full fetch opens
   * no session (id 0); an incremental one keeps its session, whose epoch has already moved on.
   */
  throttled(): FetchContextResult;
}

type SessionRequest = Pick<FetchRequest, 'topics'> & {
  readonly sessionId?: number;
  readonly sessionEpoch?: number;
  readonly forgottenTopicsData?: FetchRequest['forgottenTopicsData'];
};

export function requestedPartitions(request: SessionRequest): FetchPartitionData[] {
  const out: FetchPartitionData[] = [];
  for (const t of request.topics) {
    for (const p of t.partitions) {
      out.push({
        topic: t.topic ?? '',
        partition: p.partition,
        fetchOffset: p.fetchOffset,
        partitionMaxBytes: p.partitionMaxBytes,
        currentLeaderEpoch: p.currentLeaderEpoch ?? -1,
        lastFetchedEpoch: p.lastFetchedEpoch ?? -1,
        logStartOffset: p.logStartOffset ?? -1n,
      });
    }
  }
  return out;
}

/** Consecutive answers of one topic share a topic entry, as Kafka's FetchResponse does. */
export function groupByTopic(answers: readonly PartitionAnswer[]): FetchResponse['responses'] {
  const out: { topic: string; partitions: FetchPartitionResponse[] }[] = [];
  for (const a of answers) {
    const last = out[out.length - 1];
    if (last !== undefined && last.topic === a.topic) last.partitions.push(a.data);
    else out.push({ topic: a.topic, partitions: [a.data] });
  }
  return out;
}

/** Kafka's CachedPartition.maybeUpdateResponseData: must the partition be answered? */
function mustRespond(cp: CachedPartition, r: FetchPartitionResponse, update: boolean): boolean {
  let must = (r.records?.length ?? 0) > 0;
  if (cp.highWatermark !== r.highWatermark) {
    must = true;
    if (update) cp.highWatermark = r.highWatermark;
  }
  if (cp.localLogStartOffset !== (r.logStartOffset ?? -1n)) {
    must = true;
    if (update) cp.localLogStartOffset = r.logStartOffset ?? -1n;
  }
  if ((r.preferredReadReplica ?? -1) >= 0) must = true;
  if (r.errorCode !== ErrorCode.NONE) {
    // Forgotten HW: once the error clears the partition is answered again.
    if (update) cp.highWatermark = -1n;
    must = true;
  }
  if ((r.divergingEpoch?.epoch ?? -1) >= 0) must = true;
  return must;
}

function cachedFrom(p: FetchPartitionData): CachedPartition {
  return { ...p, highWatermark: -1n, localLogStartOffset: -1n };
}

function errorContext(errorCode: number): FetchContext {
  const none = (): FetchContextResult => ({ sessionId: INVALID_SESSION_ID, responses: [] });
  return { kind: 'error', errorCode, partitions: [], respond: none, throttled: none };
}

function sessionless(partitions: FetchPartitionData[]): FetchContext {
  return {
    kind: 'sessionless',
    errorCode: ErrorCode.NONE,
    partitions,
    respond: (answers) => ({ sessionId: INVALID_SESSION_ID, responses: groupByTopic(answers) }),
    throttled: () => ({ sessionId: INVALID_SESSION_ID, responses: [] }),
  };
}

export class FetchManager {
  constructor(readonly cache: FetchSessionCache) {}

  newContext(request: SessionRequest, isFollower: boolean): FetchContext {
    const sessionId = request.sessionId ?? INVALID_SESSION_ID;
    const epoch = request.sessionEpoch ?? FINAL_EPOCH;
    const requested = requestedPartitions(request);
    if (epoch === INITIAL_EPOCH || epoch === FINAL_EPOCH) {
      if (sessionId !== INVALID_SESSION_ID) this.cache.remove(sessionId);
      return epoch === FINAL_EPOCH ? sessionless(requested) : this.full(requested, isFollower);
    }
    const session = this.cache.get(sessionId);
    if (session === undefined) return errorContext(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    if (session.epoch !== epoch) return errorContext(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    this.update(session, requested, request.forgottenTopicsData ?? []);
    if (session.size === 0) {
      this.cache.remove(session.id);
      return sessionless(requested);
    }
    this.cache.touch(session);
    session.epoch = nextEpoch(session.epoch);
    return this.incremental(session);
  }

  private full(partitions: FetchPartitionData[], isFollower: boolean): FetchContext {
    return {
      kind: 'full',
      errorCode: ErrorCode.NONE,
      partitions,
      respond: (answers) => {
        const sessionId = this.cache.maybeCreateSession(isFollower, () => {
          const map = new Map<string, CachedPartition>();
          answers.forEach((a, i) => {
            const cp = cachedFrom(partitions[i]!);
            mustRespond(cp, a.data, true);
            map.set(tpKey(cp.topic, cp.partition), cp);
          });
          return map;
        });
        return { sessionId, responses: groupByTopic(answers) };
      },
      throttled: () => ({ sessionId: INVALID_SESSION_ID, responses: [] }),
    };
  }

  private incremental(session: FetchSession): FetchContext {
    const partitions: FetchPartitionData[] = [...session.partitions.values()].map((cp) => ({ ...cp }));
    return {
      kind: 'incremental',
      errorCode: ErrorCode.NONE,
      partitions,
      respond: (answers) => {
        const chosen: PartitionAnswer[] = [];
        for (const a of answers) {
          const key = tpKey(a.topic, a.data.partitionIndex);
          const cp = session.partitions.get(key);
          if (cp === undefined || !mustRespond(cp, a.data, true)) continue;
          chosen.push(a);
          if ((a.data.records?.length ?? 0) > 0) {
            session.partitions.delete(key);
            session.partitions.set(key, cp);
          }
        }
        return { sessionId: session.id, responses: groupByTopic(chosen) };
      },
      throttled: () => ({ sessionId: session.id, responses: [] }),
    };
  }

  /** Kafka's FetchSession.update: the request's partitions are added or updated, forgotten ones go. */
  private update(session: FetchSession, requested: readonly FetchPartitionData[], forgotten: NonNullable<SessionRequest['forgottenTopicsData']>): void {
    for (const p of requested) {
      const key = tpKey(p.topic, p.partition);
      const cp = session.partitions.get(key);
      if (cp === undefined) {
        session.partitions.set(key, cachedFrom(p));
        continue;
      }
      cp.fetchOffset = p.fetchOffset;
      cp.partitionMaxBytes = p.partitionMaxBytes;
      cp.currentLeaderEpoch = p.currentLeaderEpoch;
      cp.lastFetchedEpoch = p.lastFetchedEpoch;
      cp.logStartOffset = p.logStartOffset;
    }
    for (const t of forgotten) {
      for (const partition of t.partitions ?? []) session.partitions.delete(tpKey(t.topic ?? '', partition));
    }
  }
}
