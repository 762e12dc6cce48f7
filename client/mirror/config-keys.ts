/**
 * The configuration keys of the mirror, MirrorMaker 2's names and defaults. Flow keys may be set
 * for every flow (`tasks.max = 2`) or for one (`A->B.tasks.max = 4`; the flow's own wins).
 */

export type KeyType = 'list' | 'int' | 'bool' | 'string' | 'class' | 'choice';

export interface KeyDef {
  key: string;
  type: KeyType;
  default: string;
  doc: string;
  /** int: inclusive lower bound; choice: allowed values. */
  min?: number;
  choices?: readonly string[];
}

const POLICY_PACKAGE = 'org.apache.kafka.connect.mirror.';

export const REPLICATION_POLICIES = ['DefaultReplicationPolicy', 'IdentityReplicationPolicy'] as const;

/** Accepted spellings of replication.policy.class: MM2's class names, with or without the package. */
export function policyClassName(value: string): (typeof REPLICATION_POLICIES)[number] | undefined {
  const short = value.startsWith(POLICY_PACKAGE) ? value.slice(POLICY_PACKAGE.length) : value;
  return (REPLICATION_POLICIES as readonly string[]).includes(short) ? (short as (typeof REPLICATION_POLICIES)[number]) : undefined;
}

const rf = (what: string): string => `Replication factor of the ${what} (-1: the broker's default.replication.factor).`;

export const FLOW_KEYS: readonly KeyDef[] = [
  { key: 'enabled', type: 'bool', default: 'false', doc: 'Whether the flow runs (set per flow: A->B.enabled).' },
  { key: 'topics', type: 'list', default: '.*', doc: 'Topics to replicate: comma-separated names or regular expressions, each matching the whole name.' },
  { key: 'topics.exclude', type: 'list', default: '.*[\\-\\.]internal, .*\\.replica, __.*', doc: 'Topics never replicated (excludes win over topics).' },
  { key: 'groups', type: 'list', default: '.*', doc: 'Consumer groups whose offsets are checkpointed.' },
  { key: 'groups.exclude', type: 'list', default: 'console-consumer-.*, connect-.*, __.*', doc: 'Consumer groups never checkpointed.' },
  { key: 'replication.policy.class', type: 'class', default: 'DefaultReplicationPolicy', doc: 'DefaultReplicationPolicy (remote topics named <source>.<topic>, cycles detected) or IdentityReplicationPolicy (names kept; one-way only).' },
  { key: 'replication.policy.separator', type: 'string', default: '.', doc: 'Separator between the source alias and the topic in remote topic names.' },
  { key: 'replication.factor', type: 'int', default: '2', min: -1, doc: rf('remote topics the mirror creates') },
  { key: 'offset-syncs.topic.replication.factor', type: 'int', default: '3', min: -1, doc: rf('offset-syncs topic (on the source)') },
  { key: 'checkpoints.topic.replication.factor', type: 'int', default: '3', min: -1, doc: rf('checkpoints topic (on the target)') },
  { key: 'heartbeats.topic.replication.factor', type: 'int', default: '3', min: -1, doc: rf('heartbeats topic (on the target)') },
  { key: 'offset.storage.replication.factor', type: 'int', default: '3', min: -1, doc: rf('mm2-offsets topic (on the target)') },
  { key: 'sync.topic.configs.enabled', type: 'bool', default: 'true', doc: "Copy source topics' config overrides to their remote topics." },
  { key: 'sync.topic.configs.interval.seconds', type: 'int', default: '600', min: 1, doc: 'How often topic configs are synced.' },
  { key: 'config.properties.exclude', type: 'list', default: 'follower\\.replication\\.throttled\\.replicas, leader\\.replication\\.throttled\\.replicas, message\\.timestamp\\.difference\\.max\\.ms, message\\.timestamp\\.type, unclean\\.leader\\.election\\.enable, min\\.insync\\.replicas', doc: 'Topic config keys never synced.' },
  { key: 'refresh.topics.enabled', type: 'bool', default: 'true', doc: 'Look for new topics and partitions on the source periodically.' },
  { key: 'refresh.topics.interval.seconds', type: 'int', default: '600', min: 1, doc: 'How often the source is searched for new topics and partitions.' },
  { key: 'refresh.groups.enabled', type: 'bool', default: 'true', doc: 'Look for new consumer groups on the source periodically.' },
  { key: 'refresh.groups.interval.seconds', type: 'int', default: '600', min: 1, doc: 'How often the source is searched for new consumer groups.' },
  { key: 'emit.checkpoints.enabled', type: 'bool', default: 'true', doc: "Write translated consumer-group offsets to <source>.checkpoints.internal on the target." },
  { key: 'emit.checkpoints.interval.seconds', type: 'int', default: '60', min: 1, doc: 'How often checkpoints are written.' },
  { key: 'sync.group.offsets.enabled', type: 'bool', default: 'false', doc: 'Commit translated offsets to the same group on the target while it has no active members.' },
  { key: 'sync.group.offsets.interval.seconds', type: 'int', default: '60', min: 1, doc: 'How often group offsets are committed on the target.' },
  { key: 'emit.heartbeats.enabled', type: 'bool', default: 'true', doc: 'Write a heartbeat to the heartbeats topic of the target periodically.' },
  { key: 'emit.heartbeats.interval.seconds', type: 'int', default: '1', min: 1, doc: 'How often heartbeats are written.' },
  { key: 'offset.lag.max', type: 'int', default: '100', min: 0, doc: 'Records mirrored between two offset syncs of a partition at most.' },
  { key: 'tasks.max', type: 'int', default: '1', min: 1, doc: "Source tasks of the flow (each its own consumer and producer); partitions are spread over them." },
  { key: 'offset.flush.interval.ms', type: 'int', default: '10000', min: 1, doc: "How often mirrored positions are committed to mm2-offsets (Connect's key; its default is 60000). Bounds the duplicates after a crash." },
  { key: 'exactly.once.source.support', type: 'choice', default: 'disabled', choices: ['disabled', 'enabled'], doc: 'enabled: each poll of a source task is mirrored in one transaction on the target together with its mm2-offsets positions (KIP-618): after a crash, read_committed consumers of the target see every record once. disabled: at-least-once.' },
];

/** Process-wide keys (not per flow). */
export const GLOBAL_KEYS: readonly KeyDef[] = [
  { key: 'clusters', type: 'list', default: '', doc: 'Cluster aliases, e.g. "A, B". Each needs <alias>.bootstrap.servers.' },
  { key: 'admin.http.listener', type: 'string', default: '', doc: 'host:port of the HTTP status server (/health, /metrics); empty: none (Samsa key, as the broker\'s).' },
];

/** Per cluster: `<alias>.<key>`. */
export const CLUSTER_KEYS: readonly KeyDef[] = [
  { key: 'bootstrap.servers', type: 'list', default: '', doc: 'host:port list of the cluster (required for every alias in clusters).' },
];
