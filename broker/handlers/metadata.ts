/**
 * Metadata (key 3): what the MetadataCache (filled by the controller's UpdateMetadata) says.
 * Brokers are listed with their endpoint on the listener the client connected through (a
 * broker without that listener is left out). Unknown topics are auto-created through the topic
 * admin when the request allows it (v4+ field; always for v0–3) and `auto.create.topics.enable`
 * is on, answering LEADER_NOT_AVAILABLE until the controller has elected leaders, as Kafka does.
 * A partition this broker leads but may not act for (the replica manager's ZooKeeper fence) is
 * answered as leaderless (LEADER_NOT_AVAILABLE, leader -1). While the broker cannot vouch for its
 * ZooKeeper session at all, it does not answer Metadata: it closes the connection. Clients ask
 * only brokers they are connected to (KafkaJS picks a connected one, Java the least loaded), so a
 * fenced broker that answers, even "no leader", keeps them asking it and it never learns the new
 * leader (the controller no longer talks to it); a closed connection is what every client takes
 * as "ask another broker".
 *
 * Versions 0–11: v9 is flexible; v10 answers topic ids (KIP-516; the zero uuid while this broker
 * has not heard the topic's id) but, as in Kafka 2.8, does not look topics up by id: a request
 * naming a topic by id alone, or with a non-zero id, is INVALID_REQUEST. v8+ authorized
 * operations are computed only when asked for (else INT32_MIN), as Kafka does without an
 * authorizer (every supported operation); v11 drops the cluster-level ones.
 */
import { ApiKey, ErrorCode, type MetadataRequest, type MetadataResponse } from '../../protocol/index.js';
import { TopicAdminError, validateTopicName } from '../admin/index.js';
import { BrokerError, toWireError } from '../errors.js';
import type { PartitionMetadata } from '../metadata/index.js';
import type { ApiHandler, RequestContext } from '../request-context.js';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS, TOPIC_OPERATIONS } from './authorized-operations.js';
import type { HandlerDeps } from './deps.js';

type TopicEntry = MetadataResponse['topics'][number];
type PartitionEntry = TopicEntry['partitions'][number];

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);

export function createMetadataHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.Metadata> {
  const cache = deps.metadataCache;
  const autoCreateEnabled = deps.config.bool('auto.create.topics.enable');
  const creating = new Set<string>();
  const log = deps.logger.child({ module: 'handlers.metadata' });

  function partitionEntry(p: PartitionMetadata, listener: string): PartitionEntry {
    let errorCode: number = ErrorCode.NONE;
    if (p.leader < 0 || !cache.isAlive(p.leader)) errorCode = ErrorCode.LEADER_NOT_AVAILABLE;
    else if (p.leader === deps.brokerId && deps.replicaManager.leadershipFence(p.topic, p.partition) !== undefined) errorCode = ErrorCode.LEADER_NOT_AVAILABLE;
    else if (cache.endpoint(p.leader, listener) === undefined) errorCode = ErrorCode.LISTENER_NOT_FOUND;
    return {
      errorCode,
      partitionIndex: p.partition,
      leaderId: errorCode === ErrorCode.NONE ? p.leader : -1,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: [...p.replicas],
      isrNodes: [...p.isr],
      offlineReplicas: [...p.offlineReplicas],
    };
  }

  function topicEntry(name: string, errorCode: number, partitions: PartitionEntry[] = []): TopicEntry {
    const topicId = errorCode === ErrorCode.NONE ? (cache.topicId(name) ?? ZERO_UUID) : ZERO_UUID;
    return { errorCode, name, topicId, isInternal: INTERNAL_TOPICS.has(name), partitions, topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
  }

  async function autoCreate(name: string): Promise<number> {
    try {
      validateTopicName(name);
    } catch {
      return ErrorCode.INVALID_TOPIC_EXCEPTION;
    }
    if (creating.has(name)) return ErrorCode.LEADER_NOT_AVAILABLE;
    creating.add(name);
    try {
      await deps.topicAdmin.createTopic({
        name,
        numPartitions: deps.config.int('num.partitions'),
        replicationFactor: deps.config.int('default.replication.factor'),
      });
      log.info({ topic: name }, 'auto-created topic');
      return ErrorCode.LEADER_NOT_AVAILABLE;
    } catch (err) {
      if (err instanceof TopicAdminError) {
        if (err.code === 'BRK_TOPIC_ALREADY_EXISTS') return ErrorCode.LEADER_NOT_AVAILABLE;
        log.warn({ topic: name, err: err.message }, 'auto-creating topic failed');
        return toWireError(err);
      }
      log.warn({ err, topic: name }, 'auto-creating topic failed');
      return ErrorCode.LEADER_NOT_AVAILABLE;
    } finally {
      creating.delete(name);
    }
  }

  async function describe(ctx: RequestContext, request: MetadataRequest): Promise<MetadataResponse> {
    if (deps.replicaManager.zooKeeperContactLost()) {
      throw new BrokerError('BRK_CLOSE_CONNECTION', `broker ${deps.brokerId} is fenced from ZooKeeper: Metadata closes the connection so the client asks another broker`);
    }
    const listener = ctx.listenerName;
    const all = request.topics === null || (ctx.apiVersion === 0 && request.topics.length === 0);
    if (!all && request.topics!.some((t) => t.name === null || (t.topicId !== undefined && t.topicId !== ZERO_UUID))) {
      // Kafka 2.8 refuses the whole request (InvalidRequestException: topic ids are not supported).
      return {
        throttleTimeMs: 0,
        brokers: [],
        clusterId: deps.clusterId(),
        controllerId: cache.controllerId,
        topics: request.topics!.map((t) => ({ ...topicEntry(t.name ?? '', ErrorCode.INVALID_REQUEST), topicId: t.topicId ?? ZERO_UUID })),
        clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
      };
    }
    const names = all ? cache.topicNames() : [...new Set(request.topics!.flatMap((t) => (t.name === null ? [] : [t.name])))];
    const allowAuto = ctx.apiVersion < 4 ? true : (request.allowAutoTopicCreation ?? true);
    const topics: TopicEntry[] = await Promise.all(
      names.map(async (name) => {
        const parts = cache.getTopic(name);
        if (parts !== undefined) return topicEntry(name, ErrorCode.NONE, parts.map((p) => partitionEntry(p, listener)));
        if (!all && allowAuto && autoCreateEnabled) return topicEntry(name, await autoCreate(name));
        let code: number = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        try {
          validateTopicName(name);
        } catch {
          code = ErrorCode.INVALID_TOPIC_EXCEPTION;
        }
        return topicEntry(name, code);
      }),
    );
    const brokers = cache.aliveBrokers().flatMap((b) => {
      const ep = b.endpoints.get(listener);
      return ep === undefined ? [] : [{ nodeId: b.id, host: ep.host, port: ep.port, rack: b.rack }];
    });
    if (request.includeTopicAuthorizedOperations) for (const t of topics) t.topicAuthorizedOperations = TOPIC_OPERATIONS;
    return {
      throttleTimeMs: 0,
      brokers,
      clusterId: deps.clusterId(),
      controllerId: cache.controllerId,
      topics,
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
    };
  }

  return {
    apiKey: ApiKey.Metadata,
    minVersion: 0,
    maxVersion: 11,
    handle: (ctx, request) => describe(ctx, request),
  };
}
