/**
 * BrokerMetrics: one broker's Prometheus metrics in its OWN registry (several brokers may share a
 * test process, and prom-client's global registry would mix them). Two kinds of metric:
 * - event counters/histograms moved by typed `on…` methods that the network router, replica
 *   manager, controller and session wrapper call as things happen;
 * - gauges filled at scrape time from snapshot providers (see providers.ts, collected.ts).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { apiName } from '../../protocol/index.js';
import type { Logger } from '../logging.js';
import type { RequestEvent } from '../network/index.js';
import { registerCollectedGauges } from './collected.js';
import { METRIC_NAMES, ZOOKEEPER_SESSION_STATES, type ZooKeeperSessionState } from './names.js';
import type { MetricProviders, ProviderName } from './providers.js';

export interface BrokerMetricsOptions {
  /** Labels on every series (e.g. { broker: '1' } when one Prometheus scrapes a shared port). */
  readonly defaultLabels?: Readonly<Record<string, string>>;
  /** Node process metrics (heap, event loop lag, GC) under `samsa_process_`; off in tests. */
  readonly processMetrics?: boolean;
  readonly providers?: MetricProviders;
  /** Receives provider failures (a scrape never fails because one provider did). */
  readonly logger?: Logger;
}

/** Latency buckets in ms: sub-ms local answers up to long-poll fetches and request timeouts. */
const REQUEST_TIME_BUCKETS_MS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000];
const ELECTION_TIME_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000];

export interface ProduceEvent {
  readonly topic: string;
  /** Bytes of record batches appended (or refused, when `failed`). */
  readonly bytes: number;
  readonly messages: number;
  /** The partition refused the append (NOT_LEADER, NOT_ENOUGH_REPLICAS, CORRUPT_MESSAGE, …). */
  readonly failed?: boolean;
}

export interface FetchEvent {
  readonly topic: string;
  readonly bytes: number;
  /** Records in the batches sent (consumer fetches; from the batch headers). */
  readonly messages?: number;
  /** A follower's fetch: counted as replication bytes out, not consumer bytes out. */
  readonly replication?: boolean;
  readonly failed?: boolean;
}

export interface LeaderElectionEvent {
  /** An out-of-sync replica became leader (unclean.leader.election.enable). */
  readonly unclean: boolean;
  readonly durationMs?: number;
}

/** Structurally a coordination SessionListener: `store.addSessionListener(metrics.zooKeeperSessionListener())`. */
export interface ZooKeeperSessionObserver {
  sessionExpired(oldSessionId: bigint): void;
  newSession(sessionId: bigint): void;
}

/** Per-topic counters since start, for the dashboard (rates are differences of samples). */
export interface TopicCountersSample {
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
}

/** Cumulative counts per latency bucket (`le` of REQUEST_TIME_BUCKETS_MS, then +Inf). */
export interface RequestTimeSample {
  readonly count: number;
  readonly sumMs: number;
  readonly buckets: readonly number[];
}

/** This broker's event counters as numbers: what the dashboard charts, sampled every few seconds. */
export interface MetricsSample {
  readonly topics: Readonly<Record<string, TopicCountersSample>>;
  readonly requestBucketsMs: readonly number[];
  readonly requests: Readonly<Record<string, RequestTimeSample>>;
  readonly isrShrinks: number;
  readonly isrExpands: number;
  readonly zooKeeperState: ZooKeeperSessionState;
}

export class BrokerMetrics {
  readonly registry = new Registry();
  private providers: MetricProviders;
  private readonly log: Logger | undefined;

  private readonly requests: Counter<'request' | 'version' | 'listener'>;
  private readonly requestCloses: Counter<'request' | 'listener'>;
  private readonly requestTime: Histogram<'request'>;
  private readonly authentications: Counter<'listener' | 'result'>;
  private readonly bytesIn: Counter<'topic'>;
  private readonly messagesIn: Counter<'topic'>;
  private readonly bytesOut: Counter<'topic'>;
  private readonly messagesOut: Counter<'topic'>;
  private readonly bytesRejected: Counter<'topic'>;
  private readonly replicationBytesIn: Counter<'topic'>;
  private readonly replicationBytesOut: Counter<'topic'>;
  private readonly totalProduce: Counter<'topic'>;
  private readonly totalFetch: Counter<'topic'>;
  private readonly failedProduce: Counter<'topic'>;
  private readonly failedFetch: Counter<'topic'>;
  private readonly isrShrinks: Counter;
  private readonly fetchSessionEvictions: Counter;
  private readonly isrExpands: Counter;
  private readonly electionTime: Histogram;
  private readonly uncleanElections: Counter;
  private readonly zkState: Gauge<'state'>;
  private readonly zkExpires: Counter;
  private readonly zkSyncConnects: Counter;
  private zkStateNow: ZooKeeperSessionState = 'DISCONNECTED';

