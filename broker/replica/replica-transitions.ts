/**
 * The two state transitions the controller drives on a hosted replica (Kafka's
 * ReplicaManager.makeLeaders/makeFollowers and stopReplicas): LeaderAndIsr makes a partition
 * leader or follower, StopReplica stops (and may delete) it. The ReplicaManager owns the
 * partition table and calls these one partition at a time; each step of one partition runs in
 * order (open log → apply state → epoch start offset → HW), and parked requests re-check after.
 */
import type { Logger } from 'pino';
import type { ErrorName } from '../../protocol/index.js';
import { isIoError, StorageError, type LogManager } from '../../storage/index.js';
import type { Scheduler } from '../../common/index.js';
import { tpKey } from '../../common/index.js';
import type { ControlRequestOrigin, LeaderAndIsrPartitionState, StopReplicaPartition } from '../metadata/index.js';
import type { ReplicaFetcherManager } from './fetcher-manager.js';
import { Partition } from './partition.js';
import type { TopicConfigs } from './topic-configs.js';
import type { LeadershipFence } from './zookeeper-fence.js';

/** What the transitions read and change of the ReplicaManager. */
export interface ReplicaTransitionHost {
  readonly brokerId: number;
  readonly scheduler: Scheduler;
  readonly topicConfigs: TopicConfigs;
  readonly logManager: LogManager;
  readonly fetchers: ReplicaFetcherManager | undefined;
  readonly replicaLagTimeMaxMs: number;
  readonly partitions: Map<string, Partition>;
  /** Replicas whose log directory failed. */
  readonly offline: Set<string>;
  readonly log: Logger;
  readonly stateLog: Logger;
  isStopped(): boolean;
  isAlive(brokerId: number): boolean;
  leadershipFence(topic: string, partition: number): LeadershipFence | undefined;
  /** The controller's word for this incarnation replaces what an expired session led. */
  settled(key: string): void;
  notifyLeadership(topic: string, partition: number, isLeader: boolean): void;
  /** Parked produce and consumer fetches of `key` re-check. */
  wake(key: string): void;
}

/** Undefined when applied; KAFKA_STORAGE_ERROR when the replica's log directory is offline. */
export async function makeLeaderOrFollower(h: ReplicaTransitionHost, s: LeaderAndIsrPartitionState, origin: ControlRequestOrigin): Promise<ErrorName | undefined> {
  const key = tpKey(s.topic, s.partition);
  if (h.offline.has(key)) return 'KAFKA_STORAGE_ERROR';
  try {
    let settings = h.topicConfigs.has(s.topic) ? h.topicConfigs.get(s.topic) : undefined;
    if (settings === undefined || s.isNew) {
      settings = await h.topicConfigs.load(s.topic).catch((err: unknown) => {
        h.log.warn({ err, topic: s.topic }, 'could not read the topic config; using broker defaults for now');
        return h.topicConfigs.get(s.topic);
      });
      h.logManager.updateTopicConfig(s.topic, settings.logConfig);
    }
    // A replica the controller knows from before is never re-created empty while a log
    // directory is offline: its data may be there (Kafka's rule).
    const log = h.logManager.getLog(s.topic, s.partition) ?? (await h.logManager.getOrCreateLog(s.topic, s.partition, settings.logConfig, { isNew: s.isNew }));
    let p = h.partitions.get(key);
    if (p === undefined) {
      p = new Partition(s.topic, s.partition, h.brokerId, log, h.replicaLagTimeMaxMs, (id) => h.isAlive(id));
      p.highWatermarkFrozen = () => h.leadershipFence(s.topic, s.partition) !== undefined;
      h.partitions.set(key, p);
    } else p.log = log;
    const wasLeader = p.isLeader;
    // No fetcher may write this log once the new role applies (removal waits for its write).
    await h.fetchers?.removePartitions([key]);
    if (h.isStopped()) return;
    p.applyState(s, h.scheduler.now());
    h.settled(key);
    if (p.isLeader) {
      // KIP-279: the new epoch starts at the current log end offset.
      p.leaderEpochStartOffset = log.logEndOffset;
      await log.assignEpochStartOffset(s.leaderEpoch, log.logEndOffset);
      p.maybeIncrementHighWatermark(h.scheduler.now());
    } else if (s.leader >= 0) {
      h.fetchers?.addPartition(p, s.leader, s.leaderEpoch);
    }
    h.stateLog.info(
      {
        topic: s.topic,
        partition: s.partition,
        role: p.role,
        leader: s.leader,
        leaderEpoch: s.leaderEpoch,
        isr: s.isr,
        controllerId: origin.controllerId,
        controllerEpoch: origin.controllerEpoch,
        logEndOffset: String(log.logEndOffset),
        highWatermark: String(log.highWatermark),
      },
      p.isLeader ? (wasLeader ? 'leader updated' : 'became leader') : 'became follower',
    );
    // Listeners hear role changes only, as Kafka's makeLeaders/makeFollowers hand the coordinators
    // only partitions whose leader changed: a leader-epoch bump of a partition this broker already
    // leads (the controller shrinking the ISR) must keep the coordinators' loaded state.
    if (!(wasLeader && p.isLeader)) h.notifyLeadership(s.topic, s.partition, p.isLeader);
    return undefined;
  } catch (err) {
    h.stateLog.error({ err, topic: s.topic, partition: s.partition, leaderEpoch: s.leaderEpoch }, 'LeaderAndIsr transition failed');
    if (isStorageFailure(err)) {
      h.offline.add(key);
      return 'KAFKA_STORAGE_ERROR';
    }
    return undefined;
  } finally {
    // Waiters re-check: a produce waiting for the HW fails fast when leadership moved.
    h.wake(key);
  }
}

/** Undefined when stopped (or when it failed, logged); KAFKA_STORAGE_ERROR for an offline replica. */
export async function stopReplica(h: ReplicaTransitionHost, sp: StopReplicaPartition, origin: ControlRequestOrigin): Promise<ErrorName | undefined> {
  const key = tpKey(sp.topic, sp.partition);
  const p = h.partitions.get(key);
  // Kafka's answer for an offline replica: its files cannot be touched, so a deletion waits.
  if (h.offline.has(key)) return 'KAFKA_STORAGE_ERROR';
  try {
    await h.fetchers?.removePartitions([key]);
    h.settled(key);
    if (sp.deletePartition) {
      h.partitions.delete(key);
      if (p !== undefined) p.role = 'none';
      await h.logManager.deleteLog(sp.topic, sp.partition);
      if (![...h.partitions.values()].some((x) => x.topic === sp.topic)) h.topicConfigs.forget(sp.topic);
    } else if (p !== undefined) {
      p.role = 'none';
    }
    h.stateLog.info({ topic: sp.topic, partition: sp.partition, deletePartition: sp.deletePartition, controllerEpoch: origin.controllerEpoch }, 'stopped replica');
    h.notifyLeadership(sp.topic, sp.partition, false);
  } catch (err) {
    h.stateLog.error({ err, topic: sp.topic, partition: sp.partition }, 'StopReplica failed');
  } finally {
    h.wake(key);
  }
  return undefined;
}

function isStorageFailure(err: unknown): boolean {
  return isIoError(err) || (err instanceof StorageError && err.code === 'STG_LOG_DIR_OFFLINE');
}
