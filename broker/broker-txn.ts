/**
 * Wiring of the transaction coordinator into a broker: state on the local `__transaction_state`
 * replicas (through the group module's LogOffsetsStore, the one store of compacted coordinator
 * topics), creation of that topic on first FindCoordinator, InitProducerId and the transaction
 * APIs, the leadership hook (this broker coordinates the transactional ids of every
 * `__transaction_state` partition it leads, at that partition's leader epoch), the marker channel
 * (local call when this broker leads the partition, else the inter-broker `WriteTxnMarkers`
 * api), and the partition-leader side of `WriteTxnMarkers`, which also hands committed or
 * aborted transactional offsets to the group coordinator. Kept apart from broker.ts so the
 * composition root stays one screen of start order.
 */
import type { Logger } from 'pino';
import { readTopicAssignment, type CoordinationStore } from '../coordination/index.js';
import type { TopicAdmin } from './admin/index.js';
import type { BrokerConfig } from './config/index.js';
import { BrokerError } from './errors.js';
import { internalTopicEnsurer, LogOffsetsStore, OFFSETS_TOPIC_NAME, replicaOffsetsLog, type GroupCoordinatorComponent } from './group/index.js';
import type { CoordinatorPlacement } from './handlers/group-apis.js';
import type { InitProducerIdDeps, TxnApiDeps } from './handlers/index.js';
import type { MetadataCache } from './metadata/index.js';
import type { Scheduler } from '../common/index.js';
import type { ProducerIdManager } from './producer-id-manager.js';
import { METADATA_CHANGES, writeTxnMarkers, type ReplicaManager, type TxnMarker } from './replica/index.js';
import type { BrokerServer } from './server.js';
import { ErrorCode } from '../protocol/index.js';
import { AdminHttpError, type TransactionOps, type TransactionSnapshot } from './http/index.js';
import {
  TRANSACTION_STATE_TOPIC_NAME,
  TxnCoordinator,
  TxnMarkerChannel,
  TxnStateManager,
  txnCoordinatorConfigFrom,
  WRITE_TXN_MARKERS_API,
  WRITE_TXN_MARKERS_VERSION,
  type TxnMarkerRequestEntry,
  type TxnMarkerResultEntry,
} from './txn/index.js';

export interface TxnWiringOptions {
  readonly brokerId: number;
  readonly config: BrokerConfig;
  readonly store: CoordinationStore;
  readonly replicaManager: ReplicaManager;
  readonly metadataCache: MetadataCache;
  readonly topicAdmin: TopicAdmin;
  readonly server: BrokerServer;
  readonly producerIds: ProducerIdManager;
  readonly scheduler: Scheduler;
  /** The group coordinator, once wired (AddOffsetsToTxn placement, transactional offsets on markers). */
  readonly groups: () => GroupCoordinatorComponent | undefined;
  readonly logger: Logger;
}

export interface TxnWiring {
  readonly coordinator: TxnCoordinator;
  readonly stateManager: TxnStateManager;
  readonly markers: TxnMarkerChannel;
  /** FindCoordinator key type 1. */
  readonly placement: CoordinatorPlacement;
  /** InitProducerId's deps: idempotent producers get ids from this broker's block, transactional ones go to the coordinator. */
  readonly initProducerIdDeps: InitProducerIdDeps;
  /** The transaction APIs' deps (AddOffsetsToTxn reaches the group coordinator lazily: it is wired after this). */
  readonly apiDeps: TxnApiDeps;
  /** Resolves once every leadership change handed over so far is applied (tests). */
  settled(): Promise<void>;
  shutdown(): Promise<void>;
}

interface WireMarker {
  producerId: bigint | number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  partitions: { topic: string; partition: number }[];
}

