/**
 * The controller's in-memory view (Kafka's ControllerContext), filled at failover from ZooKeeper
 * and updated only AFTER each ZooKeeper write succeeds ("persist first, then memory").
 */
import { parseTpKey, tpKey } from '../../common/index.js';
import type { BrokerInfo, LeaderIsrAndControllerEpoch, RegisteredBroker } from '../../coordination/index.js';
import type { PartitionState, ReplicaState } from './state-machines.js';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface Leadership {
  readonly state: LeaderIsrAndControllerEpoch;
  readonly zkVersion: number;
}

export class ControllerContext {
  readonly liveBrokers = new Map<number, RegisteredBroker>();
  readonly shuttingDown = new Set<number>();
  /** topic → partition → replicas */
  readonly assignments = new Map<string, Map<number, readonly number[]>>();
  readonly topicZkVersions = new Map<string, number>();
  /** topic → its topic id (KIP-516), as in its znode. */
  readonly topicIds = new Map<string, string>();
  readonly leadership = new Map<string, Leadership>();
  readonly partitionStates = new Map<string, PartitionState>();
  readonly replicaStates = new Map<string, ReplicaState>();
  readonly topicsToDelete = new Set<string>();
  readonly topicsIneligibleForDeletion = new Set<string>();
  /** Per-topic overrides read from /config/topics (only what the controller needs). */
  readonly topicConfigs = new Map<string, Record<string, string>>();
  /** Ongoing reassignments: `topic-partition` → original (ORS) and target (TRS) replicas. */
  readonly reassigning = new Map<string, { original: readonly number[]; target: readonly number[] }>();
  /**
   * Replicas of live brokers that answered KAFKA_STORAGE_ERROR (their log directory failed):
   * broker → `topic-partition` keys. Forgotten when the broker dies or restarts (Kafka's
   * replicasOnOfflineDirs).
   */
  readonly replicasOnOfflineDirs = new Map<number, Set<string>>();

  clear(): void {
    this.liveBrokers.clear();
    this.shuttingDown.clear();
    this.assignments.clear();
    this.topicZkVersions.clear();
    this.topicIds.clear();
    this.leadership.clear();
    this.partitionStates.clear();
    this.replicaStates.clear();
    this.topicsToDelete.clear();
    this.topicsIneligibleForDeletion.clear();
    this.topicConfigs.clear();
    this.reassigning.clear();
    this.replicasOnOfflineDirs.clear();
  }

  liveBrokerIds(): Set<number> {
    return new Set(this.liveBrokers.keys());
  }

  /** Live brokers plus those in controlled shutdown (still serving). */
  liveOrShuttingDownIds(): Set<number> {
    return new Set([...this.liveBrokers.keys(), ...this.shuttingDown]);
  }

  isLive(id: number): boolean {
    return this.liveBrokers.has(id);
  }

  /** Live, and its log directory for this partition has not failed (Kafka's isReplicaOnline). */
  isReplicaOnline(id: number, topic: string, partition: number): boolean {
    return this.liveBrokers.has(id) && this.replicasOnOfflineDirs.get(id)?.has(tpKey(topic, partition)) !== true;
  }

  /** `ids` without the brokers whose replica of this partition is in a failed log directory. */
  withoutOfflineReplicas(ids: ReadonlySet<number>, topic: string, partition: number): Set<number> {
    const k = tpKey(topic, partition);
    const out = new Set<number>();
    for (const id of ids) if (this.replicasOnOfflineDirs.get(id)?.has(k) !== true) out.add(id);
    return out;
  }

  brokerInfo(id: number): BrokerInfo | undefined {
    return this.liveBrokers.get(id)?.info;
  }

  brokerEpoch(id: number): bigint {
    return this.liveBrokers.get(id)?.brokerEpoch ?? -1n;
  }

  replicas(topic: string, partition: number): readonly number[] {
    return this.assignments.get(topic)?.get(partition) ?? [];
  }

  allPartitions(): TopicPartition[] {
    const out: TopicPartition[] = [];
    for (const [topic, parts] of this.assignments) for (const p of parts.keys()) out.push({ topic, partition: p });
    return out;
  }

  partitionsOfTopic(topic: string): TopicPartition[] {
    return [...(this.assignments.get(topic)?.keys() ?? [])].sort((a, b) => a - b).map((partition) => ({ topic, partition }));
  }

  partitionsOnBroker(id: number): TopicPartition[] {
    const out: TopicPartition[] = [];
    for (const [topic, parts] of this.assignments) for (const [p, r] of parts) if (r.includes(id)) out.push({ topic, partition: p });
    return out;
  }

  partitionsLedBy(id: number): TopicPartition[] {
    return this.allPartitions().filter((tp) => this.leadership.get(tpKey(tp.topic, tp.partition))?.state.leader === id);
  }

  offlinePartitionCount(): number {
    let n = 0;
    for (const [k, s] of this.partitionStates) if (s === 'OfflinePartition' && !this.topicsToDelete.has(parseTpKey(k).topic)) n++;
    return n;
  }

  removeTopic(topic: string): void {
    for (const { partition } of this.partitionsOfTopic(topic)) {
      const k = tpKey(topic, partition);
      this.leadership.delete(k);
      this.partitionStates.delete(k);
      for (const r of this.replicas(topic, partition)) this.replicaStates.delete(`${k}:${r}`);
      this.reassigning.delete(k);
    }
    this.assignments.delete(topic);
    this.topicZkVersions.delete(topic);
    this.topicIds.delete(topic);
    this.topicsToDelete.delete(topic);
    this.topicsIneligibleForDeletion.delete(topic);
    this.topicConfigs.delete(topic);
  }
}
