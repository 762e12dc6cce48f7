/**
 * The client half of KIP-227 (Kafka's FetchSessionHandler), one per broker fetched from. The
 * first request is full (epoch 0) and names every partition; when the broker answers with a
 * session id, later requests are incremental (epoch 1, 2, …) and name only partitions that are
 * new or whose fetch offset or max bytes changed, plus the ones no longer wanted as
 * `forgottenTopicsData`. An incremental answer holds only partitions with news; the others are
 * simply not there. Any error starts over: FETCH_SESSION_ID_NOT_FOUND (or a broker that opened no
 * session) with a fresh full request, anything else with a full request naming the old session so
 * the broker drops it. Brokers below Fetch v7 ignore the session fields and answer session id 0,
 * which keeps every request full.
 */
import { tpKey } from '../../common/index.js';
import type { FetchRequest, FetchResponse } from '../../protocol/index.js';

const INVALID_SESSION_ID = 0;
const INITIAL_EPOCH = 0;
const FETCH_SESSION_ID_NOT_FOUND = 70;

export interface SessionPartition {
  readonly topic: string;
  readonly partition: number;
  readonly fetchOffset: bigint;
  readonly partitionMaxBytes: number;
}

export interface SessionFetch {
  readonly sessionId: number;
  readonly sessionEpoch: number;
  readonly topics: FetchRequest['topics'];
  readonly forgottenTopicsData: FetchRequest['forgottenTopicsData'];
  readonly full: boolean;
}

function byTopic<T>(items: readonly T[], topicOf: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = topicOf(it);
    let l = out.get(k);
    if (l === undefined) out.set(k, (l = []));
    l.push(it);
  }
  return out;
}

export class FetchSessionHandler {
  private sessionId = INVALID_SESSION_ID;
  private epoch = INITIAL_EPOCH;
  /** What the broker's session holds, as of the last request built. */
  private session = new Map<string, SessionPartition>();
  private lastFull = true;

  get id(): number {
    return this.sessionId;
  }

  /** The next request for these partitions (the full set wanted now). */
  build(next: readonly SessionPartition[]): SessionFetch {
    const wanted = new Map(next.map((p) => [tpKey(p.topic, p.partition), p]));
    const full = this.epoch === INITIAL_EPOCH;
    let send: SessionPartition[];
    let forgotten: SessionPartition[] = [];
    if (full) send = [...next];
    else {
      send = next.filter((p) => {
        const had = this.session.get(tpKey(p.topic, p.partition));
        return had === undefined || had.fetchOffset !== p.fetchOffset || had.partitionMaxBytes !== p.partitionMaxBytes;
      });
      forgotten = [...this.session.entries()].filter(([k]) => !wanted.has(k)).map(([, p]) => p);
    }
    this.session = wanted;
    this.lastFull = full;
    return {
      sessionId: this.sessionId,
      sessionEpoch: this.epoch,
      full,
      topics: [...byTopic(send, (p) => p.topic)].map(([topic, ps]) => ({
        topic,
        partitions: ps.map((p) => ({ partition: p.partition, currentLeaderEpoch: -1, fetchOffset: p.fetchOffset, logStartOffset: -1n, partitionMaxBytes: p.partitionMaxBytes })),
      })),
      forgottenTopicsData: [...byTopic(forgotten, (p) => p.topic)].map(([topic, ps]) => ({ topic, partitions: ps.map((p) => p.partition) })),
    };
  }

  /** After an answer to the request built last; false when it was a session error. */
  handleResponse(res: Pick<FetchResponse, 'errorCode' | 'sessionId'>): boolean {
    const errorCode = res.errorCode ?? 0;
    const sessionId = res.sessionId ?? INVALID_SESSION_ID;
    if (errorCode !== 0) {
      if (errorCode === FETCH_SESSION_ID_NOT_FOUND) this.reset(INVALID_SESSION_ID);
      else this.reset(this.sessionId);
      return false;
    }
    if (sessionId === INVALID_SESSION_ID) this.reset(INVALID_SESSION_ID);
    else if (this.lastFull) {
      this.sessionId = sessionId;
      this.epoch = 1;
    } else this.epoch = this.epoch === 0x7fffffff ? 1 : this.epoch + 1;
    return true;
  }

  /** The request failed (timeout, connection lost): the next one is full and closes the session. */
  handleError(): void {
    this.reset(this.sessionId);
  }

  private reset(sessionId: number): void {
    this.sessionId = sessionId;
    this.epoch = INITIAL_EPOCH;
    this.session.clear();
  }
}
