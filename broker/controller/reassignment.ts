/**
 * Partition reassignment (KIP-455 flow in ZooKeeper mode). With ORS the original replicas and
 * TRS the target: the topic znode first records RS = TRS+ORS with adding (TRS−ORS) and removing
 * (ORS−TRS) replicas, so a new controller can resume; the leader epoch is bumped and RS told.
 * Once every target replica is in the ISR (leaders report through AlterIsr / ISR notifications),
 * leadership moves into TRS if needed (reassign strategy), removed replicas are stopped and
 * deleted, the topic znode is rewritten with TRS, and the request leaves
 * /admin/reassign_partitions. A null target cancels (KIP-455): back to ORS, see `cancel`.
 */
import { parseTpKey, tpKey } from '../../common/index.js';
import {
  assignmentOf,
  decodeReassignPartitions,
  encodeReassignPartitions,
  encodeTopicAssignment,
  getDataOrNull,
  ops,
  readTopicAssignment,
  REASSIGN_PARTITIONS_PATH,
  topicPath,
} from '../../coordination/index.js';
import type { ErrorName } from '../../protocol/index.js';
import type { ActiveController } from './active-controller.js';
import type { TopicPartition } from './context.js';
import { reassignPartitionLeaderElection } from './election-strategies.js';

export interface ReassignmentRequest extends TopicPartition {
  /** Target replicas; null cancels the ongoing reassignment (NO_REASSIGNMENT_IN_PROGRESS if none). */
  readonly replicas: readonly number[] | null;
}

export interface OngoingReassignment extends TopicPartition {
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

const minus = (a: readonly number[], b: readonly number[]): number[] => a.filter((x) => !b.includes(x));

export class Reassignments {
  constructor(private readonly ac: ActiveController) {}

  private get ctx() {
    return this.ac.ctx;
  }

  list(): OngoingReassignment[] {
    return [...this.ctx.reassigning.entries()].map(([k, r]) => {
      const { topic, partition } = parseTpKey(k);
      return { topic, partition, replicas: this.ctx.replicas(topic, partition), addingReplicas: minus(r.target, r.original), removingReplicas: minus(r.original, r.target) };
    });
  }

  /** Validates and starts reassignments; answers per `topic-partition`. */
  async start(requests: readonly ReassignmentRequest[]): Promise<Map<string, ErrorName>> {
    const out = new Map<string, ErrorName>();
    const started: TopicPartition[] = [];
    const cancelled: TopicPartition[] = [];
    for (const r of requests) {
      const k = tpKey(r.topic, r.partition);
      const current = this.ctx.replicas(r.topic, r.partition);
      if (current.length === 0 || this.ctx.topicsToDelete.has(r.topic)) out.set(k, 'UNKNOWN_TOPIC_OR_PARTITION');
      else if (r.replicas === null) {
        out.set(k, this.ctx.reassigning.has(k) ? 'NONE' : 'NO_REASSIGNMENT_IN_PROGRESS');
        if (this.ctx.reassigning.has(k)) cancelled.push({ topic: r.topic, partition: r.partition });
      }
      else if (r.replicas.length === 0 || new Set(r.replicas).size !== r.replicas.length || r.replicas.some((b) => !this.ctx.isLive(b))) out.set(k, 'INVALID_REPLICA_ASSIGNMENT');
      else if (this.ctx.reassigning.has(k)) out.set(k, 'REASSIGNMENT_IN_PROGRESS');
      else {
        out.set(k, 'NONE');
        if (r.replicas.length === current.length && r.replicas.every((b, i) => current[i] === b)) continue;
        this.ctx.reassigning.set(k, { original: [...current], target: [...r.replicas] });
        // RS = TRS ++ ORS, distinct: new replicas first so they become preferred after completion.
        this.ctx.assignments.get(r.topic)!.set(r.partition, [...new Set([...r.replicas, ...current])]);
        started.push({ topic: r.topic, partition: r.partition });
      }
    }
    await this.cancel(cancelled, out);
    if (started.length === 0) return out;
    await this.writeTopics([...new Set(started.map((tp) => tp.topic))]);
    const batch = this.ac.newBatch();
    const { updated } = await this.ac.ops.updateLeadership(started, (_tp, cur) => ({ ...cur, leaderEpoch: cur.leaderEpoch + 1, controllerEpoch: this.ac.epoch }));
    for (const tp of updated) {
      const rs = this.ctx.replicas(tp.topic, tp.partition);
      const r = this.ctx.reassigning.get(tpKey(tp.topic, tp.partition))!;
      for (const added of minus(r.target, r.original)) this.ac.ops.transitionReplica(tp, added, 'NewReplica');
      batch.addLeaderAndIsr(rs.filter((b) => this.ctx.isLive(b)), tp);
      this.ac.o.stateLog.info({ topic: tp.topic, partition: tp.partition, original: r.original, target: r.target, controllerEpoch: this.ac.epoch }, 'partition reassignment started');
    }
    this.ac.send(batch);
    await this.maybeComplete(started);
    return out;
  }

