/**
 * A broker's view of the cluster, filled only by UpdateMetadata from the controller (Kafka's
 * MetadataCache): live brokers with their endpoints per listener and rack, the controller id,
 * per topic its id, and per partition leader / leaderEpoch / replicas / isr / offlineReplicas. Metadata handlers
 * read it; nothing else writes it.
 */
import { LEADER_DURING_DELETE, type LiveBroker, type UpdateMetadataRequest } from './control-requests.js';

export interface PartitionMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
  readonly zkVersion: number;
  readonly controllerEpoch: number;
}

export interface CachedBroker {
  readonly id: number;
  readonly rack: string | null;
  /** Epoch of its current registration (czxid of /brokers/ids/<id>); -1n when the controller did not say. */
  readonly brokerEpoch: bigint;
  /** listener name → endpoint */
  readonly endpoints: ReadonlyMap<string, { readonly host: string; readonly port: number; readonly securityProtocol: string }>;
}

export class MetadataCache {
  private brokers = new Map<number, CachedBroker>();
  private readonly topics = new Map<string, Map<number, PartitionMetadata>>();
  private readonly topicIds = new Map<string, string>();
  private controller = -1;
  private epoch = -1;
  /** Bumped on every applied UpdateMetadata, so readers can tell a cache has moved. */
  private updates = 0;

  get controllerId(): number {
    return this.controller;
  }

  get controllerEpoch(): number {
    return this.epoch;
  }

  get updateCount(): number {
    return this.updates;
  }

  /** Caller (ControlRequestHandler) has already fenced the request. */
  apply(req: UpdateMetadataRequest): string[] {
    this.controller = req.controllerId;
    this.epoch = req.controllerEpoch;
    this.brokers = new Map(req.liveBrokers.map((b) => [b.id, toCached(b)]));
    const deleted: string[] = [];
    for (const p of req.partitionStates) {
      if (p.leader === LEADER_DURING_DELETE) {
        const parts = this.topics.get(p.topic);
        parts?.delete(p.partition);
        if (parts !== undefined && parts.size === 0) {
          this.topics.delete(p.topic);
          this.topicIds.delete(p.topic);
          deleted.push(p.topic);
        }
        continue;
      }
      let parts = this.topics.get(p.topic);
      if (parts === undefined) this.topics.set(p.topic, (parts = new Map()));
      parts.set(p.partition, {
        topic: p.topic,
        partition: p.partition,
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        replicas: [...p.replicas],
        isr: [...p.isr],
        offlineReplicas: [...p.offlineReplicas],
        zkVersion: p.zkVersion,
        controllerEpoch: p.controllerEpoch,
      });
    }
    for (const t of req.topicStates ?? []) if (this.topics.has(t.topicName)) this.topicIds.set(t.topicName, t.topicId);
    this.updates++;
    return deleted;
  }

  aliveBrokers(): CachedBroker[] {
    return [...this.brokers.values()].sort((a, b) => a.id - b.id);
  }

  getBroker(id: number): CachedBroker | undefined {
    return this.brokers.get(id);
  }

  isAlive(id: number): boolean {
    return this.brokers.has(id);
  }

  /** Epoch of a live broker's registration (-1n unknown), undefined when it is not alive. */
  brokerEpoch(id: number): bigint | undefined {
    return this.brokers.get(id)?.brokerEpoch;
  }

  /** Endpoint of a broker on one listener (clients see the listener they connected through). */
  endpoint(id: number, listener: string): { host: string; port: number } | undefined {
    return this.brokers.get(id)?.endpoints.get(listener);
  }

  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }

  hasTopic(topic: string): boolean {
    return this.topics.has(topic);
  }

  getTopic(topic: string): PartitionMetadata[] | undefined {
    const parts = this.topics.get(topic);
    return parts === undefined ? undefined : [...parts.values()].sort((a, b) => a.partition - b.partition);
  }

  /** The topic's id (KIP-516), or undefined when unknown (a controller that did not send it). */
  topicId(topic: string): string | undefined {
    return this.topicIds.get(topic);
  }

  getPartition(topic: string, partition: number): PartitionMetadata | undefined {
    return this.topics.get(topic)?.get(partition);
  }

  /** -1 if unknown or leaderless. */
  leaderFor(topic: string, partition: number): number {
    return this.topics.get(topic)?.get(partition)?.leader ?? -1;
  }

  partitionCount(): number {
    let n = 0;
    for (const parts of this.topics.values()) n += parts.size;
    return n;
  }
}

function toCached(b: LiveBroker): CachedBroker {
  return {
    id: b.id,
    rack: b.rack,
    brokerEpoch: b.brokerEpoch === undefined ? -1n : BigInt(b.brokerEpoch),
    endpoints: new Map(b.endpoints.map((e) => [e.listener, { host: e.host, port: e.port, securityProtocol: e.securityProtocol }])),
  };
}
