/**
 * Partition and replica state changes that write ZooKeeper: new partitions get their first
 * leader and ISR, elections move leadership, dead replicas leave the ISR. Every write is a fenced
 * multi (controller epoch check) and is conditional on the partition znode's own version; a
 * partition whose znode moved underneath is re-read and retried (bounded). Memory is updated only
 * from what was written, then the caller's request batch gets the LeaderAndIsr/UpdateMetadata.
 * Writes for many partitions are pipelined: one multi per partition, all in flight together.
 */
import { tpKey } from '../../common/index.js';
import type { Logger } from 'pino';
import {
  type CoordinationStore,
  encodePartitionState,
  type FencedWriter,
  type LeaderIsrAndControllerEpoch,
  ops,
  partitionPath,
  partitionStatePath,
  readPartitionStates,
  topicPartitionsPath,
} from '../../coordination/index.js';
import type { ControllerContext, TopicPartition } from './context.js';
import {
  controlledShutdownPartitionLeaderElection,
  type ElectionResult,
  offlinePartitionLeaderElection,
  preferredReplicaPartitionLeaderElection,
  removeReplicasFromIsr,
} from './election-strategies.js';
import { type Compute, type LeadershipWriteOutcome, writeLeadership } from './leadership-writes.js';
import type { ControllerRequestBatch } from './request-batch.js';
import { isValidPartitionTransition, isValidReplicaTransition, type PartitionState, type ReplicaState } from './state-machines.js';

export interface ControllerRuntime {
  readonly store: CoordinationStore;
  readonly writer: FencedWriter;
  readonly ctx: ControllerContext;
  readonly controllerId: number;
  readonly controllerEpoch: number;
  readonly stateLog: Logger;
  /** Broker-level unclean.leader.election.enable (topic overrides win), read at each election. */
  readonly uncleanDefault: () => boolean;
  /** The controller's clock (elections are timed for the metrics). */
  readonly now: () => number;
  readonly onLeaderElection?: LeaderElectionObserver;
}

/** Told once per partition that got a new live leader; `durationMs` is the write that did it. */
export type LeaderElectionObserver = (event: { readonly unclean: boolean; readonly durationMs: number }) => void;

export type ElectionKind = 'offline' | 'preferred' | 'controlledShutdown' | 'unclean';


export class PartitionOperations {
  constructor(private readonly rt: ControllerRuntime) {}

  private get ctx(): ControllerContext {
    return this.rt.ctx;
  }

  transitionPartition(tp: TopicPartition, to: PartitionState, extra: Record<string, unknown> = {}): void {
    const k = tpKey(tp.topic, tp.partition);
    const from = this.ctx.partitionStates.get(k) ?? 'NonExistentPartition';
    const base = { controllerId: this.rt.controllerId, controllerEpoch: this.rt.controllerEpoch, topic: tp.topic, partition: tp.partition, from, to, ...extra };
    if (!isValidPartitionTransition(from, to)) {
      this.rt.stateLog.error(base, 'invalid partition state transition refused');
      return;
    }
    this.ctx.partitionStates.set(k, to);
    this.rt.stateLog.info(base, 'partition state change');
  }

  transitionReplica(tp: TopicPartition, replica: number, to: ReplicaState): void {
    const k = `${tpKey(tp.topic, tp.partition)}:${replica}`;
    const from = this.ctx.replicaStates.get(k) ?? 'NonExistentReplica';
    if (from === to && to !== 'OnlineReplica') return;
    const l = this.ctx.leadership.get(tpKey(tp.topic, tp.partition));
    const base = { controllerId: this.rt.controllerId, controllerEpoch: this.rt.controllerEpoch, topic: tp.topic, partition: tp.partition, replica, from, to, leaderEpoch: l?.state.leaderEpoch };
    if (!isValidReplicaTransition(from, to)) {
      this.rt.stateLog.error(base, 'invalid replica state transition refused');
      return;
    }
    this.ctx.replicaStates.set(k, to);
    this.rt.stateLog.info(base, 'replica state change');
  }

  uncleanAllowed(topic: string): boolean {
    const v = this.ctx.topicConfigs.get(topic)?.['unclean.leader.election.enable'];
    return v === undefined ? this.rt.uncleanDefault() : v === 'true';
  }