  /** Completes every given (or every ongoing) reassignment whose targets are all in the ISR. */
  async maybeComplete(tps?: readonly TopicPartition[]): Promise<void> {
    const candidates = (tps ?? [...this.ctx.reassigning.keys()].map(parseTpKey))
      .filter((tp) => {
        const r = this.ctx.reassigning.get(tpKey(tp.topic, tp.partition));
        const l = this.ctx.leadership.get(tpKey(tp.topic, tp.partition));
        return r !== undefined && l !== undefined && r.target.every((b) => l.state.isr.includes(b));
      });
    if (candidates.length === 0) return;
    const { updated } = await this.moveLeadershipInto(candidates, (r) => r.target);
    if (updated.length === 0) return;
    const batch = this.ac.newBatch();
    const done: Array<{ tp: TopicPartition; removed: number[] }> = [];
    for (const tp of updated) {
      const k = tpKey(tp.topic, tp.partition);
      const r = this.ctx.reassigning.get(k)!;
      const removed = minus(r.original, r.target);
      this.deleteReplicas(tp, removed, batch);
      for (const b of minus(r.target, r.original)) this.ac.ops.transitionReplica(tp, b, this.ctx.isLive(b) ? 'OnlineReplica' : 'OfflineReplica');
      this.ctx.assignments.get(tp.topic)!.set(tp.partition, [...r.target]);
      this.ctx.reassigning.delete(k);
      done.push({ tp, removed });
    }
    await this.writeTopics([...new Set(done.map((d) => d.tp.topic))]);
    for (const { tp } of done) {
      batch.addLeaderAndIsr(this.ctx.replicas(tp.topic, tp.partition).filter((b) => this.ctx.isLive(b)), tp);
      this.ac.o.stateLog.info({ topic: tp.topic, partition: tp.partition, replicas: this.ctx.replicas(tp.topic, tp.partition), controllerEpoch: this.ac.epoch }, 'partition reassignment completed');
    }
    this.ac.send(batch);
    await this.removeFromAdminNode(done.map((d) => d.tp));
  }

