/**
 * What the controller does for requests that arrive through ZooKeeper nodes or APIs rather than
 * broker membership: topic deletion (/admin/delete_topics), config changes (/config/changes),
 * preferred-replica elections (/admin/preferred_replica_election), ISR change notifications,
 * controlled shutdown and ElectLeaders.
 */
import { tpKey } from '../../common/index.js';
import {
  CONFIG_CHANGE_PREFIX,
  CONFIG_CHANGES_PATH,
  decodeConfigChange,
  decodeIsrChangeNotification,
  decodePreferredReplicaElection,
  DELETE_TOPICS_PATH,
  deleteTopicPath,
  getDataOrNull,
  ISR_CHANGE_NOTIFICATION_PATH,
  type Op,
  ops,
  partitionPath,
  partitionStatePath,
  pipelined,
  PREFERRED_REPLICA_ELECTION_PATH,
  readChildrenOrEmpty,
  readPartitionStates,
  REASSIGN_PARTITIONS_PATH,
  topicConfigPath,
  topicPartitionsPath,
  topicPath,
} from '../../coordination/index.js';
import type { ErrorName } from '../../protocol/index.js';
import { EPOCH_DURING_DELETE, type StopReplicaResponse } from '../metadata/index.js';
import type { ActiveController } from './active-controller.js';
import type { TopicPartition } from './context.js';
import { ControllerError, type ElectionType } from './events.js';

export class AdminRequests {
  private lastConfigChange = -1;
  /** topic → brokers whose StopReplica(delete) is still unacknowledged */
  private readonly deletionPending = new Map<string, Set<number>>();

  constructor(private readonly ac: ActiveController) {}

  private get ctx() {
    return this.ac.ctx;
  }

  private get store() {
    return this.ac.o.store;
  }

  async armWatches(): Promise<void> {
    const [, , changes] = await Promise.all([
      readChildrenOrEmpty(this.store, DELETE_TOPICS_PATH, this.ac.watch({ type: 'TopicDeletion' })),
      readChildrenOrEmpty(this.store, ISR_CHANGE_NOTIFICATION_PATH, this.ac.watch({ type: 'IsrChangeNotification' })),
      readChildrenOrEmpty(this.store, CONFIG_CHANGES_PATH, this.ac.watch({ type: 'ConfigChange' })),
      this.store.exists(PREFERRED_REPLICA_ELECTION_PATH, this.ac.watch({ type: 'PreferredReplicaElection' })),
      this.store.exists(REASSIGN_PARTITIONS_PATH, this.ac.watch({ type: 'PartitionReassignment' })),
    ]);
    // Changes made before this failover are already reflected in what failover read.
    for (const c of changes) this.lastConfigChange = Math.max(this.lastConfigChange, seqOf(c));
  }

  async afterFailover(): Promise<void> {
    await this.onTopicDeletion();
    await this.onIsrChangeNotification();
    await this.onPreferredReplicaElection();
  }

  // ---- topic deletion -----------------------------------------------------------------------------

  async onTopicDeletion(): Promise<void> {
    const requested = await readChildrenOrEmpty(this.store, DELETE_TOPICS_PATH, this.ac.watch({ type: 'TopicDeletion' }));
    const stale: string[] = [];
    for (const t of requested) {
      if (!this.ctx.assignments.has(t)) stale.push(t);
      else if (!this.ctx.topicsToDelete.has(t)) {
        this.ctx.topicsToDelete.add(t);
        this.ac.o.logger.info({ topic: t }, 'topic marked for deletion');
      }
    }
    if (stale.length > 0) await this.ac.writer.writeAll(stale.map((t) => [ops.remove(deleteTopicPath(t))]));
    await this.retryDeletions();
  }

  markDeletionIneligible(deadBrokers: ReadonlySet<number>): void {
    for (const t of this.ctx.topicsToDelete) {
      if (this.ctx.partitionsOfTopic(t).some((tp) => this.ctx.replicas(tp.topic, tp.partition).some((r) => deadBrokers.has(r)))) {
        this.ctx.topicsIneligibleForDeletion.add(t);
        this.deletionPending.delete(t);
      }
    }
  }

