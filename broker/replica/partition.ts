/**
 * One hosted replica of a topic-partition (Kafka's Partition): its log, its role, and what the
 * last accepted LeaderAndIsr (or AlterIsr answer) said (leaderEpoch, isr, replicas, zkVersion).
 * On the leader it also tracks every follower's log end offset and when it last caught up
 * (`replicaStates`), and the ISR change in flight (`pendingIsr`, KIP-497 "maximal ISR").
 * The high watermark is computed in ONE place (`maybeIncrementHighWatermark`) and only moves
 * forward.
 */
import { tpKey } from '../../common/index.js';
import type { AppendOrigin, AppendResult, PartitionLog } from '../../storage/index.js';
import { BrokerError } from '../errors.js';
import { validateRecords } from './record-validation.js';

export type ReplicaRole = 'leader' | 'follower' | 'none';

export interface FollowerState {
  /** -1n until the follower's first fetch reports it. */
  logEndOffset: bigint;
  /** Scheduler ms when the follower last fetched up to the leader's log end offset (0 = never). */
  lastCaughtUpTimeMs: number;
  /** The leader's log end offset and the time at the follower's previous fetch (Kafka's rule). */
  lastFetchLeaderLogEndOffset: bigint;
  lastFetchTimeMs: number;
  /** Broker epoch (registration czxid) the follower's latest fetch carried; -1n = not told. */
  brokerEpoch: bigint;
}

export interface PartitionStateUpdate {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly replicas: readonly number[];
  readonly zkVersion: number;
  readonly controllerEpoch: number;
}

/** An ISR change sent to the controller and not answered yet. */
export interface PendingIsrChange {
  readonly kind: 'expand' | 'shrink';
  readonly isr: readonly number[];
}

/** What a leader append wrote, in which epoch, and whether it moved the high watermark. */
export interface LeaderAppendInfo extends AppendResult {
  readonly leaderEpoch: number;
  /** The caller wakes the produce and fetch purgatories when true. */
  readonly highWatermarkIncreased: boolean;
}

export interface LeaderAppendOptions {
  /** -1 (all), 0 or 1. */
  readonly requiredAcks: number;
  readonly minInsyncReplicas: number;
  /** Scheduler ms after the append, for the high-watermark rule on caught-up followers. */
  readonly now: () => number;
  /** 'coordinator' for transaction markers and coordinator logs (Kafka's AppendOrigin.Coordinator); 'client' by default. */
  readonly origin?: AppendOrigin;
  /** The topic's message.timestamp.difference.max.ms (Infinity: unbounded). */
  readonly timestampDifferenceMaxMs?: number;
}