  /**
   * KIP-455 cancellation: the partition goes back to its original replicas. Leadership first
   * (ISR cut to ORS, a leader elected from ORS when the current one was being added), so a
   * controller failing over in between resumes a consistent reassignment; then the topic znode
   * without the adding/removing marks; then the added replicas are stopped and deleted. When no
   * original replica can lead (none alive in the ISR) the cancellation is refused with
   * ELIGIBLE_LEADERS_NOT_AVAILABLE and the reassignment goes on. Unlike Kafka, a cancelled
   * partition whose original replicas are not all in the ISR is not kept "in progress" until
   * they are: it is simply under-replicated, which the normal ISR expansion repairs.
   */
  private async cancel(tps: readonly TopicPartition[], out: Map<string, ErrorName>): Promise<void> {
    if (tps.length === 0) return;
    const { updated, noLeader, failed } = await this.moveLeadershipInto(tps, (r) => r.original);
    for (const tp of noLeader) out.set(tpKey(tp.topic, tp.partition), 'ELIGIBLE_LEADERS_NOT_AVAILABLE');
    for (const tp of failed) if (!noLeader.includes(tp)) out.set(tpKey(tp.topic, tp.partition), 'UNKNOWN_SERVER_ERROR');
    if (updated.length === 0) return;
    const batch = this.ac.newBatch();
    for (const tp of updated) {
      const k = tpKey(tp.topic, tp.partition);
      const r = this.ctx.reassigning.get(k)!;
      this.deleteReplicas(tp, minus(r.target, r.original), batch);
      this.ctx.assignments.get(tp.topic)!.set(tp.partition, [...r.original]);
      this.ctx.reassigning.delete(k);
    }
    await this.writeTopics([...new Set(updated.map((tp) => tp.topic))]);
    for (const tp of updated) {
      batch.addLeaderAndIsr(this.ctx.replicas(tp.topic, tp.partition).filter((b) => this.ctx.isLive(b)), tp);
      this.ac.o.stateLog.info({ topic: tp.topic, partition: tp.partition, replicas: this.ctx.replicas(tp.topic, tp.partition), controllerEpoch: this.ac.epoch }, 'partition reassignment cancelled');
    }
    this.ac.send(batch);
    await this.removeFromAdminNode(updated);
  }

  /**
   * Bumps the leader epoch with the ISR cut to `into(r)` and a leader from it (the current one if
   * it belongs there and is alive, else the reassign election). `noLeader`: no candidate.
   */
  private async moveLeadershipInto(tps: readonly TopicPartition[], into: (r: { original: readonly number[]; target: readonly number[] }) => readonly number[]) {
    const live = this.ctx.liveBrokerIds();
    const noLeader: TopicPartition[] = [];
    const before = new Map(tps.map((tp) => [tpKey(tp.topic, tp.partition), this.ctx.leadership.get(tpKey(tp.topic, tp.partition))?.state.leader]));
    const startedMs = this.ac.o.scheduler.now();
    const result = await this.ac.ops.updateLeadership(tps, (tp, cur) => {
      const replicas = into(this.ctx.reassigning.get(tpKey(tp.topic, tp.partition))!);
      // A replica on a failed log directory cannot lead even though its broker is alive.
      const canLead = this.ctx.withoutOfflineReplicas(live, tp.topic, tp.partition);
      const leader = replicas.includes(cur.leader) && canLead.has(cur.leader) ? cur.leader : reassignPartitionLeaderElection(replicas, cur.isr, canLead)?.leader;
      if (leader === undefined) {
        noLeader.push(tp);
        return null;
      }
      return { leader, isr: cur.isr.filter((b) => replicas.includes(b)), leaderEpoch: cur.leaderEpoch + 1, controllerEpoch: this.ac.epoch };
    });
    const durationMs = this.ac.o.scheduler.now() - startedMs;
    for (const tp of result.updated) {
      const k = tpKey(tp.topic, tp.partition);
      if (this.ctx.leadership.get(k)?.state.leader !== before.get(k)) this.ac.o.onLeaderElection?.({ unclean: false, durationMs });
    }
    return { ...result, noLeader };
  }

  /** Replicas leaving the partition: offline, StopReplica with delete, gone. */
  private deleteReplicas(tp: TopicPartition, replicas: readonly number[], batch: ReturnType<ActiveController['newBatch']>): void {
    const epoch = this.ctx.leadership.get(tpKey(tp.topic, tp.partition))!.state.leaderEpoch;
    for (const b of replicas) {
      this.ac.ops.transitionReplica(tp, b, 'OfflineReplica');
      this.ac.ops.transitionReplica(tp, b, 'ReplicaDeletionStarted');
      if (this.ctx.isLive(b)) batch.addStopReplica(b, { topic: tp.topic, partition: tp.partition, leaderEpoch: epoch, deletePartition: true });
      this.ac.ops.transitionReplica(tp, b, 'ReplicaDeletionSuccessful');
      this.ac.ops.transitionReplica(tp, b, 'NonExistentReplica');
    }
  }