  constructor(options: BrokerMetricsOptions = {}) {
    this.providers = { ...options.providers };
    this.log = options.logger;
    const registers = [this.registry];
    if (options.defaultLabels !== undefined) this.registry.setDefaultLabels({ ...options.defaultLabels });

    this.requests = new Counter({ name: METRIC_NAMES.requests, help: 'Kafka requests handled, per api and version', labelNames: ['request', 'version', 'listener'], registers });
    this.requestCloses = new Counter({ name: METRIC_NAMES.requestConnectionCloses, help: 'Requests answered by closing the connection (malformed, unsupported, failed handler)', labelNames: ['request', 'listener'], registers });
    this.authentications = new Counter({ name: METRIC_NAMES.authentications, help: 'SASL authentications per listener, result=success|failure', labelNames: ['listener', 'result'], registers });
    this.requestTime = new Histogram({ name: METRIC_NAMES.requestTotalTimeMs, help: 'Time from request read to response ready, in ms', labelNames: ['request'], buckets: REQUEST_TIME_BUCKETS_MS, registers });
    const perTopic = (name: string, help: string): Counter<'topic'> => new Counter({ name, help, labelNames: ['topic'], registers });
    this.bytesIn = perTopic(METRIC_NAMES.bytesIn, 'Bytes of record batches appended by producers');
    this.messagesIn = perTopic(METRIC_NAMES.messagesIn, 'Records appended by producers');
    this.bytesOut = perTopic(METRIC_NAMES.bytesOut, 'Bytes of record batches sent to consumers');
    this.messagesOut = perTopic(METRIC_NAMES.messagesOut, 'Records sent to consumers');
    this.bytesRejected = perTopic(METRIC_NAMES.bytesRejected, 'Bytes of produced batches refused');
    this.replicationBytesIn = perTopic(METRIC_NAMES.replicationBytesIn, 'Bytes appended by this broker as a follower');
    this.replicationBytesOut = perTopic(METRIC_NAMES.replicationBytesOut, 'Bytes sent to followers');
    this.totalProduce = perTopic(METRIC_NAMES.totalProduceRequests, 'Produce requests per topic');
    this.totalFetch = perTopic(METRIC_NAMES.totalFetchRequests, 'Consumer fetch requests per topic');
    this.failedProduce = perTopic(METRIC_NAMES.failedProduceRequests, 'Produce requests per topic that failed');
    this.failedFetch = perTopic(METRIC_NAMES.failedFetchRequests, 'Consumer fetch requests per topic that failed');
    this.fetchSessionEvictions = new Counter({ name: METRIC_NAMES.incrementalFetchSessionEvictions, help: 'Incremental fetch sessions evicted to make room for another', registers });
    this.isrShrinks = new Counter({ name: METRIC_NAMES.isrShrinks, help: 'ISR shrinks on partitions led by this broker', registers });
    this.isrExpands = new Counter({ name: METRIC_NAMES.isrExpands, help: 'ISR expands on partitions led by this broker', registers });
    this.electionTime = new Histogram({ name: METRIC_NAMES.leaderElectionRateAndTimeMs, help: 'Partition leader elections by the controller and their time in ms', buckets: ELECTION_TIME_BUCKETS_MS, registers });
    this.uncleanElections = new Counter({ name: METRIC_NAMES.uncleanLeaderElections, help: 'Elections of an out-of-sync replica as leader', registers });
    this.zkState = new Gauge({ name: METRIC_NAMES.zooKeeperSessionState, help: '1 for the current ZooKeeper session state, 0 for the others', labelNames: ['state'], registers });
    this.zkExpires = new Counter({ name: METRIC_NAMES.zooKeeperExpires, help: 'ZooKeeper session expiries', registers });
    this.zkSyncConnects = new Counter({ name: METRIC_NAMES.zooKeeperSyncConnects, help: 'ZooKeeper sessions established', registers });
    this.setZooKeeperState('DISCONNECTED');

    registerCollectedGauges({ registry: this.registry, providers: () => this.providers, onProviderError: (p, err) => this.providerFailed(p, err) });
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry, prefix: 'samsa_process_' });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric, providers read now. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Adds or replaces snapshot providers (the root wires them as components start). */
  setProviders(providers: MetricProviders): void {
    this.providers = { ...this.providers, ...providers };
  }

  /** RequestRouter's observer: `router.setRequestObserver((e) => metrics.onRequest(e))`. */
  onRequest(event: RequestEvent): void {
    const request = apiName(event.apiKey);
    this.requests.inc({ request, version: String(event.apiVersion), listener: event.listenerName });
    if (event.outcome === 'close') this.requestCloses.inc({ request, listener: event.listenerName });
    this.requestTime.observe({ request }, Math.max(0, event.durationMs));
  }

  /** A SASL authentication finished on a listener (the socket server's authenticators). */
  onAuthentication(listener: string, result: 'success' | 'failure'): void {
    this.authentications.inc({ listener, result });
  }

  /** Leader side, once per topic-partition of a Produce request. */
  onProduce(event: ProduceEvent): void {
    const labels = { topic: event.topic };
    this.totalProduce.inc(labels);
    if (event.failed === true) {
      this.failedProduce.inc(labels);
      this.bytesRejected.inc(labels, event.bytes);
      return;
    }
    this.bytesIn.inc(labels, event.bytes);
    this.messagesIn.inc(labels, event.messages);
  }

  /** Leader side, once per topic-partition of a Fetch request (consumer or follower). */
  onFetch(event: FetchEvent): void {
    const labels = { topic: event.topic };
    if (event.replication === true) {
      this.replicationBytesOut.inc(labels, event.bytes);
      return;
    }
    this.totalFetch.inc(labels);
    if (event.failed === true) this.failedFetch.inc(labels);
    else {
      this.bytesOut.inc(labels, event.bytes);
      if (event.messages !== undefined && event.messages > 0) this.messagesOut.inc(labels, event.messages);
    }
  }

  /** The fetch session cache dropped a session for a newcomer (FetchSessionCache's onEviction). */
  onFetchSessionEviction(): void {
    this.fetchSessionEvictions.inc();
  }

  /** Follower side: bytes appended from the leader's fetch response. */
  onReplicationAppend(topic: string, bytes: number): void {
    this.replicationBytesIn.inc({ topic }, bytes);
  }

  onIsrShrink(): void {
    this.isrShrinks.inc();
  }

  onIsrExpand(): void {
    this.isrExpands.inc();
  }

  /** Controller side, once per partition whose leader it elected. */
  onLeaderElection(event: LeaderElectionEvent): void {
    this.electionTime.observe(Math.max(0, event.durationMs ?? 0));
    if (event.unclean) this.uncleanElections.inc();
  }

  setZooKeeperState(state: ZooKeeperSessionState): void {
    this.zkStateNow = state;
    for (const s of ZOOKEEPER_SESSION_STATES) this.zkState.set({ state: s }, s === state ? 1 : 0);
  }

  /** Feed from the coordination session's listener (expired, then new session). */
  zooKeeperSessionListener(): ZooKeeperSessionObserver {
    return {
      sessionExpired: () => {
        this.zkExpires.inc();
        this.setZooKeeperState('EXPIRED');
      },
      newSession: () => {
        this.zkSyncConnects.inc();
        this.setZooKeeperState('CONNECTED');
      },
    };
  }

  /** The counters the dashboard charts, read from the same series /metrics exports. */
  async sample(): Promise<MetricsSample> {
    const topics: Record<string, TopicCountersSample> = {};
    const perTopic = async (c: Counter<'topic'>, field: keyof TopicCountersSample): Promise<void> => {
      for (const v of (await c.get()).values) {
        const topic = String(v.labels.topic);
        (topics[topic] ??= { bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0 })[field] = v.value;
      }
    };
    await perTopic(this.bytesIn, 'bytesIn');
    await perTopic(this.bytesOut, 'bytesOut');
    await perTopic(this.messagesIn, 'messagesIn');
    await perTopic(this.messagesOut, 'messagesOut');
    const requests: Record<string, { count: number; sumMs: number; buckets: number[] }> = {};
    const bucketIndex = new Map([...REQUEST_TIME_BUCKETS_MS.map((b, i) => [String(b), i] as const), ['+Inf', REQUEST_TIME_BUCKETS_MS.length]]);
    for (const v of (await this.requestTime.get()).values) {
      const r = (requests[String(v.labels.request)] ??= { count: 0, sumMs: 0, buckets: new Array<number>(REQUEST_TIME_BUCKETS_MS.length + 1).fill(0) });
      const name = (v as { metricName?: string }).metricName ?? '';
      if (name.endsWith('_bucket')) r.buckets[bucketIndex.get(String((v.labels as Record<string, unknown>)['le'])) ?? REQUEST_TIME_BUCKETS_MS.length] = v.value;
      else if (name.endsWith('_sum')) r.sumMs = v.value;
      else if (name.endsWith('_count')) r.count = v.value;
    }
    const single = async (c: Counter): Promise<number> => (await c.get()).values[0]?.value ?? 0;
    return {
      topics,
      requestBucketsMs: REQUEST_TIME_BUCKETS_MS,
      requests,
      isrShrinks: await single(this.isrShrinks),
      isrExpands: await single(this.isrExpands),
      zooKeeperState: this.zkStateNow,
    };
  }

  /** A deleted topic stops being exported (its per-topic counters would otherwise live forever). */
  forgetTopic(topic: string): void {
    for (const c of [this.bytesIn, this.messagesIn, this.bytesOut, this.messagesOut, this.bytesRejected, this.replicationBytesIn, this.replicationBytesOut, this.totalProduce, this.totalFetch, this.failedProduce, this.failedFetch]) {
      c.remove({ topic });
    }
  }

  private providerFailed(provider: ProviderName, err: unknown): void {
    this.log?.warn({ err, provider }, 'metrics provider failed; its gauges are missing from this scrape');
  }
}