  /** NewPartition → OnlinePartition: first live replica leads, all live replicas form the ISR. */
  async initializeNewPartitions(tps: readonly TopicPartition[], batch: ControllerRequestBatch): Promise<TopicPartition[]> {
    const live = this.liveForElection();
    const plans: Array<{ tp: TopicPartition; state: LeaderIsrAndControllerEpoch; recipients: number[] }> = [];
    const failed: TopicPartition[] = [];
    for (const tp of tps) {
      const replicas = this.ctx.replicas(tp.topic, tp.partition);
      const liveReplicas = replicas.filter((r) => live.has(r));
      if (liveReplicas.length === 0) {
        this.rt.stateLog.error({ topic: tp.topic, partition: tp.partition, replicas, controllerEpoch: this.rt.controllerEpoch }, 'no live replica to lead new partition; it stays NewPartition');
        failed.push(tp);
        continue;
      }
      plans.push({ tp, state: { leader: liveReplicas[0]!, leaderEpoch: 0, isr: liveReplicas, controllerEpoch: this.rt.controllerEpoch }, recipients: liveReplicas });
    }
    if (plans.length === 0) return failed;
    const topics = [...new Set(plans.map((p) => p.tp.topic))];
    const parents = await this.rt.writer.writeAll(topics.map((t) => [ops.create(topicPartitionsPath(t), null)]));
    parents.forEach((r, i) => {
      if (!r.ok && r.error.code !== 'CRD_NODE_EXISTS') throw r.error;
      void i;
    });
    const first = await this.rt.writer.writeAll(
      plans.map((p) => [ops.create(partitionPath(p.tp.topic, p.tp.partition), null), ops.create(partitionStatePath(p.tp.topic, p.tp.partition), encodePartitionState(p.state))]),
    );
    const second = plans.filter((_, i) => {
      const r = first[i]!;
      return !r.ok && r.error.code === 'CRD_NODE_EXISTS' && r.error.opIndex === 0;
    });
    const secondResults = await this.rt.writer.writeAll(second.map((p) => [ops.create(partitionStatePath(p.tp.topic, p.tp.partition), encodePartitionState(p.state))]));
    const outcome = new Map<string, boolean | 'exists'>();
    plans.forEach((p, i) => {
      const r = first[i]!;
      outcome.set(tpKey(p.tp.topic, p.tp.partition), r.ok ? true : r.error.code === 'CRD_NODE_EXISTS' && r.error.opIndex === 1 ? 'exists' : false);
    });
    second.forEach((p, i) => {
      const r = secondResults[i]!;
      outcome.set(tpKey(p.tp.topic, p.tp.partition), r.ok ? true : r.error.code === 'CRD_NODE_EXISTS' ? 'exists' : false);
    });
    const adopt: TopicPartition[] = [];
    for (const p of plans) {
      const k = tpKey(p.tp.topic, p.tp.partition);
      const o = outcome.get(k);
      if (o === true) {
        this.ctx.leadership.set(k, { state: p.state, zkVersion: 0 });
        this.transitionPartition(p.tp, 'OnlinePartition', { leader: p.state.leader, leaderEpoch: 0, isr: p.state.isr });
        for (const r of this.ctx.replicas(p.tp.topic, p.tp.partition)) this.transitionReplica(p.tp, r, this.ctx.isLive(r) ? 'OnlineReplica' : 'OfflineReplica');
        batch.addLeaderAndIsr(p.recipients, p.tp, true);
      } else if (o === 'exists') {
        adopt.push(p.tp);
      } else {
        failed.push(p.tp);
      }
    }
    if (adopt.length > 0) {
      // Someone (a previous controller) created the state already: adopt what ZooKeeper holds.
      const states = await readPartitionStates(this.rt.store, adopt);
      for (const tp of adopt) {
        const s = states.get(tpKey(tp.topic, tp.partition));
        if (s === undefined) {
          failed.push(tp);
          continue;
        }
        this.ctx.leadership.set(tpKey(tp.topic, tp.partition), s);
      }
      const elected = await this.electLeaders(adopt, 'offline', batch);
      failed.push(...elected.failed);
    }
    return failed;
  }

  private liveForElection(): Set<number> {
    const live = this.ctx.liveBrokerIds();
    for (const id of this.ctx.shuttingDown) live.delete(id);
    return live;
  }

  /** Brokers of `base` whose replica of `tp` can lead: not in a failed log directory. */
  private eligible(base: ReadonlySet<number>, tp: TopicPartition): ReadonlySet<number> {
    return this.ctx.replicasOnOfflineDirs.size === 0 ? base : this.ctx.withoutOfflineReplicas(base, tp.topic, tp.partition);
  }

