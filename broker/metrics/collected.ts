/**
 * Gauges filled at scrape time from the snapshot providers. Labelled gauges are reset before
 * each fill so that a partition or group that went away stops being exported.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { METRIC_NAMES, type MetricKey } from './names.js';
import type { LogSnapshot, MetricProviders, ProviderName } from './providers.js';

type Fill = (gauge: Gauge<string>) => Promise<void> | void;

interface CollectedDeps {
  readonly registry: Registry;
  readonly providers: () => MetricProviders;
  readonly onProviderError: (provider: ProviderName, err: unknown) => void;
}

const GROUP_STATE_METRICS: ReadonlyArray<[string, MetricKey]> = [
  ['PreparingRebalance', 'numGroupsPreparingRebalance'],
  ['CompletingRebalance', 'numGroupsCompletingRebalance'],
  ['Stable', 'numGroupsStable'],
  ['Dead', 'numGroupsDead'],
  ['Empty', 'numGroupsEmpty'],
];

/** Registers every collected gauge on `registry`; returns the provider-error counter. */
export function registerCollectedGauges(deps: CollectedDeps): Counter<'provider'> {
  const { registry } = deps;
  const errors = new Counter({
    name: 'samsa_metrics_provider_errors_total',
    help: 'Scrapes during which a metrics snapshot provider threw',
    labelNames: ['provider'],
    registers: [registry],
  });

  /**
   * One gauge whose value comes from one provider. A provider is read once per gauge per
   * scrape; snapshots are cheap counters, so sharing a read across gauges is not worth the
   * staleness bookkeeping.
   */
  const gauge = <P extends ProviderName>(
    key: MetricKey,
    help: string,
    labelNames: readonly string[],
    provider: P,
    fill: (value: Awaited<ReturnType<NonNullable<MetricProviders[P]>>>, g: Gauge<string>) => void,
  ): void => {
    const collect: Fill = async (g) => {
      if (labelNames.length > 0) g.reset();
      const read = deps.providers()[provider];
      if (read === undefined) return;
      try {
        const value = await (read as () => unknown)();
        fill(value as Awaited<ReturnType<NonNullable<MetricProviders[P]>>>, g);
      } catch (err) {
        errors.inc({ provider });
        deps.onProviderError(provider, err);
      }
    };
    new Gauge({
      name: METRIC_NAMES[key],
      help,
      labelNames: [...labelNames],
      registers: [registry],
      collect(this: Gauge<string>) {
        return collect(this);
      },
    });
  };

  gauge('underReplicatedPartitions', 'Partitions led by this broker whose ISR is smaller than their replica set', [], 'replicaManager', (s, g) => g.set(s.underReplicatedPartitions));
  gauge('underMinIsrPartitionCount', 'Partitions led by this broker whose ISR is below min.insync.replicas', [], 'replicaManager', (s, g) => g.set(s.underMinIsrPartitionCount ?? 0));
  gauge('atMinIsrPartitionCount', 'Partitions led by this broker whose ISR is exactly min.insync.replicas', [], 'replicaManager', (s, g) => g.set(s.atMinIsrPartitionCount ?? 0));
  gauge('offlineReplicaCount', 'Replicas on this broker that are offline (log directory failure)', [], 'replicaManager', (s, g) => g.set(s.offlineReplicaCount ?? 0));
  gauge('leaderCount', 'Partitions this broker leads', [], 'replicaManager', (s, g) => g.set(s.leaderCount));
  gauge('zooKeeperFenced', '1 while this broker has had no ZooKeeper answer for its session timeout minus the margin and refuses to act as leader', [], 'replicaManager', (s, g) => g.set(s.zooKeeperFenced ?? 0));
  gauge('zooKeeperFencedPartitions', 'Partitions led by this broker that it refuses to act for (ZooKeeper contact lost, or session expired and no LeaderAndIsr since)', [], 'replicaManager', (s, g) => g.set(s.zooKeeperFencedPartitions ?? 0));
  gauge('partitionCount', 'Partitions with a replica on this broker', [], 'replicaManager', (s, g) => g.set(s.partitionCount));

  gauge('activeControllerCount', '1 on the broker that is the active controller, else 0', [], 'controller', (s, g) => g.set(s.activeControllerCount));
  gauge('offlinePartitionsCount', 'Partitions without a live leader (controller only)', [], 'controller', (s, g) => g.set(s.offlinePartitionsCount));
  gauge('globalTopicCount', 'Topics in the cluster (controller only)', [], 'controller', (s, g) => g.set(s.globalTopicCount ?? 0));
  gauge('globalPartitionCount', 'Partitions in the cluster (controller only)', [], 'controller', (s, g) => g.set(s.globalPartitionCount ?? 0));
  gauge('preferredReplicaImbalanceCount', 'Partitions whose leader is not the preferred replica (controller only)', [], 'controller', (s, g) => g.set(s.preferredReplicaImbalanceCount ?? 0));
  gauge('controllerEpoch', 'The controller epoch this broker last heard of (-1: none)', [], 'controllerEpoch', (epoch, g) => g.set(epoch));

  gauge('purgatorySize', 'Requests parked until their condition holds or they time out', ['delayedOperation'], 'purgatory', (s, g) => {
    g.set({ delayedOperation: 'Produce' }, s.produce);
    g.set({ delayedOperation: 'Fetch' }, s.fetch);
  });

  gauge('numIncrementalFetchSessions', 'Incremental fetch sessions (KIP-227) cached by this broker', [], 'fetchSessions', (s, g) => g.set(s.sessions));
  gauge('numIncrementalFetchPartitionsCached', 'Partitions held by this broker\'s incremental fetch sessions', [], 'fetchSessions', (s, g) => g.set(s.partitions));

  gauge('numGroups', 'Consumer groups owned by this broker\'s coordinator', [], 'groups', (s, g) => {
    g.set(Object.values(s.byState).reduce((a, b) => a + b, 0));
  });
  for (const [state, key] of GROUP_STATE_METRICS) {
    gauge(key, `Consumer groups in state ${state} owned by this broker's coordinator`, [], 'groups', (s, g) => g.set(s.byState[state] ?? 0));
  }
  gauge('consumerGroupLag', 'High watermark minus committed offset, per group and partition', ['consumergroup', 'topic', 'partition'], 'groups', (s, g) => {
    for (const l of s.lag ?? []) g.set({ consumergroup: l.group, topic: l.topic, partition: String(l.partition) }, Number(l.lag));
  });
  gauge('consumerGroupCurrentOffset', 'Committed offset per group and partition', ['consumergroup', 'topic', 'partition'], 'groups', (s, g) => {
    for (const l of s.lag ?? []) g.set({ consumergroup: l.group, topic: l.topic, partition: String(l.partition) }, Number(l.committedOffset));
  });

  gauge('transactionalIds', 'Transactional ids held by this broker\'s transaction coordinator, per state', ['state'], 'transactions', (s, g) => {
    for (const [state, n] of Object.entries(s.byState)) g.set({ state }, n);
  });
  gauge('transactionsPendingMarkers', 'Transactions whose markers some partition leader has not acknowledged yet', [], 'transactions', (s, g) => g.set(s.pendingMarkers));

  gauge('offlineLogDirectoryCount', 'Log directories of this broker taken offline by an I/O error', [], 'logDirs', (s, g) => g.set(s.offline.length));
  gauge('logDirectoryOffline', '1 for a log directory taken offline by an I/O error, 0 while it serves', ['logDirectory'], 'logDirs', (s, g) => {
    for (const d of s.online) g.set({ logDirectory: d }, 0);
    for (const d of s.offline) g.set({ logDirectory: d }, 1);
  });

  // Kafka's quota sensors: the usage rate and the average throttle time per (user, client-id) as tagged by the quota that applies.
  const QUOTA_METRICS: ReadonlyArray<[string, MetricKey, string, MetricKey]> = [
    ['Produce', 'produceByteRate', 'Bytes per second produced, measured against producer_byte_rate', 'produceThrottleTime'],
    ['Fetch', 'fetchByteRate', 'Bytes per second fetched by consumers, measured against consumer_byte_rate', 'fetchThrottleTime'],
    ['Request', 'requestRequestTime', 'Broker time spent on the requests, in percent of one second, measured against request_percentage', 'requestThrottleTime'],
    ['ControllerMutation', 'controllerMutationRate', 'Partitions created or deleted per second, measured against controller_mutation_rate', 'controllerMutationThrottleTime'],
  ];
  for (const [quotaType, rateKey, help, throttleKey] of QUOTA_METRICS) {
    gauge(rateKey, help, ['user', 'client_id'], 'clientQuotas', (sensors, g) => {
      for (const q of sensors) if (q.quotaType === quotaType) g.set({ user: q.user, client_id: q.clientId }, q.rate);
    });
    gauge(throttleKey, `Average throttle time (ms) of the ${quotaType} requests in the quota window`, ['user', 'client_id'], 'clientQuotas', (sensors, g) => {
      for (const q of sensors) if (q.quotaType === quotaType) g.set({ user: q.user, client_id: q.clientId }, q.throttleTimeMs);
    });
  }

  const perLog = (key: MetricKey, help: string, value: (l: LogSnapshot) => number | undefined): void =>
    gauge(key, help, ['topic', 'partition'], 'logs', (logs, g) => {
      for (const l of logs) {
        const v = value(l);
        if (v !== undefined) g.set({ topic: l.topic, partition: String(l.partition) }, v);
      }
    });
  perLog('logSize', 'Bytes on disk of the partition\'s log segments', (l) => l.sizeBytes);
  perLog('logStartOffset', 'First offset still in the log', (l) => Number(l.logStartOffset));
  perLog('logEndOffset', 'Offset the next appended record will get', (l) => Number(l.logEndOffset));
  perLog('logNumSegments', 'Segments of the partition\'s log', (l) => l.numSegments);

  return errors;
}
