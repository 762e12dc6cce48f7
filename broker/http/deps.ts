/**
 * What the HTTP admin API needs from the broker: the composition root implements this. Writes go
 * to the same TopicAdmin as the Kafka admin APIs (`topicAdmin` is satisfied by a TopicAdmin
 * instance as is). Optional parts (reassignments, elections, groups, metrics) answer 501 until
 * they are supplied, so the app runs with any subset.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../logging.js';
import type { TopicAdmin } from '../admin/index.js';
import type { MetricsSample } from '../metrics/index.js';
import type { AclAuthorizer } from '../security/index.js';

export interface EndpointSnapshot {
  readonly listenerName: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: string;
}

export interface BrokerSnapshot {
  readonly id: number;
  readonly rack: string | null;
  readonly endpoints: readonly EndpointSnapshot[];
}

export interface ClusterSnapshot {
  readonly clusterId: string | null;
  /** -1 when no controller is known. */
  readonly controllerId: number;
  readonly controllerEpoch: number;
  readonly brokers: readonly BrokerSnapshot[];
}

export interface Readiness {
  readonly ready: boolean;
  /** Why not ready, in words an operator can act on ("not registered in ZooKeeper", …). */
  readonly reasons?: readonly string[];
  /** Log directories that failed on this broker (their replicas are offline here). */
  readonly offlineLogDirs?: readonly string[];
}

export interface TopicListing {
  readonly name: string;
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly internal?: boolean;
}

/** Figures of a replica this broker hosts. */
export interface LocalLogSnapshot {
  readonly logStartOffset: bigint;
  readonly highWatermark: bigint;
  readonly logEndOffset: bigint;
  readonly sizeBytes: number;
}

export interface PartitionSnapshot {
  readonly partition: number;
  /** -1 when offline. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas?: readonly number[];
  /** Present when this broker hosts a replica of the partition. */
  readonly log?: LocalLogSnapshot;
}

export interface TopicSnapshot {
  readonly name: string;
  /** Topic id (KIP-516), when known. */
  readonly topicId?: string;
  readonly internal?: boolean;
  /** Topic-level overrides (/config/topics/<t>). */
  readonly configs: Readonly<Record<string, string>>;
  readonly partitions: readonly PartitionSnapshot[];
  readonly markedForDeletion?: boolean;
}

/** Reads: metadata cache for the cluster view plus local logs for hosted replicas. */
export interface TopicView {
  listTopics(): Promise<readonly TopicListing[]>;
  /** null (or UNKNOWN_TOPIC_OR_PARTITION thrown) when the topic does not exist. */
  describeTopic(name: string): Promise<TopicSnapshot | null>;
}

/** Writes, 1:1 with broker/admin's TopicAdmin. */
export type TopicAdminOps = Pick<TopicAdmin, 'createTopic' | 'deleteTopic' | 'alterTopicConfig' | 'describeTopicConfig' | 'createPartitions'>;

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

export interface PartitionResult extends TopicPartitionRef {
  /** Kafka error name, null on success (e.g. ELECTION_NOT_NEEDED, UNKNOWN_TOPIC_OR_PARTITION). */
  readonly error: string | null;
  readonly message?: string;
}

export interface ReassignmentTarget extends TopicPartitionRef {
  /** null cancels an ongoing reassignment (AlterPartitionReassignments semantics). */
  readonly replicas: readonly number[] | null;
}

export interface OngoingReassignmentSnapshot extends TopicPartitionRef {
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

export interface ReassignmentOps {
  reassign(targets: readonly ReassignmentTarget[]): Promise<readonly PartitionResult[]>;
  /** ListPartitionReassignments; GET /reassignments answers 501 without it. */
  list?(): Promise<readonly OngoingReassignmentSnapshot[]>;
}

export interface ElectionOps {
  /** null: every partition whose leader is not its preferred replica. */
  electPreferred(partitions: readonly TopicPartitionRef[] | null): Promise<readonly PartitionResult[]>;
}

export interface GroupListing {
  readonly groupId: string;
  readonly state: string;
  readonly protocolType: string;
}

export interface GroupMemberSnapshot {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** Decoded consumer assignment; empty for non-consumer protocols. */
  readonly assignment: readonly { readonly topic: string; readonly partitions: readonly number[] }[];
}

export interface GroupOffsetSnapshot extends TopicPartitionRef {
  readonly committedOffset: bigint;
  readonly metadata?: string | null;
  /** The partition's high watermark when known; lag is computed from it. */
  readonly highWatermark?: bigint | null;
}

export interface GroupSnapshot {
  readonly groupId: string;
  readonly state: string;
  readonly protocolType: string;
  readonly protocol: string;
  readonly generationId?: number;
  readonly leader?: string | null;
  readonly members: readonly GroupMemberSnapshot[];
  readonly offsets: readonly GroupOffsetSnapshot[];
}

export type OffsetResetTarget =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'offset'; readonly offset: bigint }
  | { readonly kind: 'timestamp'; readonly timestamp: bigint }
  | { readonly kind: 'shift'; readonly by: bigint };