  /** Online/Offline → Online through an election strategy. */
  async electLeaders(
    tps: readonly TopicPartition[],
    kind: ElectionKind,
    batch: ControllerRequestBatch,
  ): Promise<{ elected: TopicPartition[]; failed: TopicPartition[]; unchanged: TopicPartition[] }> {
    const live = this.liveForElection();
    const liveOrShutting = this.ctx.liveOrShuttingDownIds();
    const results = new Map<string, ElectionResult>();
    const compute: Compute = (tp, cur) => {
      const assignment = this.ctx.replicas(tp.topic, tp.partition);
      const canLead = this.eligible(live, tp);
      let r: ElectionResult | null;
      switch (kind) {
        case 'offline':
        case 'unclean':
          // Kafka's electLeaders: a live leader needs no unclean election either (ELECTION_NOT_NEEDED).
          if (cur.leader !== -1 && canLead.has(cur.leader)) return 'skip';
          r = offlinePartitionLeaderElection(assignment, cur.isr, canLead, kind === 'unclean' || this.uncleanAllowed(tp.topic));
          break;
        case 'preferred':
          if (cur.leader === assignment[0]) return 'skip';
          r = preferredReplicaPartitionLeaderElection(assignment, cur.isr, canLead);
          break;
        case 'controlledShutdown':
          r = controlledShutdownPartitionLeaderElection(assignment, cur.isr, this.eligible(liveOrShutting, tp), this.ctx.shuttingDown);
          break;
      }
      if (r === null) return null;
      results.set(tpKey(tp.topic, tp.partition), r);
      return { leader: r.leader, isr: r.isr, leaderEpoch: cur.leaderEpoch + 1, controllerEpoch: this.rt.controllerEpoch };
    };
    const startedMs = this.rt.now();
    const { updated, failed, skipped } = await this.updateLeadership(tps, compute);
    const durationMs = this.rt.now() - startedMs;
    for (const tp of updated) {
      const k = tpKey(tp.topic, tp.partition);
      const l = this.ctx.leadership.get(k)!;
      const r = results.get(k);
      this.rt.onLeaderElection?.({ unclean: r?.unclean === true, durationMs });
      if (r?.unclean) {
        this.rt.stateLog.warn({ topic: tp.topic, partition: tp.partition, leader: l.state.leader, leaderEpoch: l.state.leaderEpoch }, 'unclean leader election: a replica outside the ISR became leader; data may be lost');
      }
      this.transitionPartition(tp, 'OnlinePartition', { election: kind, leader: l.state.leader, leaderEpoch: l.state.leaderEpoch, isr: l.state.isr, zkVersion: l.zkVersion });
      const assignment = this.ctx.replicas(tp.topic, tp.partition);
      const recipients = kind === 'controlledShutdown' ? assignment.filter((x) => liveOrShutting.has(x)) : assignment.filter((x) => live.has(x));
      batch.addLeaderAndIsr(recipients, tp);
    }
    for (const tp of failed) {
      const k = tpKey(tp.topic, tp.partition);
      const l = this.ctx.leadership.get(k);
      if (kind === 'offline' || kind === 'unclean') {
        if (this.ctx.partitionStates.get(k) !== 'OfflinePartition') this.transitionPartition(tp, 'OfflinePartition', { leader: l?.state.leader, isr: l?.state.isr });
        this.rt.stateLog.error(
          { topic: tp.topic, partition: tp.partition, isr: l?.state.isr, replicas: this.ctx.replicas(tp.topic, tp.partition), uncleanAllowed: this.uncleanAllowed(tp.topic) },
          'no eligible leader: partition stays offline',
        );
      }
    }
    return { elected: updated, failed, unchanged: skipped };
  }

  /**
   * Replicas on `dead` brokers go offline in ONE write per partition: a dead leader is replaced
   * (offline strategy) or becomes -1; dead followers leave the ISR, never emptying it.
   */
  /**
   * `leaderlessOnly`: only the partitions whose leader is gone (Kafka's onReplicasBecomeOffline
   * elects and tells those first, then shrinks the ISRs of the rest in a second round).
   */
  onReplicasOffline(dead: ReadonlySet<number>, batch: ControllerRequestBatch, o: { leaderlessOnly?: boolean } = {}): Promise<TopicPartition[]> {
    return this.replicasGoOffline((_tp, r) => dead.has(r), batch, o.leaderlessOnly === true);
  }