  /** Starts deletion of every marked topic whose replicas are all on live brokers. */
  async retryDeletions(): Promise<void> {
    for (const t of this.ctx.topicsToDelete) {
      if (this.deletionPending.has(t)) continue;
      const parts = this.ctx.partitionsOfTopic(t);
      const brokers = new Set(parts.flatMap((tp) => [...this.ctx.replicas(tp.topic, tp.partition)]));
      if ([...brokers].some((b) => !this.ctx.isLive(b))) {
        // Kafka's "ineligible": deletion waits until every replica can be told to delete.
        this.ctx.topicsIneligibleForDeletion.add(t);
        continue;
      }
      this.ctx.topicsIneligibleForDeletion.delete(t);
      this.deletionPending.set(t, new Set(brokers));
      const batch = this.ac.newBatch();
      batch.addDeletedPartitions(this.ctx.liveOrShuttingDownIds(), parts);
      for (const tp of parts) {
        for (const r of this.ctx.replicas(tp.topic, tp.partition)) {
          this.ac.ops.transitionReplica(tp, r, 'OfflineReplica');
          this.ac.ops.transitionReplica(tp, r, 'ReplicaDeletionStarted');
          batch.addStopReplica(r, { topic: tp.topic, partition: tp.partition, leaderEpoch: EPOCH_DURING_DELETE, deletePartition: true });
        }
      }
      if (brokers.size === 0) {
        await this.completeDeletion(t);
        continue;
      }
      batch.send(this.ac.channel, {
        onStopReplica: (brokerId, response) => {
          const r = response as StopReplicaResponse | null;
          const ok = r !== null && r.errorCode === 'NONE' && r.partitionErrors.every((e) => e.errorCode === 'NONE');
          this.ac.o.enqueue({ type: 'TopicDeletionStopReplicaResult', topic: t, brokerId, ok });
        },
      });
    }
  }

  async onStopReplicaResult(topic: string, brokerId: number, ok: boolean): Promise<void> {
    const pending = this.deletionPending.get(topic);
    if (pending === undefined) return;
    if (!ok) {
      this.ac.o.logger.warn({ topic, brokerId }, 'replica deletion failed; topic deletion will be retried');
      this.deletionPending.delete(topic);
      this.ctx.topicsIneligibleForDeletion.add(topic);
      return;
    }
    pending.delete(brokerId);
    if (pending.size === 0) await this.completeDeletion(topic);
  }

  private async completeDeletion(topic: string): Promise<void> {
    this.deletionPending.delete(topic);
    const parts = this.ctx.partitionsOfTopic(topic);
    const list: Op[] = [];
    const exists = await pipelined(
      [...parts.flatMap((tp) => [partitionStatePath(topic, tp.partition), partitionPath(topic, tp.partition)]), topicPartitionsPath(topic), topicPath(topic), topicConfigPath(topic), deleteTopicPath(topic)],
      async (p) => [p, await this.store.exists(p)] as const,
    );
    for (const [p, stat] of exists) if (stat !== null) list.push(ops.remove(p));
    await this.ac.writer.write(list);
    for (const tp of parts) {
      for (const r of this.ctx.replicas(tp.topic, tp.partition)) {
        this.ac.ops.transitionReplica(tp, r, 'ReplicaDeletionSuccessful');
        this.ac.ops.transitionReplica(tp, r, 'NonExistentReplica');
      }
      if (this.ctx.partitionStates.get(tpKey(tp.topic, tp.partition)) !== 'OfflinePartition') this.ac.ops.transitionPartition(tp, 'OfflinePartition');
      this.ac.ops.transitionPartition(tp, 'NonExistentPartition');
    }
    this.ctx.removeTopic(topic);
    this.ac.o.logger.info({ topic }, 'topic deleted');
  }

  // ---- config changes, preferred election, ISR changes ------------------------------------------

  async onConfigChange(): Promise<void> {
    const children = await readChildrenOrEmpty(this.store, CONFIG_CHANGES_PATH, this.ac.watch({ type: 'ConfigChange' }));
    const fresh = children.filter((c) => seqOf(c) > this.lastConfigChange).sort((a, b) => seqOf(a) - seqOf(b));
    for (const c of fresh) {
      this.lastConfigChange = Math.max(this.lastConfigChange, seqOf(c));
      const node = await getDataOrNull(this.store, `${CONFIG_CHANGES_PATH}/${c}`);
      if (node === null) continue;
      const entity = decodeConfigChange(node.data, `${CONFIG_CHANGES_PATH}/${c}`);
      if (entity.startsWith('topics/')) await this.ac.topics.reloadTopicConfig(entity.slice('topics/'.length));
    }
  }

  async onPreferredReplicaElection(): Promise<void> {
    const node = await getDataOrNull(this.store, PREFERRED_REPLICA_ELECTION_PATH, this.ac.watch({ type: 'PreferredReplicaElection' }));
    if (node === null) {
      await this.store.exists(PREFERRED_REPLICA_ELECTION_PATH, this.ac.watch({ type: 'PreferredReplicaElection' }));
      return;
    }
    const wanted = decodePreferredReplicaElection(node.data, PREFERRED_REPLICA_ELECTION_PATH).filter((tp) => this.ctx.replicas(tp.topic, tp.partition).length > 0);
    if (wanted.length > 0) await this.electLeaders(wanted, 'preferred');
    await this.ac.writer.writeAll([[ops.remove(PREFERRED_REPLICA_ELECTION_PATH)]]);
  }