export interface OffsetResetRequest {
  readonly topic: string;
  /** Omitted: every partition of the topic. */
  readonly partitions?: readonly number[];
  readonly to: OffsetResetTarget;
  readonly dryRun: boolean;
}

export interface OffsetResetResult extends TopicPartitionRef {
  readonly previousOffset: bigint | null;
  readonly newOffset: bigint;
}

export interface GroupOps {
  listGroups(): Promise<readonly GroupListing[]>;
  /** null (or GROUP_ID_NOT_FOUND thrown) when the group does not exist. */
  describeGroup(groupId: string): Promise<GroupSnapshot | null>;
  /** Throws GroupCoordinatorError BRK_GROUP_ID_NOT_FOUND / BRK_GROUP_NOT_EMPTY, as DeleteGroups answers. */
  deleteGroup(groupId: string): Promise<void>;
  /** Only for groups without active members (NON_EMPTY_GROUP otherwise), as Kafka's tool. */
  resetOffsets(groupId: string, request: OffsetResetRequest): Promise<readonly OffsetResetResult[]>;
}

/** One transactional id as its coordinator (this broker) holds it. */
export interface TransactionSnapshot {
  readonly transactionalId: string;
  /** Kafka's state name: Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, PrepareEpochFence. */
  readonly state: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly timeoutMs: number;
  /** -1 when no transaction has started. */
  readonly startTimeMs: number;
  readonly lastUpdateTimeMs: number;
  readonly partitions: readonly TopicPartitionRef[];
}

/** The transaction coordinator of this broker (only the ids whose `__transaction_state` partition it leads). */
export interface TransactionOps {
  /** Throws an AdminHttpError (503) while its partitions load. */
  list(): readonly TransactionSnapshot[];
  /** null when this broker's coordinator does not hold the id. */
  describe(transactionalId: string): TransactionSnapshot | null;
}

/** A client quota entity: a user, a client id or both; `<default>` names the default entity. */
export interface QuotaEntityView {
  readonly user?: string;
  readonly clientId?: string;
}

export interface QuotaOps {
  /** The quotas this broker enforces now (its copy of ZooKeeper). */
  effective(): Array<{ entity: QuotaEntityView; values: Record<string, number> }>;
  /** Usage per quota sensor: rate and average throttle time in the current window. */
  sensors(): Array<{ quotaType: string; user: string; clientId: string; bound: number; rate: number; throttleTimeMs: number; throttledRequests: number }>;
  /** Sets and removes values of one entity in ZooKeeper (AlterClientQuotas); throws on bad input. */
  alter(entity: QuotaEntityView, set: Record<string, number>, remove: readonly string[]): Promise<void>;
}

export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** Where to start reading a partition: an offset, or the first record at or after a time. */
export type ReadPosition = { readonly kind: 'offset'; readonly offset: bigint } | { readonly kind: 'timestamp'; readonly timestamp: bigint };

/** One record as the dashboard shows it; key, value and header values base64 (bytes, not text). */
export interface MessageSnapshot {
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: readonly { readonly key: string; readonly value: string | null }[];
}

export interface MessagePage {
  readonly topic: string;
  readonly partition: number;
  /** The offset reading started at. */
  readonly from: bigint;
  readonly logStartOffset: bigint;
  readonly highWatermark: bigint;
  readonly messages: readonly MessageSnapshot[];
}

/** A test record typed by an operator: text key, value and headers (UTF-8). */
export interface TestMessage {
  readonly key?: string | null;
  readonly value?: string | null;
  readonly headers?: readonly { readonly key: string; readonly value: string | null }[];
}

