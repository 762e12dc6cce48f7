/**
 * The client's view of the cluster: bootstrap, the metadata cache (brokers, controller,
 * topic → partition → leader/leaderEpoch/isr), coalesced refreshes, and a pool of one
 * connection per broker. Metadata requests ask only for the topics someone is interested in.
 *
 * Concurrency contract: one event loop; refreshes are coalesced, connections are created once
 * per broker and replaced when they close.
 */
import type { SecurityOptions } from './security.js';
import type { Clock, Scheduler } from '../common/index.js';
import { systemClock, systemScheduler } from '../common/index.js';
import { Connection, type ThrottleEvent } from './connection.js';
import { KafkaClientError, brokerError } from './errors.js';
import type { MetadataBroker, MetadataRequest, MetadataResponse } from './api-types.js';
import { API, errorInfo } from './wire.js';

export interface ClusterOptions extends SecurityOptions {
  /** Bootstrap addresses, "host:port" (an entry may be a comma list, as bootstrap.servers). */
  brokers: readonly string[];
  clientId?: string;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Let Metadata requests auto-create topics (the producer's default in Kafka). */
  allowAutoTopicCreation?: boolean;
  clock?: Clock;
  scheduler?: Scheduler;
  /** Told of every response a broker throttled (client quotas); the client waits that long before its next request to that broker. */
  onThrottle?: (event: ThrottleEvent) => void;
}

export interface PartitionMetadata {
  partition: number;
  errorCode: number;
  /** -1 when there is no leader. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface TopicMetadata {
  name: string;
  errorCode: number;
  partitions: PartitionMetadata[];
}

export function parseHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new KafkaClientError('CLI_INVALID_CONFIG', `bad broker address "${address}" (want host:port)`);
  }
  return { host: address.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port };
}

export class Cluster {
  readonly clientId: string;
  private readonly bootstrap: Array<{ host: string; port: number }>;
  private readonly brokersById = new Map<number, MetadataBroker>();
  private readonly topics = new Map<string, TopicMetadata>();
  private readonly interest = new Set<string>();
  private readonly available = new Map<string, number[]>();
  private readonly connections = new Map<string, Connection>();
  private refreshing: { promise: Promise<void>; topics: Set<string> } | undefined;
  private queued: Promise<void> | undefined;
  private closed = false;
  /** Last error code the broker gave for a topic in Metadata (e.g. UNKNOWN_TOPIC_OR_PARTITION). */
  readonly topicErrors = new Map<string, number>();
  controllerId = -1;
  clusterId: string | null = null;
  /** Wall-clock ms of the last successful refresh. */
  lastRefreshMs = -1;
  readonly clock: Clock;
  readonly scheduler: Scheduler;

  constructor(private readonly opts: ClusterOptions) {
    // Entries may be comma lists, like bootstrap.servers ("h1:9092,h2:9092").
    const addresses = opts.brokers.flatMap((b) => b.split(',')).map((b) => b.trim()).filter((b) => b.length > 0);
    if (addresses.length === 0) throw new KafkaClientError('CLI_INVALID_CONFIG', 'no bootstrap brokers given');
    this.bootstrap = addresses.map(parseHostPort);
    this.clientId = opts.clientId ?? 'samsa';
    this.clock = opts.clock ?? systemClock;
    this.scheduler = opts.scheduler ?? systemScheduler;
  }

  get brokers(): MetadataBroker[] {
    return [...this.brokersById.values()];
  }

  topic(name: string): TopicMetadata | undefined {
    return this.topics.get(name);
  }

  /** Partitions of a topic that have a leader (cached until the next metadata update). */
  availablePartitions(topic: string): readonly number[] {
    let cached = this.available.get(topic);
    if (cached === undefined) {
      cached = (this.topics.get(topic)?.partitions ?? []).filter((p) => p !== undefined && p.leader >= 0).map((p) => p.partition);
      this.available.set(topic, cached);
    }
    return cached;
  }

  /** Known leader of a partition, or undefined (unknown topic/partition, or leaderless). */
  leaderFor(topic: string, partition: number): number | undefined {
    const p = this.topics.get(topic)?.partitions[partition];
    return p === undefined || p.leader < 0 || !this.brokersById.has(p.leader) ? undefined : p.leader;
  }

  /** Start tracking topics; the next refresh asks for them. Returns whether any was new. */
  addTopics(names: Iterable<string>): boolean {
    let added = false;
    for (const n of names) {
      if (!this.interest.has(n)) {
        this.interest.add(n);
        added = true;
      }
    }
    return added;
  }

  /** Bootstrap: fetch broker metadata (and tracked topics). */
  async connect(): Promise<void> {
    await this.refreshMetadata();
  }