export class Partition {
  role: ReplicaRole = 'none';
  leader = -1;
  leaderEpoch = -1;
  isr: readonly number[] = [];
  replicas: readonly number[] = [];
  zkVersion = -1;
  controllerEpoch = -1;
  /** Leader: the log end offset when this epoch began (a follower must reach it to rejoin). */
  leaderEpochStartOffset = 0n;
  /**
   * The leader epoch at which this broker last became leader (from follower or none). Epoch bumps
   * while it stays leader (the controller shrinking the ISR) leave it: an acks=all write waits on
   * through them, as Kafka's DelayedProduce, and fails only when leadership was lost meanwhile.
   */
  leaderSinceEpoch = -1;
  /** Leader: the ISR change in flight, at most one. */
  pendingIsr: PendingIsrChange | undefined;
  /** Leader only: per follower id. */
  readonly replicaStates = new Map<number, FollowerState>();
  /**
   * True while this broker may not act as leader (the replica manager's ZooKeeper fence): the
   * high watermark then stays where it is, so no acks=all write completes and consumers see
   * nothing new.
   */
  highWatermarkFrozen: () => boolean = () => false;
  /** The log's directory failed on this broker: never served again by this process. */
  offline = false;
  /** Set while a move between log directories swaps the log: leader appends wait for it. */
  private appendsHeld: Promise<unknown> | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly localBrokerId: number,
    public log: PartitionLog,
    /** replica.lag.time.max.ms: caught-up non-ISR followers within it hold the HW back. */
    readonly replicaLagTimeMaxMs = 30_000,
    /**
     * Whether a follower's broker may join the ISR (Kafka's isReplicaIsrEligible; ZooKeeper mode:
     * alive in this broker's metadata). A follower that may not neither joins nor holds the HW.
     */
    private readonly isrEligible: (brokerId: number) => boolean = () => true,
  ) {}

  get key(): string {
    return tpKey(this.topic, this.partition);
  }

  get isLeader(): boolean {
    return this.role === 'leader';
  }

  /**
   * KIP-497: while an expansion is pending the new member already counts (for the HW and for
   * acks=all); while a shrink is pending the leaving member still counts.
   */
  get maximalIsr(): readonly number[] {
    const p = this.pendingIsr;
    if (p === undefined || p.kind === 'shrink') return this.isr;
    return [...new Set([...this.isr, ...p.isr])];
  }

  /** Applies a LeaderAndIsr state; the caller has already fenced it (epoch only grows). */
  applyState(s: PartitionStateUpdate, nowMs: number): void {
    const newEpoch = s.leaderEpoch !== this.leaderEpoch;
    this.leader = s.leader;
    this.leaderEpoch = s.leaderEpoch;
    this.isr = [...s.isr];
    this.replicas = [...s.replicas];
    this.zkVersion = s.zkVersion;
    this.controllerEpoch = s.controllerEpoch;
    this.pendingIsr = undefined;
    const wasLeader = this.role === 'leader';
    this.role = s.leader === this.localBrokerId ? 'leader' : 'follower';
    if (this.role === 'leader' && !wasLeader) this.leaderSinceEpoch = s.leaderEpoch;
    if (this.role === 'leader') {
      // Kafka resets follower state on becoming leader: nothing is known about them yet, except
      // that ISR members were caught up when the controller last looked.
      const previous = new Map(this.replicaStates);
      this.replicaStates.clear();
      for (const id of this.replicas) {
        if (id === this.localBrokerId) continue;
        const old = previous.get(id);
        if (wasLeader && !newEpoch && old !== undefined) {
          this.replicaStates.set(id, old);
          continue;
        }
        this.replicaStates.set(id, {
          logEndOffset: -1n,
          lastCaughtUpTimeMs: this.isr.includes(id) ? nowMs : (old?.lastCaughtUpTimeMs ?? 0),
          lastFetchLeaderLogEndOffset: -1n,
          lastFetchTimeMs: 0,
          brokerEpoch: -1n,
        });
      }
    } else {
      this.replicaStates.clear();
    }
  }

  /** Leader: an AlterIsr answer for the current epoch; persisted by the controller already. */
  applyIsr(isr: readonly number[], zkVersion: number): void {
    this.isr = [...isr];
    this.zkVersion = zkVersion;
    this.pendingIsr = undefined;
  }

  /**
   * Leader: a follower fetched at `fetchOffset` (= its log end offset). Kafka's caught-up rule:
   * at the leader's end now, or at least where the leader's end was at the previous fetch (a
   * follower always one round behind a busy leader still counts). A fetch from a new incarnation
   * of the follower (another broker epoch) gets no credit for the previous one's fetches.
   * Returns true if the HW moved. As Kafka's updateFollowerFetchState, the HW is recomputed only
   * when the follower's log end offset moved: an idle fetch of thousands of partitions costs no
   * HW work (a fetch that only refreshes caught-up times can hold the HW back, never raise it;
   * the isr-expiration tick re-runs it for followers that fell out of the lag window).
   */
  updateFollowerFetchState(followerId: number, fetchOffset: bigint, nowMs: number, brokerEpoch = -1n): boolean {
    const st = this.replicaStates.get(followerId);
    if (st === undefined) return false;
    if (brokerEpoch !== st.brokerEpoch) {
      if (st.brokerEpoch >= 0n) {
        st.lastFetchLeaderLogEndOffset = -1n;
        st.lastFetchTimeMs = 0;
      }
      st.brokerEpoch = brokerEpoch;
    }
    const leaderEnd = this.log.logEndOffset;
    const moved = st.logEndOffset !== fetchOffset;
    st.logEndOffset = fetchOffset;
    if (fetchOffset >= leaderEnd) st.lastCaughtUpTimeMs = nowMs;
    else if (st.lastFetchLeaderLogEndOffset >= 0n && fetchOffset >= st.lastFetchLeaderLogEndOffset) st.lastCaughtUpTimeMs = Math.max(st.lastCaughtUpTimeMs, st.lastFetchTimeMs);
    st.lastFetchLeaderLogEndOffset = leaderEnd;
    st.lastFetchTimeMs = nowMs;
    return moved && this.maybeIncrementHighWatermark(nowMs);
  }

  /**
   * Leader: HW = min log end offset over the leader, the maximal ISR, and ISR-eligible followers
   * caught up within replica.lag.time.max.ms (so they can rejoin; Kafka's
   * shouldWaitForReplicaToJoinIsr). An ISR follower whose offset is not known yet holds the HW
   * where it is. Never moves backwards. Returns true if it moved.
   */
  maybeIncrementHighWatermark(nowMs?: number): boolean {
    if (this.role !== 'leader' || this.highWatermarkFrozen()) return false;
    const isr = this.maximalIsr;
    let hw = this.log.logEndOffset;
    for (const [id, st] of this.replicaStates) {
      const inIsr = isr.includes(id);
      if (!inIsr && (nowMs === undefined || st.logEndOffset < 0n || nowMs - st.lastCaughtUpTimeMs > this.replicaLagTimeMaxMs || !this.isrEligible(id))) continue;
      const leo = st.logEndOffset < 0n ? this.log.highWatermark : st.logEndOffset;
      if (leo < hw) hw = leo;
    }
    const before = this.log.highWatermark;
    return this.log.updateHighWatermark(hw) > before;
  }

  /** Followers out of sync: not at the leader's end and not caught up within the lag time. */
  outOfSyncReplicas(nowMs: number): number[] {
    const out: number[] = [];
    for (const id of this.isr) {
      if (id === this.localBrokerId) continue;
      const st = this.replicaStates.get(id);
      if (st === undefined) continue;
      if (st.logEndOffset !== this.log.logEndOffset && nowMs - st.lastCaughtUpTimeMs > this.replicaLagTimeMaxMs) out.push(id);
    }
    return out;
  }

  /**
   * A follower may rejoin: ISR-eligible (a live broker), caught up to the HW and into the current leader epoch (Kafka's rule),
   * and (KIP-903) the fetch that says so came from the follower's current incarnation:
   * `registeredBrokerEpoch` is the epoch of its registration as this broker knows it (-1n =
   * unknown, not checked); a fetch that carried no epoch (-1n) is not checked either.
   */
  canRejoinIsr(followerId: number, registeredBrokerEpoch = -1n): boolean {
    if (this.maximalIsr.includes(followerId) || !this.replicas.includes(followerId) || !this.isrEligible(followerId)) return false;
    const st = this.replicaStates.get(followerId);
    if (st === undefined || st.logEndOffset < 0n) return false;
    if (registeredBrokerEpoch >= 0n && st.brokerEpoch >= 0n && st.brokerEpoch !== registeredBrokerEpoch) return false;
    return st.logEndOffset >= this.log.highWatermark && st.logEndOffset >= this.leaderEpochStartOffset;
  }

  /**
   * Kafka's Partition.appendRecordsToLeader. With acks=-1 the ISR must reach min.insync.replicas
   * BEFORE anything is written (NOT_ENOUGH_REPLICAS); on a compacted topic every record needs a
   * key (INVALID_RECORD) and CreateTime stamps stay within message.timestamp.difference.max.ms
   * (INVALID_TIMESTAMP), each failing record named (record-validation.ts); then the log appends as leader in the current leader epoch and the
   * high watermark is recomputed. Leadership and the ZooKeeper fence are the caller's (the
   * replica manager's produce path), as is waking the purgatories.
   */
  async appendRecordsToLeader(records: Buffer, o: LeaderAppendOptions): Promise<LeaderAppendInfo> {
    if (o.requiredAcks === -1 && !this.hasEnoughInSyncReplicas(o.minInsyncReplicas)) {
      throw new BrokerError('BRK_NOT_ENOUGH_REPLICAS', `ISR ${JSON.stringify(this.isr)} of ${this.key} is smaller than min.insync.replicas ${o.minInsyncReplicas}`);
    }
    validateRecords(records, {
      partitionKey: this.key,
      requireKey: this.log.config.cleanupPolicy.includes('compact'),
      timestampDifferenceMaxMs: this.log.config.messageTimestampType === 'CreateTime' ? (o.timestampDifferenceMaxMs ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY,
      now: o.now(),
    });
    while (this.appendsHeld !== undefined) await this.appendsHeld.catch(() => undefined);
    const leaderEpoch = this.leaderEpoch;
    const appended = await this.log.appendAsLeader(records, leaderEpoch, { origin: o.origin ?? 'client' });
    return { ...appended, leaderEpoch, highWatermarkIncreased: this.maybeIncrementHighWatermark(o.now()) };
  }

  /**
   * Runs `swap` (the end of a move between log directories) with leader appends held back, as
   * Kafka holds the partition's lock; appends that wait go to whatever `log` is afterwards.
   */
  async holdingAppends<T>(swap: () => Promise<T>): Promise<T> {
    while (this.appendsHeld !== undefined) await this.appendsHeld.catch(() => undefined);
    const run = swap();
    this.appendsHeld = run;
    try {
      return await run;
    } finally {
      this.appendsHeld = undefined;
    }
  }

  /** Whether `|ISR| ≥ minIsr` (acks=all precondition, checked before the append). */
  hasEnoughInSyncReplicas(minIsr: number): boolean {
    return this.isr.length >= minIsr;
  }
}