export interface ProducedMessage extends TopicPartitionRef {
  readonly offset: bigint;
}

/** A partition leader's log figures. */
export interface PartitionFigures {
  readonly partition: number;
  readonly logStartOffset: bigint;
  readonly highWatermark: bigint;
  readonly logEndOffset: bigint;
  readonly sizeBytes: number;
}

export interface TopicConfigEntry {
  readonly name: string;
  readonly value: string | null;
  /** topic: an override in ZooKeeper; broker: this broker's setting; default: Kafka's default. */
  readonly source: 'topic' | 'broker' | 'default';
}

/** One broker's own figures (BrokerMetrics.sample plus its replicas), taken when asked. */
export interface BrokerSample {
  readonly brokerId: number;
  readonly timeMs: number;
  readonly leaderCount: number;
  readonly partitionCount: number;
  /** Bytes of the partitions this broker leads, per topic. */
  readonly topicSizes: Readonly<Record<string, number>>;
  readonly metrics: MetricsSample;
  /** Only on the active controller. */
  readonly controller?: { readonly epoch: number; readonly reassignments: readonly OngoingReassignmentSnapshot[] };
}

export interface ReassignmentProgress extends OngoingReassignmentSnapshot {
  /** Adding replicas that already joined the ISR. */
  readonly addingInSync: readonly number[];
}

export interface ClusterStats {
  readonly timeMs: number;
  readonly controllerId: number;
  readonly controllerEpoch: number;
  readonly topicCount: number;
  readonly partitionCount: number;
  readonly offlinePartitions: number;
  readonly underReplicatedPartitions: number;
  readonly underMinIsrPartitions: number;
  readonly preferredReplicaImbalance: number;
  readonly reassignments: readonly ReassignmentProgress[];
  /** Live brokers and every broker a replica is assigned to; `reachable` when it answered. */
  readonly brokers: readonly { readonly id: number; readonly alive: boolean; readonly reachable: boolean; readonly error?: string; readonly sample?: BrokerSample }[];
}

/** The dashboard's cluster-wide reads and test writes (broker/dashboard-data.ts). */
export interface DashboardOps {
  stats(): Promise<ClusterStats>;
  /** null when the topic does not exist. */
  partitionFigures(topic: string): Promise<readonly PartitionFigures[] | null>;
  topicConfigEntries(topic: string): Promise<readonly TopicConfigEntry[] | null>;
  readMessages(topic: string, partition: number, from: ReadPosition, limit: number): Promise<MessagePage>;
  produce(topic: string, partition: number, message: TestMessage): Promise<ProducedMessage>;
  electPreferred(topic: string): Promise<readonly PartitionResult[]>;
}

export interface AdminHttpDeps {
  readonly brokerId: number;
  /** A child logger; fastify logs through it (loggerInstance). */
  readonly logger?: Logger;
  cluster(): ClusterSnapshot;
  readiness(): Readiness;
  readonly topics: TopicView;
  readonly topicAdmin: TopicAdminOps;
  readonly reassignments?: ReassignmentOps;
  readonly elections?: ElectionOps;
  readonly groups?: GroupOps;
  readonly transactions?: TransactionOps;
  readonly quotas?: QuotaOps;
  readonly dashboard?: DashboardOps;
  /** The ACL authorizer (route-acls.ts); absent or resolving undefined: no authorization, as Kafka without one. */
  readonly acls?: () => AclAuthorizer | undefined;
  /** HTTP Basic authentication (http-auth.ts); absent: every caller is User:ANONYMOUS. */
  readonly authentication?: BasicAuthentication;
  /** A BrokerMetrics instance fits. */
  readonly metrics?: MetricsSource;
  /** For /health: the process start, so uptime is reported (Date.now() based). */
  readonly startedAtMs?: number;
}

export interface BasicAuthentication {
  /** Whether the password is the user's (the SASL users: PLAIN and SCRAM); may hash off the event loop. */
  check(user: string, password: string): boolean | Promise<boolean>;
  /** Paths served without credentials: exact, or a prefix when ending in `*`. */
  readonly openPaths: readonly string[];
  /** The principal of a verified client certificate (HTTPS with client auth), which logs in without a password. */
  readonly certificatePrincipal?: (socket: Socket) => string | undefined;
}