/** The inter-broker body is another broker's, but still checked: a malformed one is refused whole. */
function parseMarkers(body: unknown): TxnMarker[] {
  const markers = (body as { markers?: unknown } | null)?.markers;
  if (!Array.isArray(markers)) throw new BrokerError('BRK_INVALID_REQUEST', 'WriteTxnMarkers without a markers array');
  return markers.map((m: WireMarker) => {
    const ok =
      m !== null && typeof m === 'object' && (typeof m.producerId === 'bigint' || Number.isInteger(m.producerId)) && Number.isInteger(m.producerEpoch) &&
      typeof m.commit === 'boolean' && Number.isInteger(m.coordinatorEpoch) && Array.isArray(m.partitions) &&
      m.partitions.every((p) => p !== null && typeof p === 'object' && typeof p.topic === 'string' && Number.isInteger(p.partition));
    if (!ok) throw new BrokerError('BRK_INVALID_REQUEST', 'malformed WriteTxnMarkers entry');
    return { producerId: BigInt(m.producerId), producerEpoch: m.producerEpoch, commit: m.commit, coordinatorEpoch: m.coordinatorEpoch, partitions: m.partitions.map((p) => ({ topic: p.topic, partition: p.partition })) };
  });
}

export async function wireTransactionCoordinator(o: TxnWiringOptions): Promise<TxnWiring> {
  const logger = o.logger.child({ module: 'txn-coordinator' });
  const config = txnCoordinatorConfigFrom(o.config);
  // Kafka places transactional ids by the partition count of the EXISTING topic when there is one.
  const existing = await readTopicAssignment(o.store, TRANSACTION_STATE_TOPIC_NAME);
  const numPartitions = existing?.assignment.partitions.size ?? config.transactionLogNumPartitions;
  const rm = o.replicaManager;
  const stateManager = new TxnStateManager({
    store: new LogOffsetsStore({
      log: replicaOffsetsLog(rm),
      topic: TRANSACTION_STATE_TOPIC_NAME,
      commitTimeoutMs: config.requestTimeoutMs,
      loadBufferSize: config.transactionLogLoadBufferSize,
      now: () => o.scheduler.now(),
      logger,
    }),
    numPartitions,
    transactionalIdExpirationMs: config.transactionalIdExpirationMs,
    now: () => o.scheduler.now(),
    logger,
  });

  /** Partition-leader side: markers appended, then transactional offsets of `__consumer_offsets` settled. */
  const serveMarkers = async (markers: readonly TxnMarker[]): Promise<TxnMarkerResultEntry[]> => {
    const outcomes = await writeTxnMarkers(rm, markers, { timeoutMs: config.requestTimeoutMs });
    const groups = o.groups();
    for (const out of outcomes) {
      const offsets = out.partitions.filter((p) => p.topic === OFFSETS_TOPIC_NAME && p.errorCode === 0).map((p) => p.partition);
      if (offsets.length === 0 || groups === undefined) continue;
      try {
        await groups.coordinator.completeTransaction(out.producerId, offsets, out.commit);
      } catch (err) {
        logger.error({ err, producerId: String(out.producerId) }, 'could not apply transactional offsets after their marker');
        for (const p of out.partitions) if (p.topic === OFFSETS_TOPIC_NAME && p.errorCode === 0) p.errorCode = -1;
      }
    }
    return outcomes.map((out) => ({ producerId: out.producerId, partitions: out.partitions }));
  };
  o.server.registerInternal(WRITE_TXN_MARKERS_API, async (_ctx, body) => ({ markers: await serveMarkers(parseMarkers(body)) }));

  const listener = o.config.interBrokerListenerName;
  const markers = new TxnMarkerChannel({
    stateManager,
    scheduler: o.scheduler,
    logger,
    leaderFor: (topic, partition) => {
      if (o.metadataCache.getPartition(topic, partition) === undefined) return undefined;
      const leader = o.metadataCache.leaderFor(topic, partition);
      return leader >= 0 && o.metadataCache.isAlive(leader) ? leader : -1;
    },
    // Every applied UpdateMetadata notifies this key; the channel re-checks its in-flight leaders then.
    metadataChanged: async (signal) => {
      await rm.metadataPurgatory.wait([METADATA_CHANGES], config.requestTimeoutMs, signal);
    },
    send: async (brokerId, entries: readonly TxnMarkerRequestEntry[]) => {
      if (brokerId === o.brokerId) return serveMarkers(entries);
      const ep = o.metadataCache.endpoint(brokerId, listener);
      if (ep === undefined) throw new BrokerError('BRK_BROKER_UNREACHABLE', `no ${listener} endpoint for broker ${brokerId}`);
      const answer = (await o.server.interBrokerClient.send({ id: brokerId, host: ep.host, port: ep.port }, WRITE_TXN_MARKERS_API, { markers: entries }, {
        version: WRITE_TXN_MARKERS_VERSION,
        // The leader waits up to requestTimeoutMs for its replicas; give its answer time to come back.
        timeoutMs: config.requestTimeoutMs + 5_000,
      })) as { markers: TxnMarkerResultEntry[] };
      return answer.markers;
    },
  });
  const coordinator = new TxnCoordinator({ stateManager, markers, producerIds: o.producerIds, config, scheduler: o.scheduler, logger });

  const ensureTopic = internalTopicEnsurer({
    name: TRANSACTION_STATE_TOPIC_NAME,
    numPartitions,
    replicationFactor: config.transactionLogReplicationFactor,
    replicationFactorKey: 'transaction.state.log.replication.factor',
    configs: {
      'cleanup.policy': 'compact',
      'compression.type': 'uncompressed',
      'min.insync.replicas': String(config.transactionLogMinIsr),
      'segment.bytes': String(config.transactionLogSegmentBytes),
      'unclean.leader.election.enable': 'false',
    },
    topicExists: () => o.metadataCache.hasTopic(TRANSACTION_STATE_TOPIC_NAME),
    liveBrokerCount: () => o.metadataCache.aliveBrokers().length,
    createTopic: (spec) => o.topicAdmin.createTopic({ name: spec.name, numPartitions: spec.numPartitions, replicationFactor: spec.replicationFactor, configs: spec.configs }),
    logger,
  });

  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const onLeadershipChange = (topic: string, partition: number, isLeader: boolean): void => {
    if (topic !== TRANSACTION_STATE_TOPIC_NAME || stopped) return;
    if (!isLeader) {
      coordinator.onResignation(partition);
      return;
    }
    const epoch = rm.getPartition(topic, partition)?.leaderEpoch ?? -1;
    const work = coordinator
      .onElection(partition, epoch)
      .catch((err: unknown) => logger.error({ err, partition }, 'transaction state load failed'))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  };
  rm.addLeadershipListener(onLeadershipChange);
  for (const p of rm.allPartitions()) if (p.topic === TRANSACTION_STATE_TOPIC_NAME && p.isLeader) onLeadershipChange(p.topic, p.partition, true);
  coordinator.startup();

  const settled = async (): Promise<void> => {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  };
  return {
    coordinator,
    stateManager,
    markers,
    placement: { topic: TRANSACTION_STATE_TOPIC_NAME, partitionFor: (id) => coordinator.partitionFor(id), ensureTopic },
    initProducerIdDeps: { producerIds: o.producerIds, transactions: coordinator, logger: o.logger },
    apiDeps: {
      coordinator,
      metadata: o.metadataCache,
      groupPartitionFor: (groupId) => {
        const groups = o.groups();
        if (groups === undefined) throw new BrokerError('BRK_INTERNAL', 'group coordinator not wired');
        return groups.coordinator.partitionFor(groupId);
      },
      logger: o.logger,
    },
    settled,
    shutdown: async () => {
      stopped = true;
      await settled();
      await coordinator.shutdown();
    },
  };
}

/** The HTTP admin's view of this broker's coordinator (GET /transactions); Dead ids are not shown. */
export function transactionOps(txn: () => TxnWiring | undefined): TransactionOps {
  const coordinator = (): TxnCoordinator => {
    const t = txn();
    if (t === undefined) throw new AdminHttpError(503, 'COORDINATOR_NOT_AVAILABLE', 'The transaction coordinator is not started yet.');
    return t.coordinator;
  };
  const describe = (id: string): TransactionSnapshot | null => {
    const d = coordinator().describe(id);
    if (d.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) throw new AdminHttpError(503, 'COORDINATOR_LOAD_IN_PROGRESS', `The coordinator of '${id}' is still loading its transactions.`);
    if (d.errorCode !== ErrorCode.NONE || d.state === '') return null;
    return { ...d, state: d.state };
  };
  return {
    list: () => {
      const listed = coordinator().list([], []);
      if (listed.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) throw new AdminHttpError(503, 'COORDINATOR_LOAD_IN_PROGRESS', 'The coordinator is still loading its transactions.');
      return listed.transactions.map((t) => describe(t.transactionalId)).filter((t): t is TransactionSnapshot => t !== null);
    },
    describe,
  };
}