  /**
   * Replicas in failed log directories of live brokers (Kafka's onReplicasBecomeOffline): the
   * same treatment as dead brokers, per partition; the context must already list them in
   * `replicasOnOfflineDirs` so that no election picks them.
   */
  onOfflineReplicas(replicas: readonly { tp: TopicPartition; brokerId: number }[], batch: ControllerRequestBatch): Promise<TopicPartition[]> {
    const gone = new Set(replicas.map((r) => `${tpKey(r.tp.topic, r.tp.partition)}:${r.brokerId}`));
    return this.replicasGoOffline((tp, r) => gone.has(`${tpKey(tp.topic, tp.partition)}:${r}`), batch);
  }

  private async replicasGoOffline(isGone: (tp: TopicPartition, replica: number) => boolean, batch: ControllerRequestBatch, leaderlessOnly = false): Promise<TopicPartition[]> {
    const live = this.liveForElection();
    const leaderless = (tp: TopicPartition): boolean => {
      const leader = this.ctx.leadership.get(tpKey(tp.topic, tp.partition))?.state.leader;
      return leader !== undefined && (leader === -1 || isGone(tp, leader));
    };
    const affected = this.ctx.allPartitions().filter((tp) => !this.ctx.topicsToDelete.has(tp.topic) && this.ctx.replicas(tp.topic, tp.partition).some((r) => isGone(tp, r)) && (!leaderlessOnly || leaderless(tp)));
    const withLeadership = affected.filter((tp) => this.ctx.leadership.has(tpKey(tp.topic, tp.partition)));
    const unclean = new Set<string>();
    const compute: Compute = (tp, cur) => {
      const assignment = this.ctx.replicas(tp.topic, tp.partition);
      const dead = new Set(assignment.filter((r) => isGone(tp, r)));
      const canLead = new Set([...this.eligible(live, tp)].filter((r) => !dead.has(r)));
      const leaderGone = cur.leader === -1 || dead.has(cur.leader) || !canLead.has(cur.leader);
      if (!leaderGone && !cur.isr.some((r) => dead.has(r))) return 'skip';
      let next: { leader: number; isr: readonly number[] };
      if (leaderGone) {
        const r = offlinePartitionLeaderElection(assignment, cur.isr, canLead, this.uncleanAllowed(tp.topic));
        if (r?.unclean) unclean.add(tpKey(tp.topic, tp.partition));
        next = r ?? { leader: -1, isr: removeReplicasFromIsr(cur.leader, cur.isr, dead).isr };
      } else {
        next = removeReplicasFromIsr(cur.leader, cur.isr, dead);
      }
      if (next.leader === cur.leader && sameMembers(next.isr, cur.isr)) return 'skip';
      return { leader: next.leader, isr: next.isr, leaderEpoch: cur.leaderEpoch + 1, controllerEpoch: this.rt.controllerEpoch };
    };
    const leaderBefore = new Map(withLeadership.map((tp) => [tpKey(tp.topic, tp.partition), this.ctx.leadership.get(tpKey(tp.topic, tp.partition))!.state.leader]));
    const startedMs = this.rt.now();
    const { updated } = await this.updateLeadership(withLeadership, compute);
    const durationMs = this.rt.now() - startedMs;
    for (const tp of affected) for (const r of this.ctx.replicas(tp.topic, tp.partition)) if (isGone(tp, r)) this.transitionReplica(tp, r, 'OfflineReplica');
    for (const tp of updated) {
      const k = tpKey(tp.topic, tp.partition);
      const l = this.ctx.leadership.get(k)!;
      if (l.state.leader !== -1 && l.state.leader !== leaderBefore.get(k)) this.rt.onLeaderElection?.({ unclean: unclean.has(k), durationMs });
      if (unclean.has(k)) this.rt.stateLog.warn({ topic: tp.topic, partition: tp.partition, leader: l.state.leader }, 'unclean leader election: data may be lost');
      const to: PartitionState = l.state.leader === -1 ? 'OfflinePartition' : 'OnlinePartition';
      this.transitionPartition(tp, to, { leader: l.state.leader, leaderEpoch: l.state.leaderEpoch, isr: l.state.isr, zkVersion: l.zkVersion });
      batch.addLeaderAndIsr(this.ctx.replicas(tp.topic, tp.partition).filter((r) => live.has(r)), tp);
    }
    batch.addUpdateMetadata(this.ctx.liveOrShuttingDownIds(), affected);
    return updated;
  }