  /** /admin/reassign_partitions (legacy tools): start what it lists. */
  async onAdminNode(): Promise<void> {
    const node = await getDataOrNull(this.ac.o.store, REASSIGN_PARTITIONS_PATH, this.ac.watch({ type: 'PartitionReassignment' }));
    if (node === null) {
      await this.ac.o.store.exists(REASSIGN_PARTITIONS_PATH, this.ac.watch({ type: 'PartitionReassignment' }));
      return;
    }
    const wanted = decodeReassignPartitions(node.data, REASSIGN_PARTITIONS_PATH);
    const fresh = wanted.filter((w) => !this.ctx.reassigning.has(tpKey(w.topic, w.partition)));
    const result = await this.start(fresh);
    // Requests that cannot run are dropped from the node, as Kafka does.
    const refused = fresh.filter((w) => result.get(tpKey(w.topic, w.partition)) !== 'NONE' || !this.ctx.reassigning.has(tpKey(w.topic, w.partition)));
    await this.removeFromAdminNode(refused);
  }

  private async removeFromAdminNode(tps: readonly TopicPartition[]): Promise<void> {
    if (tps.length === 0) return;
    const node = await getDataOrNull(this.ac.o.store, REASSIGN_PARTITIONS_PATH);
    if (node === null) return;
    const gone = new Set(tps.map((tp) => tpKey(tp.topic, tp.partition)));
    const rest = decodeReassignPartitions(node.data, REASSIGN_PARTITIONS_PATH).filter((p) => !gone.has(tpKey(p.topic, p.partition)));
    await this.ac.writer.write([
      rest.length === 0 ? ops.remove(REASSIGN_PARTITIONS_PATH, node.stat.version) : ops.setData(REASSIGN_PARTITIONS_PATH, encodeReassignPartitions(rest), node.stat.version),
    ]);
  }

  /** Rewrites topic znodes from the context (RS + adding/removing), fenced and versioned. */
  private async writeTopics(topics: readonly string[]): Promise<void> {
    for (const topic of topics) {
      // Partitions added by an admin meanwhile are kept as ZooKeeper has them; the controller's
      // PartitionModifications event brings them online, so they stay out of the context here.
      const extra = new Map<number, readonly number[]>();
      for (let attempt = 0; attempt < 3; attempt++) {
        const adding = new Map<number, number[]>();
        const removing = new Map<number, number[]>();
        const mine = this.ctx.assignments.get(topic) ?? new Map<number, readonly number[]>();
        for (const [p] of mine) {
          const r = this.ctx.reassigning.get(tpKey(topic, p));
          if (r === undefined) continue;
          adding.set(p, minus(r.target, r.original));
          removing.set(p, minus(r.original, r.target));
        }
        const partitions = new Map([...extra, ...mine]);
        const topicId = this.ctx.topicIds.get(topic);
        const data = encodeTopicAssignment({ ...assignmentOf(partitions), addingReplicas: adding, removingReplicas: removing, ...(topicId === undefined ? {} : { topicId }) });
        const [r] = await this.ac.writer.writeAll([[ops.setData(topicPath(topic), data, this.ctx.topicZkVersions.get(topic) ?? -1)]]);
        if (r!.ok) {
          const set = r!.results[0];
          if (set?.op === 'setData') this.ctx.topicZkVersions.set(topic, set.stat.version);
          break;
        }
        if (r!.error.code !== 'CRD_BAD_VERSION') throw r!.error;
        const fresh = await readTopicAssignment(this.ac.o.store, topic);
        if (fresh === null) return;
        this.ctx.topicZkVersions.set(topic, fresh.zkVersion);
        for (const [p, replicas] of fresh.assignment.partitions) if (!mine.has(p)) extra.set(p, replicas);
      }
    }
  }
}