  async onIsrChangeNotification(): Promise<void> {
    const children = await readChildrenOrEmpty(this.store, ISR_CHANGE_NOTIFICATION_PATH, this.ac.watch({ type: 'IsrChangeNotification' }));
    if (children.length === 0) return;
    const partitions = new Map<string, TopicPartition>();
    for (const c of children) {
      const node = await getDataOrNull(this.store, `${ISR_CHANGE_NOTIFICATION_PATH}/${c}`);
      if (node === null) continue;
      for (const tp of decodeIsrChangeNotification(node.data, `${ISR_CHANGE_NOTIFICATION_PATH}/${c}`)) {
        if (this.ctx.replicas(tp.topic, tp.partition).length > 0) partitions.set(tpKey(tp.topic, tp.partition), tp);
      }
    }
    const tps = [...partitions.values()];
    const fresh = await readPartitionStates(this.store, tps);
    for (const [k, s] of fresh) this.ctx.leadership.set(k, s);
    const batch = this.ac.newBatch();
    batch.addUpdateMetadata(this.ctx.liveOrShuttingDownIds(), tps);
    this.ac.send(batch);
    await this.ac.writer.writeAll(children.map((c) => [ops.remove(`${ISR_CHANGE_NOTIFICATION_PATH}/${c}`)]));
    await this.ac.reassignments.maybeComplete(tps);
  }

  // ---- API-driven ---------------------------------------------------------------------------------

  async electLeaders(partitions: readonly TopicPartition[], type: ElectionType): Promise<Map<string, ErrorName>> {
    const result = new Map<string, ErrorName>();
    const known = partitions.filter((tp) => {
      const ok = this.ctx.replicas(tp.topic, tp.partition).length > 0 && !this.ctx.topicsToDelete.has(tp.topic);
      if (!ok) result.set(tpKey(tp.topic, tp.partition), 'UNKNOWN_TOPIC_OR_PARTITION');
      return ok;
    });
    const batch = this.ac.newBatch();
    const r = await this.ac.ops.electLeaders(known, type === 'preferred' ? 'preferred' : 'unclean', batch);
    this.ac.send(batch);
    for (const tp of r.elected) result.set(tpKey(tp.topic, tp.partition), 'NONE');
    for (const tp of r.unchanged) result.set(tpKey(tp.topic, tp.partition), 'ELECTION_NOT_NEEDED');
    // KafkaController.electLeaders: a failed preferred election means the preferred replica cannot lead.
    const failure: ErrorName = type === 'preferred' ? 'PREFERRED_LEADER_NOT_AVAILABLE' : 'ELIGIBLE_LEADERS_NOT_AVAILABLE';
    for (const tp of r.failed) result.set(tpKey(tp.topic, tp.partition), failure);
    return result;
  }

  /** Moves leadership off a stopping broker; returns the partitions it still leads. */
  async controlledShutdown(brokerId: number, brokerEpoch: bigint): Promise<TopicPartition[]> {
    if (!this.ctx.isLive(brokerId)) throw new ControllerError('BRK_BROKER_NOT_AVAILABLE', `broker ${brokerId} is not live`);
    const known = this.ctx.brokerEpoch(brokerId);
    if (brokerEpoch !== -1n && brokerEpoch < known) {
      throw new ControllerError('BRK_STALE_BROKER_EPOCH', `controlled shutdown from broker ${brokerId} with stale epoch ${brokerEpoch} (current ${known})`);
    }
    this.ctx.shuttingDown.add(brokerId);
    const mine = this.ctx.partitionsOnBroker(brokerId).filter((tp) => !this.ctx.topicsToDelete.has(tp.topic) && this.ctx.replicas(tp.topic, tp.partition).length > 1);
    const led = mine.filter((tp) => this.ctx.leadership.get(tpKey(tp.topic, tp.partition))?.state.leader === brokerId);
    const followed = mine.filter((tp) => !led.includes(tp));
    const batch = this.ac.newBatch();
    if (led.length > 0) await this.ac.ops.electLeaders(led, 'controlledShutdown', batch);
    if (followed.length > 0) {
      const shrunk = await this.ac.ops.removeFromIsr(followed, brokerId, batch);
      for (const tp of shrunk) {
        const l = this.ctx.leadership.get(tpKey(tp.topic, tp.partition))!;
        batch.addStopReplica(brokerId, { topic: tp.topic, partition: tp.partition, leaderEpoch: l.state.leaderEpoch, deletePartition: false });
        this.ac.ops.transitionReplica(tp, brokerId, 'OfflineReplica');
      }
    }
    this.ac.send(batch);
    // Kafka's replicatedPartitionsBrokerLeads: an RF 1 partition cannot move, so it does not count.
    return this.ctx.partitionsLedBy(brokerId).filter((tp) => this.ctx.replicas(tp.topic, tp.partition).length > 1);
  }
}

function seqOf(name: string): number {
  const m = /(\d+)$/.exec(name);
  return m === null ? -1 : Number(m[1]);
}

export { CONFIG_CHANGE_PREFIX };