  /**
   * ISR members whose membership predates their broker's current registration (`stale`) leave
   * the ISR, and a stale leader is replaced by the first live, non-stale ISR member: such a
   * broker restarted without this controller seeing it die (its death fell between two
   * controllers), and may have come back with an empty disk. When no non-stale member is left
   * nothing changes: there is no better-informed choice (Kafka elects among them too).
   */
  async dropStaleIsrMembers(tps: readonly TopicPartition[], stale: (tp: TopicPartition, replica: number) => boolean, batch: ControllerRequestBatch): Promise<TopicPartition[]> {
    const live = this.liveForElection();
    const kept: TopicPartition[] = [];
    const compute: Compute = (tp, cur) => {
      const fresh = cur.isr.filter((r) => !stale(tp, r));
      if (fresh.length === cur.isr.length) return 'skip';
      const canLead = this.eligible(live, tp);
      const assignment = this.ctx.replicas(tp.topic, tp.partition);
      const leader = fresh.includes(cur.leader) && canLead.has(cur.leader) ? cur.leader : assignment.find((r) => fresh.includes(r) && canLead.has(r));
      if (leader === undefined) {
        kept.push(tp);
        // The leader's new incarnation still needs a LeaderAndIsr it will apply (a broker ignores
        // an unchanged leader epoch, and one whose session expired stays fenced until it gets
        // one): bump the epoch, as Kafka's controller does for a broker it saw bounce.
        if (canLead.has(cur.leader) && stale(tp, cur.leader)) return { leader: cur.leader, isr: cur.isr, leaderEpoch: cur.leaderEpoch + 1, controllerEpoch: this.rt.controllerEpoch };
        return 'skip';
      }
      return { leader, isr: fresh, leaderEpoch: cur.leaderEpoch + 1, controllerEpoch: this.rt.controllerEpoch };
    };
    const { updated } = await this.updateLeadership(tps, compute);
    const keptSet = new Set(kept);
    for (const tp of updated) {
      const l = this.ctx.leadership.get(tpKey(tp.topic, tp.partition))!;
      this.rt.stateLog.warn(
        { controllerId: this.rt.controllerId, controllerEpoch: this.rt.controllerEpoch, topic: tp.topic, partition: tp.partition, leader: l.state.leader, leaderEpoch: l.state.leaderEpoch, isr: l.state.isr },
        keptSet.has(tp) ? 'every live ISR member restarted since the ISR was written; kept, leader epoch bumped for the new registration' : 'restarted brokers left the ISR: their membership predates their registration',
      );
      batch.addLeaderAndIsr(this.ctx.replicas(tp.topic, tp.partition).filter((r) => live.has(r)), tp);
    }
    for (const tp of kept) {
      if (updated.includes(tp)) continue;
      this.rt.stateLog.warn({ topic: tp.topic, partition: tp.partition, isr: this.ctx.leadership.get(tpKey(tp.topic, tp.partition))?.state.isr }, 'every live ISR member restarted since the ISR was written; keeping it');
    }
    return updated;
  }

  /** Controlled shutdown of a follower: leave the ISR (never the last member), epoch bumped. */
  async removeFromIsr(tps: readonly TopicPartition[], replica: number, batch: ControllerRequestBatch): Promise<TopicPartition[]> {
    const compute: Compute = (_tp, cur) => {
      if (!cur.isr.includes(replica)) return 'skip';
      const next = removeReplicasFromIsr(cur.leader, cur.isr, new Set([replica]));
      if (sameMembers(next.isr, cur.isr)) return 'skip';
      return { leader: next.leader, isr: next.isr, leaderEpoch: cur.leaderEpoch + 1, controllerEpoch: this.rt.controllerEpoch };
    };
    const { updated } = await this.updateLeadership(tps, compute);
    for (const tp of updated) {
      batch.addLeaderAndIsr(this.ctx.replicas(tp.topic, tp.partition).filter((r) => r !== replica && this.ctx.isLive(r)), tp);
    }
    return updated;
  }

  /** Computes, writes (fenced + conditional on zk version) and retries moved partitions. */
  updateLeadership(tps: readonly TopicPartition[], compute: Compute): Promise<LeadershipWriteOutcome> {
    return writeLeadership(this.rt, tps, compute);
  }
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
