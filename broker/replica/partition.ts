/**
 * One hosted replica of a topic-partition (Kafka's Partition): its log, its role, and what the
 * last accepted LeaderAndIsr said (leaderEpoch, isr, replicas, zkVersion). On the leader it also
 * tracks every follower's log end offset and when it last caught up, so that the follower
 * fetcher (next issue) only has to call `updateFollowerFetchState` and ISR tracking only has to
 * read `replicaStates`. The high watermark is computed in ONE place (`maybeIncrementHighWatermark`)
 * and only moves forward.
 */
import type { PartitionLog } from '../../storage/index.js';

export type ReplicaRole = 'leader' | 'follower' | 'none';

export interface FollowerState {
  /** -1n until the follower's first fetch reports it. */
  logEndOffset: bigint;
  /** Scheduler ms when the follower last fetched up to the leader's log end offset (0 = never). */
  lastCaughtUpTimeMs: number;
}

export interface PartitionStateUpdate {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly replicas: readonly number[];
  readonly zkVersion: number;
  readonly controllerEpoch: number;
}

export class Partition {
  role: ReplicaRole = 'none';
  leader = -1;
  leaderEpoch = -1;
  isr: readonly number[] = [];
  replicas: readonly number[] = [];
  zkVersion = -1;
  controllerEpoch = -1;
  /** Leader only: per follower id. */
  readonly replicaStates = new Map<number, FollowerState>();

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly localBrokerId: number,
    public log: PartitionLog,
  ) {}

  get key(): string {
    return partitionKey(this.topic, this.partition);
  }

  get isLeader(): boolean {
    return this.role === 'leader';
  }

  /** Applies a LeaderAndIsr state; the caller has already fenced it (epoch only grows). */
  applyState(s: PartitionStateUpdate, nowMs: number): void {
    this.leader = s.leader;
    this.leaderEpoch = s.leaderEpoch;
    this.isr = [...s.isr];
    this.replicas = [...s.replicas];
    this.zkVersion = s.zkVersion;
    this.controllerEpoch = s.controllerEpoch;
    this.role = s.leader === this.localBrokerId ? 'leader' : 'follower';
    if (this.role === 'leader') {
      // Kafka resets follower state on becoming leader: nothing is known about them yet, except
      // that ISR members were caught up when the controller last looked.
      const previous = new Map(this.replicaStates);
      this.replicaStates.clear();
      for (const id of this.replicas) {
        if (id === this.localBrokerId) continue;
        const old = previous.get(id);
        this.replicaStates.set(id, { logEndOffset: -1n, lastCaughtUpTimeMs: this.isr.includes(id) ? nowMs : (old?.lastCaughtUpTimeMs ?? 0) });
      }
    } else {
      this.replicaStates.clear();
    }
  }

  /** Leader: a follower fetched at `fetchOffset` (= its log end offset). Returns true if the HW moved. */
  updateFollowerFetchState(followerId: number, fetchOffset: bigint, nowMs: number): boolean {
    const st = this.replicaStates.get(followerId);
    if (st === undefined) return false;
    st.logEndOffset = fetchOffset;
    if (fetchOffset >= this.log.logEndOffset) st.lastCaughtUpTimeMs = nowMs;
    return this.maybeIncrementHighWatermark();
  }

  /**
   * Leader: HW = min log end offset over the ISR (the leader's own included). An ISR follower
   * whose offset is not known yet holds the HW where it is. Never moves backwards (the log
   * clamps too). Returns true if it moved.
   */
  maybeIncrementHighWatermark(): boolean {
    if (this.role !== 'leader') return false;
    let hw = this.log.logEndOffset;
    for (const id of this.isr) {
      if (id === this.localBrokerId) continue;
      const st = this.replicaStates.get(id);
      const leo = st === undefined || st.logEndOffset < 0n ? this.log.highWatermark : st.logEndOffset;
      if (leo < hw) hw = leo;
    }
    const before = this.log.highWatermark;
    return this.log.updateHighWatermark(hw) > before;
  }

  /** Whether `|ISR| ≥ minIsr` (acks=all precondition, checked before the append). */
  hasEnoughInSyncReplicas(minIsr: number): boolean {
    return this.isr.length >= minIsr;
  }
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
