/**
 * KIP-227's FetchSessionCache (Kafka's FetchSession.scala): at most `maxSlots` sessions, each
 * the set of partitions one fetcher reads with the offsets it last asked for and the high
 * watermark / log start offset it last saw. A full fetch asks for a session; when every slot is
 * taken, a newcomer may evict:
 * - any session unused for `evictionMs` (the least recently used first), otherwise
 * - the least valuable evictable session, ordered by (privileged, size, id), if the newcomer is
 *   worth more (its id counts as 0: a follower beats a consumer, else it must be bigger). A session becomes evictable by everyone once it is `evictionMs` old;
 *   a follower's (privileged) newcomer may also evict any consumer session at once.
 * So followers keep their sessions under pressure and big sessions beat small ones, but no
 * consumer session can be thrown out in its first `evictionMs` by another consumer.
 * The evictable flags are computed when a session is used, as Kafka's touch() does.
 */
import type { Clock } from '../../common/index.js';

/** Kafka's KafkaServer.MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS. */
export const MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS = 120_000;
export const INVALID_SESSION_ID = 0;
/** Epoch of a full request that opens a session. */
export const INITIAL_EPOCH = 0;
/** Epoch of a request that wants no session (or closes the one it names). */
export const FINAL_EPOCH = -1;

/** Kafka's JFetchMetadata.nextEpoch: 1, 2, … Int.MAX, then 1 again. */
export function nextEpoch(epoch: number): number {
  if (epoch < 0) return FINAL_EPOCH;
  return epoch === 0x7fffffff ? 1 : epoch + 1;
}

/** What a session remembers of one partition: the fetcher's position and what it was last told. */
export interface CachedPartition {
  readonly topic: string;
  readonly partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  lastFetchedEpoch: number;
  /** The fetcher's own log start offset (followers send it). */
  logStartOffset: bigint;
  /** Last high watermark sent; -1 forces the next answer to include the partition. */
  highWatermark: bigint;
  /** Last log start offset of this broker's log sent. */
  localLogStartOffset: bigint;
}

export class FetchSession {
  epoch: number;
  lastUsedMs: number;
  /** Partition count when last touched (what the cache accounts for). */
  cachedSize = -1;
  evictableByAll = false;
  evictableByPrivileged = false;
  /** Fetch order: partitions that returned data move to the end, so all get their turn. */
  readonly partitions: Map<string, CachedPartition>;

  constructor(
    readonly id: number,
    readonly privileged: boolean,
    partitions: Map<string, CachedPartition>,
    readonly creationMs: number,
  ) {
    this.partitions = partitions;
    this.lastUsedMs = creationMs;
    this.epoch = nextEpoch(INITIAL_EPOCH);
  }

  get size(): number {
    return this.partitions.size;
  }
}

/** Kafka's EvictableKey order: privileged, then size, then id. */
function compareKeys(a: { privileged: boolean; size: number; id: number }, b: { privileged: boolean; size: number; id: number }): number {
  if (a.privileged !== b.privileged) return a.privileged ? 1 : -1;
  if (a.size !== b.size) return a.size - b.size;
  return a.id - b.id;
}

export interface FetchSessionCacheOptions {
  readonly maxSlots: number;
  readonly evictionMs?: number;
  readonly clock: Clock;
  /** Called once per evicted session (the evictions meter). */
  readonly onEviction?: () => void;
  /** Session id source, for tests; a random positive int32 by default. */
  readonly randomId?: () => number;
}

export interface FetchSessionCacheStats {
  readonly sessions: number;
  readonly partitions: number;
  readonly evictions: number;
}

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();
  private readonly evictionMs: number;
  private numPartitions = 0;
  private evictions = 0;

  constructor(private readonly o: FetchSessionCacheOptions) {
    this.evictionMs = o.evictionMs ?? MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS;
  }

  get maxSlots(): number {
    return this.o.maxSlots;
  }

  now(): number {
    return this.o.clock.now();
  }

  get(id: number): FetchSession | undefined {
    return this.sessions.get(id);
  }

  stats(): FetchSessionCacheStats {
    return { sessions: this.sessions.size, partitions: this.numPartitions, evictions: this.evictions };
  }

  /** Opens a session when a slot is free or can be freed; INVALID_SESSION_ID otherwise. */
  maybeCreateSession(privileged: boolean, partitions: () => Map<string, CachedPartition>): number {
    const now = this.now();
    const created = partitions();
    if (this.sessions.size >= this.o.maxSlots && !this.tryEvict(privileged, created.size, now)) return INVALID_SESSION_ID;
    const session = new FetchSession(this.newSessionId(), privileged, created, now);
    this.sessions.set(session.id, session);
    this.touch(session, now);
    return session.id;
  }

  /** Marks a session used now and refreshes its size and evictability. */
  touch(session: FetchSession, now = this.now()): void {
    session.lastUsedMs = now;
    // Map order is the LRU order: re-inserting moves the session to the most recent end.
    this.sessions.delete(session.id);
    this.sessions.set(session.id, session);
    if (session.cachedSize !== -1) this.numPartitions -= session.cachedSize;
    session.cachedSize = session.size;
    this.numPartitions += session.cachedSize;
    const old = now - session.creationMs > this.evictionMs;
    session.evictableByPrivileged = !session.privileged || old;
    session.evictableByAll = old;
  }

  remove(id: number): FetchSession | undefined {
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    this.sessions.delete(id);
    if (session.cachedSize !== -1) this.numPartitions -= session.cachedSize;
    return session;
  }

  private tryEvict(privileged: boolean, size: number, now: number): boolean {
    const lru = this.sessions.values().next().value as FetchSession | undefined;
    if (lru === undefined) return false;
    if (now - lru.lastUsedMs > this.evictionMs) return this.evict(lru);
    let victim: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      if (!(privileged ? s.evictableByPrivileged : s.evictableByAll)) continue;
      if (victim === undefined || compareKeys(s, victim) < 0) victim = s;
    }
    if (victim === undefined) return false;
    if (compareKeys({ privileged, size, id: 0 }, victim) < 0) return false;
    return this.evict(victim);
  }

  private evict(session: FetchSession): true {
    this.remove(session.id);
    this.evictions += 1;
    this.o.onEviction?.();
    return true;
  }

  private newSessionId(): number {
    for (;;) {
      const id = this.o.randomId?.() ?? 1 + Math.floor(Math.random() * 0x7ffffffe);
      if (id !== INVALID_SESSION_ID && !this.sessions.has(id)) return id;
    }
  }
}
