/**
 * Collects the control requests one controller decision produces (Kafka's
 * ControllerBrokerRequestBatch) and sends them per broker in Kafka's order: LeaderAndIsr, then
 * UpdateMetadata, then StopReplica. Each body is stamped with the controller's id and epoch and
 * the TARGET's broker epoch.
 */
import { tpKey } from '../../common/index.js';
import {
  type LeaderAndIsrPartitionState,
  type LiveBroker,
  type StopReplicaPartition,
  type UpdateMetadataPartitionState,
  LEADER_DURING_DELETE,
  type ControlResponse,
  type LeaderAndIsrResponse,
} from '../metadata/index.js';
import type { ControllerChannelManager } from './channel.js';
import type { ControllerContext, TopicPartition } from './context.js';

export interface BatchResponseHandlers {
  onLeaderAndIsr?: (brokerId: number, brokerEpoch: bigint, response: LeaderAndIsrResponse) => void;
  onStopReplica?: (brokerId: number, response: ControlResponse | null) => void;
}

export class ControllerRequestBatch {
  private readonly leaderAndIsr = new Map<number, Map<string, LeaderAndIsrPartitionState>>();
  private readonly updateMetadataBrokers = new Set<number>();
  private readonly updateMetadataPartitions = new Map<string, TopicPartition>();
  private updateMetadataAll = false;
  private readonly deletedPartitions = new Set<string>();
  private readonly stopReplica = new Map<number, StopReplicaPartition[]>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly controllerId: number,
    private readonly controllerEpoch: number,
  ) {}

  addLeaderAndIsr(brokerIds: Iterable<number>, tp: TopicPartition, isNew = false): void {
    const l = this.ctx.leadership.get(tpKey(tp.topic, tp.partition));
    if (l === undefined) return;
    const replicas = this.ctx.replicas(tp.topic, tp.partition);
    for (const id of brokerIds) {
      if (!this.ctx.isLive(id) && !this.ctx.shuttingDown.has(id)) continue;
      let m = this.leaderAndIsr.get(id);
      if (m === undefined) this.leaderAndIsr.set(id, (m = new Map()));
      const prior = m.get(tpKey(tp.topic, tp.partition));
      m.set(tpKey(tp.topic, tp.partition), {
        topic: tp.topic,
        partition: tp.partition,
        controllerEpoch: l.state.controllerEpoch,
        leader: l.state.leader,
        leaderEpoch: l.state.leaderEpoch,
        isr: [...l.state.isr],
        zkVersion: l.zkVersion,
        replicas: [...replicas],
        addingReplicas: [],
        removingReplicas: [],
        isNew: isNew || (prior?.isNew ?? false),
      });
    }
    this.addUpdateMetadata([...this.ctx.liveOrShuttingDownIds()], [tp]);
  }

  /** An empty partition list means "every partition" (Kafka's convention). */
  addUpdateMetadata(brokerIds: Iterable<number>, partitions: readonly TopicPartition[]): void {
    for (const id of brokerIds) this.updateMetadataBrokers.add(id);
    if (partitions.length === 0) this.updateMetadataAll = true;
    for (const tp of partitions) this.updateMetadataPartitions.set(tpKey(tp.topic, tp.partition), tp);
  }

  /** UpdateMetadata telling brokers the partition is gone (leader -2). */
  addDeletedPartitions(brokerIds: Iterable<number>, partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.deletedPartitions.add(tpKey(tp.topic, tp.partition));
    this.addUpdateMetadata(brokerIds, partitions);
  }

  addStopReplica(brokerId: number, p: StopReplicaPartition): void {
    const list = this.stopReplica.get(brokerId) ?? [];
    list.push(p);
    this.stopReplica.set(brokerId, list);
  }

  get empty(): boolean {
    return this.leaderAndIsr.size === 0 && this.updateMetadataBrokers.size === 0 && this.stopReplica.size === 0;
  }

  liveBrokersForRequest(): LiveBroker[] {
    return [...this.ctx.liveBrokers.values()].map((b) => ({
      id: b.info.id,
      rack: b.info.rack,
      brokerEpoch: b.brokerEpoch,
      endpoints: b.info.endpoints.map((e) => ({ listener: e.listener, host: e.host, port: e.port, securityProtocol: e.securityProtocol })),
    }));
  }

  private metadataStates(): UpdateMetadataPartitionState[] {
    const parts = this.updateMetadataAll ? this.ctx.allPartitions() : [...this.updateMetadataPartitions.values()];
    const out: UpdateMetadataPartitionState[] = [];
    for (const tp of parts) {
      const k = tpKey(tp.topic, tp.partition);
      const replicas = this.ctx.replicas(tp.topic, tp.partition);
      const l = this.ctx.leadership.get(k);
      if (this.deletedPartitions.has(k) || this.ctx.topicsToDelete.has(tp.topic)) {
        out.push({ topic: tp.topic, partition: tp.partition, controllerEpoch: this.controllerEpoch, leader: LEADER_DURING_DELETE, leaderEpoch: l?.state.leaderEpoch ?? 0, isr: [], zkVersion: l?.zkVersion ?? 0, replicas: [...replicas], offlineReplicas: [] });
        continue;
      }
      if (l === undefined) continue;
      out.push({
        topic: tp.topic,
        partition: tp.partition,
        controllerEpoch: l.state.controllerEpoch,
        leader: l.state.leader,
        leaderEpoch: l.state.leaderEpoch,
        isr: [...l.state.isr],
        zkVersion: l.zkVersion,
        replicas: [...replicas],
        offlineReplicas: replicas.filter((r) => !this.ctx.isReplicaOnline(r, tp.topic, tp.partition)),
      });
    }
    return out;
  }

  /**
   * Queues everything on the channel; callbacks see each response (null = broker gone), the
   * LeaderAndIsr one with the broker epoch it was addressed to.
   */
  send(channel: ControllerChannelManager, on: BatchResponseHandlers = {}): Promise<void>[] {
    const sent: Promise<void>[] = [];
    const header = (id: number) => ({ controllerId: this.controllerId, controllerEpoch: this.controllerEpoch, brokerEpoch: this.ctx.brokerEpoch(id) });
    const live = this.liveBrokersForRequest();
    for (const [id, states] of this.leaderAndIsr) {
      const list = [...states.values()];
      const leaders = new Set(list.map((s) => s.leader));
      const h = header(id);
      sent.push(
        channel
          .send(id, 'LeaderAndIsr', { ...h, partitionStates: list, liveLeaders: live.filter((b) => leaders.has(b.id)) })
          .then((r) => {
            if (r !== null) on.onLeaderAndIsr?.(id, h.brokerEpoch, r as LeaderAndIsrResponse);
          }),
      );
    }
    if (this.updateMetadataBrokers.size > 0) {
      const states = this.metadataStates();
      const topicStates = [...new Set(states.map((s) => s.topic))].flatMap((topicName) => {
        const topicId = this.ctx.topicIds.get(topicName);
        return topicId === undefined ? [] : [{ topicName, topicId }];
      });
      for (const id of this.updateMetadataBrokers) {
        if (!channel.hasBroker(id)) continue;
        sent.push(channel.send(id, 'UpdateMetadata', { ...header(id), partitionStates: states, liveBrokers: live, topicStates }).then(() => undefined));
      }
    }
    for (const [id, partitions] of this.stopReplica) {
      sent.push(
        channel.send(id, 'StopReplica', { ...header(id), partitions }).then((r) => {
          on.onStopReplica?.(id, r);
        }),
      );
    }
    return sent;
  }
}