  /**
   * Refresh metadata for tracked topics (plus `topics`). Concurrent calls share a request when
   * it covers their topics; otherwise they share the one queued after it.
   */
  refreshMetadata(topics: Iterable<string> = []): Promise<void> {
    this.addTopics(topics);
    const current = this.refreshing;
    if (current === undefined) return this.startRefresh();
    if ([...this.interest].every((t) => current.topics.has(t))) return current.promise;
    this.queued ??= current.promise
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.refreshMetadata();
      });
    return this.queued;
  }

  private startRefresh(): Promise<void> {
    const topics = new Set(this.interest);
    const promise = this.fetchMetadata([...topics]).then(() => undefined).finally(() => {
      this.refreshing = undefined;
    });
    this.refreshing = { promise, topics };
    return promise;
  }

  /** Fetch metadata for exactly these topics (null = all) without changing the tracked set. */
  async fetchMetadata(topics: string[] | null, allowAutoTopicCreation = this.opts.allowAutoTopicCreation ?? false): Promise<MetadataResponse> {
    const request: MetadataRequest = {
      topics: topics === null ? null : topics.map((name) => ({ name })),
      allowAutoTopicCreation,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    };
    const res = await this.withAnyBroker((c) => c.send<MetadataResponse>(API.Metadata, request));
    this.apply(res);
    return res;
  }

  private apply(res: MetadataResponse): void {
    const seen = new Set<number>();
    for (const b of res.brokers) {
      seen.add(b.nodeId);
      const old = this.brokersById.get(b.nodeId);
      if (old !== undefined && (old.host !== b.host || old.port !== b.port)) this.dropConnection(`node:${b.nodeId}`);
      this.brokersById.set(b.nodeId, b);
    }
    for (const id of [...this.brokersById.keys()]) {
      if (!seen.has(id)) {
        this.brokersById.delete(id);
        this.dropConnection(`node:${id}`);
      }
    }
    this.available.clear();
    this.controllerId = res.controllerId ?? -1;
    this.clusterId = res.clusterId ?? null;
    for (const t of res.topics) {
      const partitions: PartitionMetadata[] = [];
      for (const p of t.partitions) {
        partitions[p.partitionIndex] = {
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch ?? -1,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
        };
      }
      if (t.errorCode !== 0 && partitions.length === 0) this.topics.delete(t.name);
      else this.topics.set(t.name, { name: t.name, errorCode: t.errorCode, partitions });
      if (t.errorCode !== 0) this.topicErrors.set(t.name, t.errorCode);
      else this.topicErrors.delete(t.name);
    }
    this.lastRefreshMs = this.clock.now();
  }

  /** Error for a topic that is not (yet) usable, for callers that give up waiting. */
  topicError(topic: string): KafkaClientError {
    const code = this.topicErrors.get(topic);
    if (code !== undefined) return brokerError(errorInfo(code), `metadata for topic ${topic}`);
    return new KafkaClientError('CLI_METADATA', `no metadata for topic ${topic}`, { retriable: true });
  }

  /** Run `fn` on some broker connection: known brokers first, then bootstrap addresses. */
  async withAnyBroker<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
    if (this.closed) throw new KafkaClientError('CLI_CLOSED', 'the client is closed');
    const candidates: Array<() => Connection> = [];
    const connected = [...this.connections.values()].filter((c) => c.connected);
    for (const c of connected) candidates.push(() => c);
    for (const id of this.brokersById.keys()) candidates.push(() => this.connectionFor(id));
    this.bootstrap.forEach((b, i) => candidates.push(() => this.pooled(`bootstrap:${i}`, b.host, b.port, `bootstrap ${b.host}:${b.port}`)));
    let lastError: unknown;
    for (const candidate of candidates) {
      try {
        return await fn(candidate());
      } catch (err) {
        lastError = err;
        if (!(err instanceof KafkaClientError) || (err.code !== 'CLI_CONNECTION' && err.code !== 'CLI_REQUEST_TIMEOUT')) throw err;
      }
    }
    throw new KafkaClientError('CLI_CONNECTION', 'no broker reachable (tried known brokers and bootstrap addresses)', {
      retriable: true,
      cause: lastError,
    });
  }

  /** The pooled connection to a broker by nodeId (not yet connected: `send` connects). */
  connectionFor(nodeId: number): Connection {
    const b = this.brokersById.get(nodeId);
    if (b === undefined) throw new KafkaClientError('CLI_METADATA', `unknown broker ${nodeId}`, { retriable: true });
    return this.pooled(`node:${nodeId}`, b.host, b.port, `broker ${nodeId} (${b.host}:${b.port})`);
  }

  /** Like connectionFor, refreshing metadata once if the broker is not (yet) known. */
  async connectionForAsync(nodeId: number): Promise<Connection> {
    if (!this.brokersById.has(nodeId)) await this.refreshMetadata();
    return this.connectionFor(nodeId);
  }

  /**
   * A pooled connection to a group coordinator. Its own connection (as Kafka's clients keep
   * one), so long JoinGroup waits never delay produce/fetch requests to the same broker.
   */
  coordinatorConnection(nodeId: number, host: string, port: number): Connection {
    return this.pooled(`coordinator:${nodeId}:${host}:${port}`, host, port, `coordinator ${nodeId} (${host}:${port})`);
  }

  private pooled(key: string, host: string, port: number, label: string): Connection {
    if (this.closed) throw new KafkaClientError('CLI_CLOSED', 'the client is closed');
    const existing = this.connections.get(key);
    if (existing !== undefined && !existing.closed) return existing;
    const c = new Connection({
      host,
      port,
      label,
      clientId: this.clientId,
      ...(this.opts.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: this.opts.requestTimeoutMs }),
      ...(this.opts.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: this.opts.connectTimeoutMs }),
      scheduler: this.scheduler,
      ...(this.opts.ssl === undefined ? {} : { ssl: this.opts.ssl }),
      ...(this.opts.sasl === undefined ? {} : { sasl: this.opts.sasl }),
      ...(this.opts.onThrottle === undefined ? {} : { onThrottle: this.opts.onThrottle }),
    });
    c.onClose(() => {
      if (this.connections.get(key) === c) this.connections.delete(key);
    });
    this.connections.set(key, c);
    return c;
  }

  private dropConnection(key: string): void {
    const c = this.connections.get(key);
    this.connections.delete(key);
    c?.close();
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
  }
}
