/**
 * Topics and partitions appearing, controller side (KafkaController.processTopicChange,
 * processPartitionModifications and the topic config handler): a new topic or partition read
 * from /brokers/topics gets a topic id if it lacks one, its replicas and a first leader, and the
 * brokers are told; a topic config change that enables unclean election brings offline
 * partitions back.
 */
import { tpKey } from '../../common/index.js';
import { pipelined, readTopicAssignments, readTopicConfig, readTopicNames, type TopicAssignmentWithVersion } from '../../coordination/index.js';
import type { ActiveController } from './active-controller.js';
import type { TopicPartition } from './context.js';
import { ensureTopicId } from './topic-ids.js';

export class TopicChanges {
  constructor(private readonly ac: ActiveController) {}

  private get ctx() {
    return this.ac.ctx;
  }

  async onTopicChange(): Promise<void> {
    const names = await readTopicNames(this.ac.o.store, this.ac.watch({ type: 'TopicChange' }));
    const present = new Set(names);
    for (const t of [...this.ctx.assignments.keys()]) if (!present.has(t)) this.ctx.removeTopic(t);
    const added = names.filter((t) => !this.ctx.assignments.has(t));
    if (added.length === 0) return;
    await this.addTopicsOrPartitions(added);
  }

  async onPartitionModifications(topic: string): Promise<void> {
    if (!this.ctx.assignments.has(topic)) return;
    await this.addTopicsOrPartitions([topic]);
  }

  async addTopicsOrPartitions(topics: readonly string[]): Promise<void> {
    const read = await readTopicAssignments(this.ac.o.store, topics, (t) => this.ac.watch({ type: 'PartitionModifications', topic: t }));
    await this.recordTopicIds(read);
    const newPartitions: TopicPartition[] = [];
    // New topics' configs in one pipelined round, not one ZooKeeper round trip per topic.
    const fresh = [...read.keys()].filter((t) => !this.ctx.topicsToDelete.has(t) && !this.ctx.assignments.has(t));
    const configs = new Map(await pipelined(fresh, async (t) => [t, await readTopicConfig(this.ac.o.store, t)] as const));
    for (const [t, a] of read) {
      if (this.ctx.topicsToDelete.has(t)) continue;
      const known = this.ctx.assignments.get(t) ?? new Map<number, readonly number[]>();
      if (!this.ctx.assignments.has(t)) {
        this.ctx.assignments.set(t, known);
        this.ctx.topicConfigs.set(t, configs.get(t) ?? (await readTopicConfig(this.ac.o.store, t)));
        this.ac.o.logger.info({ topic: t, partitions: a.assignment.partitions.size }, 'new topic');
      }
      for (const [p, replicas] of a.assignment.partitions) {
        if (known.has(p)) continue;
        known.set(p, replicas);
        const tp = { topic: t, partition: p };
        newPartitions.push(tp);
        this.ac.ops.transitionPartition(tp, 'NewPartition', { replicas });
        for (const r of replicas) this.ac.ops.transitionReplica(tp, r, 'NewReplica');
      }
    }
    if (newPartitions.length === 0) return;
    const batch = this.ac.newBatch();
    await this.ac.ops.initializeNewPartitions(newPartitions, batch);
    this.ac.propagation.track(newPartitions, this.ac.send(batch));
  }

  /**
   * Topic ids and znode versions into the context; topics read without an id get one first
   * (not those being deleted: their znode is about to go).
   */
  async recordTopicIds(read: Map<string, TopicAssignmentWithVersion>): Promise<void> {
    const ids = await Promise.all(
      [...read].map(async ([t, a]) => {
        const id = this.ctx.topicsToDelete.has(t) ? { topicId: a.assignment.topicId, zkVersion: a.zkVersion } : await ensureTopicId(this.ac.o.store, this.ac.writer, t, a, this.ac.o.logger);
        return [t, id] as const;
      }),
    );
    for (const [t, id] of ids) {
      if (id === null) {
        read.delete(t);
        continue;
      }
      if (id.topicId !== undefined) this.ctx.topicIds.set(t, id.topicId);
      this.ctx.topicZkVersions.set(t, id.zkVersion);
    }
  }

  async reloadTopicConfig(topic: string): Promise<void> {
    if (!this.ctx.assignments.has(topic)) return;
    const before = this.ac.ops.uncleanAllowed(topic);
    this.ctx.topicConfigs.set(topic, await readTopicConfig(this.ac.o.store, topic));
    if (!before && this.ac.ops.uncleanAllowed(topic)) {
      // Enabling unclean election may bring offline partitions back (KafkaController does the same).
      const offline = this.ctx
        .partitionsOfTopic(topic)
        .filter((tp) => this.ctx.partitionStates.get(tpKey(tp.topic, tp.partition)) === 'OfflinePartition');
      if (offline.length > 0) {
        const batch = this.ac.newBatch();
        await this.ac.ops.electLeaders(offline, 'offline', batch);
        this.ac.send(batch);
      }
    }
  }
}
