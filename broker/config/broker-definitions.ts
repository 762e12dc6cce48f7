/**
 * Every broker configuration key Samsa accepts, with Kafka's names and Kafka 2.x defaults
 * (reference/kafka-zk-internals.md, appendix). Keys Kafka has but Samsa has no use for are
 * listed as `ignored` so that an operator's existing file loads; anything else is refused.
 */
import { checkListeners, checkProtocolMap } from './listeners.js';
import { apiVersionCheck, LATEST_API_VERSION } from './topic-definitions.js';
import { type ConfigDef, INT_MAX } from './types.js';

const LONG_MAX = Number.MAX_SAFE_INTEGER;

const int = (key: string, dflt: number | null, min: number | undefined, doc: string, max = INT_MAX): ConfigDef => ({
  key, type: 'int', default: dflt, min, max, doc,
});
const long = (key: string, dflt: number | null, min: number | undefined, doc: string): ConfigDef => ({
  key, type: 'long', default: dflt, min, doc,
});
const bool = (key: string, dflt: boolean, doc: string): ConfigDef => ({ key, type: 'boolean', default: dflt, doc });
const str = (key: string, dflt: string | null, doc: string, extra: Partial<ConfigDef> = {}): ConfigDef => ({
  key, type: 'string', default: dflt, doc, ...extra,
});
const list = (key: string, dflt: readonly string[] | null, doc: string, extra: Partial<ConfigDef> = {}): ConfigDef => ({
  key, type: 'list', default: dflt, doc, ...extra,
});
const ignored = (key: string, type: ConfigDef['type'] = 'string'): ConfigDef => ({
  key, type, default: null, doc: 'Accepted for compatibility with Kafka config files; no effect in Samsa.', ignored: true,
});

const listenerCheck = (v: unknown): string | undefined => (Array.isArray(v) ? checkListeners(v) : undefined);
const protocolMapCheck = (v: unknown): string | undefined => (Array.isArray(v) ? checkProtocolMap(v) : undefined);
const zkConnectCheck = (v: unknown): string | undefined =>
  typeof v === 'string' && /^[^,/\s]+:\d+(,[^,/\s]+:\d+)*(\/[^\s]*)?$/.test(v)
    ? undefined
    : 'expected host:port[,host:port...][/chroot], e.g. 127.0.0.1:2181';
const adminListenerCheck = (v: unknown): string | undefined =>
  v === '' || (typeof v === 'string' && /^(\[[0-9a-fA-F:.]+\]|[^:/\s]+):\d{1,5}$/.test(v))
    ? undefined
    : 'expected host:port (e.g. 127.0.0.1:8081), or empty to disable the HTTP admin API';

/** Kafka 2.8's Kerberos (GSSAPI) broker keys, listener-reconfigurable in Kafka (DynamicListenerConfig). */
export const KERBEROS_KEYS: readonly (readonly [string, ConfigDef['type']])[] = [
  ['sasl.kerberos.service.name', 'string'],
  ['sasl.kerberos.kinit.cmd', 'string'],
  ['sasl.kerberos.ticket.renew.window.factor', 'double'],
  ['sasl.kerberos.ticket.renew.jitter', 'double'],
  ['sasl.kerberos.min.time.before.relogin', 'long'],
  ['sasl.kerberos.principal.to.local.rules', 'list'],
];

/** The class names broker/security's AclAuthorizer answers to (Kafka 2.4+ and the older SimpleAclAuthorizer). */
export const ACL_AUTHORIZER_NAMES: readonly string[] = ['kafka.security.authorizer.AclAuthorizer', 'kafka.security.auth.SimpleAclAuthorizer'];
const authorizerCheck = (v: unknown): string | undefined =>
  v === '' || ACL_AUTHORIZER_NAMES.includes(v as string) ? undefined : `expected empty (no authorizer) or ${ACL_AUTHORIZER_NAMES.join(' or ')}`;

export const BROKER_CONFIG_DEFS: readonly ConfigDef[] = [
  // Identity and networking
  int('broker.id', -1, -1, 'Broker id; -1 asks ZooKeeper for one above reserved.broker.max.id.'),
  bool('broker.id.generation.enable', true, 'Allow broker.id=-1 to be generated from /brokers/seqid.'),
  int('reserved.broker.max.id', 1000, 0, 'Largest id an operator may assign by hand.'),
  str('broker.rack', null, 'Rack of this broker, used to spread replicas.'),
  list('listeners', ['PLAINTEXT://:9092', 'INTERNAL://127.0.0.1:19092'], 'Where the broker listens: NAME://host:port.', { check: listenerCheck }),
  list('advertised.listeners', null, 'Addresses published in ZooKeeper for clients; defaults to listeners.', { check: listenerCheck }),
  list('listener.security.protocol.map',
    ['PLAINTEXT:PLAINTEXT', 'SSL:SSL', 'SASL_PLAINTEXT:SASL_PLAINTEXT', 'SASL_SSL:SASL_SSL', 'INTERNAL:PLAINTEXT'],
    'Security protocol of each listener name.', { check: protocolMapCheck }),
  str('inter.broker.listener.name', 'INTERNAL', 'Listener used between brokers (controller requests, replica fetch).'),
  str('admin.http.listener', '127.0.0.1:8081', 'host:port of the HTTP admin API and /metrics; empty disables it.', { check: adminListenerCheck }),
  str('admin.http.authentication', 'none', 'HTTP admin API authentication: none (every caller is User:ANONYMOUS) or basic (HTTP Basic against the SASL PLAIN users of the listeners\' JAAS configs and the SCRAM users in ZooKeeper; the caller is User:<name>).', { oneOf: ['none', 'basic'] }),
  list('admin.http.open.paths', ['/health', '/metrics', '/ready'], 'Paths served without authentication when admin.http.authentication=basic (exact paths; a trailing * matches a prefix).'),
  str('admin.http.ssl.keystore.location', null, 'PEM file (private key + certificate chain): set, the HTTP admin API serves HTTPS only.'),
  str('admin.http.ssl.keystore.type', 'PEM', 'Keystore format of the HTTP admin API; PEM only.', { oneOf: ['PEM'] }),
  { key: 'admin.http.ssl.key.password', type: 'password', default: null, doc: 'Password of the (encrypted) private key of the HTTP admin API.' },
  str('admin.http.ssl.truststore.location', null, 'PEM CA certificates trusted for client certificates of the HTTP admin API.'),
  str('admin.http.ssl.truststore.type', 'PEM', 'Truststore format of the HTTP admin API; PEM only.', { oneOf: ['PEM'] }),
  str('admin.http.ssl.client.auth', 'none', 'Client certificates on the HTTP admin API: none, requested or required (needs admin.http.ssl.truststore.location).', { oneOf: ['none', 'requested', 'required'] }),
  int('socket.request.max.bytes', 104857600, 1, 'Largest request frame accepted.'),
  int('socket.send.buffer.bytes', 102400, -1, 'SO_SNDBUF hint (-1: OS default).'),
  int('socket.receive.buffer.bytes', 102400, -1, 'SO_RCVBUF hint (-1: OS default).'),
  long('connections.max.idle.ms', 600000, 1, 'Idle connections are closed after this long.'),
  int('queued.max.requests', 500, 1, 'Requests read but not yet answered per connection before reading pauses.'),
  int('max.connections', INT_MAX, 0, 'Largest number of client connections.'),
  // ZooKeeper
  str('zookeeper.connect', null, 'ZooKeeper connection string, host:port[,host:port][/chroot].', { required: true, check: zkConnectCheck }),
  int('zookeeper.session.timeout.ms', 18000, 1000, 'ZooKeeper session timeout.'),
  int('zookeeper.connection.timeout.ms', null, 1, 'How long to wait for the first ZooKeeper connection (defaults to the session timeout).'),
  int('zookeeper.max.in.flight.requests', 10, 1, 'ZooKeeper requests pipelined per client.'),
  bool('zookeeper.set.acl', false, 'Create znodes with secure ACLs: the broker identity may write, the world only read (not even read SCRAM credentials). Needs zookeeper.digest.username.'),
  str('zookeeper.digest.username', '', 'Digest identity the broker authenticates to ZooKeeper with (empty: none).'),
  { key: 'zookeeper.digest.password', type: 'password', default: null, doc: 'Password of zookeeper.digest.username.' },
  // Logs
  list('log.dirs', null, 'Directories holding partition logs (one or more).'),
  str('log.dir', '/tmp/samsa-logs', 'Log directory used when log.dirs is not set.'),
  int('quota.window.num', 11, 1, 'Samples kept for client quota rates (Kafka: 11).'),
  int('quota.window.size.seconds', 1, 1, 'Length of one client quota sample.'),
  int('num.partitions', 1, 1, 'Partitions of an auto-created topic.'),
  int('default.replication.factor', 1, 1, 'Replication factor of an auto-created topic.', 32767),
  int('min.insync.replicas', 1, 1, 'In-sync replicas an acks=all write needs.'),
  bool('auto.create.topics.enable', true, 'Create a topic when a client asks for unknown metadata.'),
  bool('delete.topic.enable', true, 'Allow topics to be deleted.'),
  int('log.segment.bytes', 1073741824, 14, 'Largest segment file.'),
  long('log.roll.ms', null, 1, 'Roll a segment after this long (overrides log.roll.hours).'),
  int('log.roll.hours', 168, 1, 'Roll a segment after this many hours.'),
  long('log.roll.jitter.ms', null, 0, 'Random jitter subtracted from the roll time.'),
  int('log.roll.jitter.hours', 0, 0, 'Random jitter subtracted from the roll time, in hours.'),
  long('log.retention.ms', null, -1, 'Delete segments older than this (-1: keep forever).'),
  int('log.retention.minutes', null, -1, 'Retention in minutes (used when log.retention.ms is unset).'),
  int('log.retention.hours', 168, -1, 'Retention in hours (used when ms and minutes are unset).'),
  long('log.retention.bytes', -1, -1, 'Largest partition size before old segments go (-1: no limit).'),
  long('log.retention.check.interval.ms', 300000, 1, 'How often retention runs.'),
  int('log.index.interval.bytes', 4096, 0, 'Bytes of log between two offset index entries.'),
  int('log.index.size.max.bytes', 10485760, 4, 'Largest offset index file.'),
  long('log.flush.interval.messages', LONG_MAX, 1, 'fsync after this many messages (default: never, like Kafka).'),
  long('log.flush.interval.ms', null, 0, 'fsync a log when its oldest unflushed data is this old.'),
  long('log.flush.scheduler.interval.ms', LONG_MAX, 0, 'How often the flusher checks logs.'),
  int('log.flush.offset.checkpoint.interval.ms', 60000, 0, 'How often recovery points are checkpointed.'),
  int('log.flush.start.offset.checkpoint.interval.ms', 60000, 0, 'How often log start offsets are checkpointed.'),
  long('log.segment.delete.delay.ms', 60000, 0, 'Delay before a deleted segment leaves the disk.'),
  list('log.cleanup.policy', ['delete'], 'delete, compact or both.', { oneOf: ['delete', 'compact'] }),
  bool('log.cleaner.enable', true, 'Run the log cleaner for compacted topics.'),
  long('log.cleaner.dedupe.buffer.size', 134217728, 1024 * 1024, 'Memory for the compaction key map.'),
  { key: 'log.cleaner.min.cleanable.ratio', type: 'double', default: 0.5, min: 0, max: 1, doc: 'Dirty ratio that makes a log eligible for cleaning.' },
  long('log.cleaner.min.compaction.lag.ms', 0, 0, 'Newest records stay uncompacted this long.'),
  long('log.cleaner.max.compaction.lag.ms', LONG_MAX, 1, 'Oldest dirty record waits at most this long.'),
  long('log.cleaner.delete.retention.ms', 86400000, 0, 'Tombstones are kept this long after cleaning.'),
  long('log.cleaner.backoff.ms', 15000, 0, 'Cleaner sleep when there is nothing to clean.'),
  int('log.cleaner.threads', 1, 0, 'Cleaner concurrency.'),
  bool('log.preallocate', false, 'Preallocate segment files.'),
  str('log.message.timestamp.type', 'CreateTime', 'CreateTime or LogAppendTime.', { oneOf: ['CreateTime', 'LogAppendTime'] }),
  long('log.message.timestamp.difference.max.ms', LONG_MAX, 0, 'Largest allowed skew of a CreateTime timestamp.'),
  int('message.max.bytes', 1048588, 0, 'Largest record batch accepted.'),
  int('num.recovery.threads.per.data.dir', 1, 1, 'Logs opened in parallel per directory at startup.'),
  str('compression.type', 'producer', 'Compression of stored batches.', {
    oneOf: ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'],
  }),
  // Replication
  long('replica.lag.time.max.ms', 30000, 1, 'A follower that has not caught up for this long leaves the ISR.'),
  long('replica.alter.log.dirs.io.max.bytes.per.second', LONG_MAX, 1, 'Bytes per second a move between log directories copies (AlterReplicaLogDirs).'),
  int('replica.fetch.max.bytes', 1048576, 0, 'Bytes a follower asks for per partition.'),
  int('replica.fetch.response.max.bytes', 10485760, 0, 'Bytes a follower asks for per fetch.'),
  int('replica.fetch.wait.max.ms', 500, 0, 'Long-poll time of a follower fetch.'),
  int('replica.fetch.min.bytes', 1, 1, 'Bytes a follower fetch waits for.'),
  str('replica.selector.class', null, 'KIP-392: org.apache.kafka.common.replica.RackAwareReplicaSelector sends consumers (Fetch v11+, client.rack) to an in-sync replica in their rack; empty = leader only.', { oneOf: ['', 'org.apache.kafka.common.replica.RackAwareReplicaSelector'] }),
  int('replica.fetch.backoff.ms', 1000, 0, 'Sleep after a failed follower fetch.'),
  int('replica.socket.timeout.ms', 30000, 1, 'Timeout of a follower fetch request.'),
  long('replica.high.watermark.checkpoint.interval.ms', 5000, 1, 'How often high watermarks are checkpointed.'),
  int('num.replica.fetchers', 1, 1, 'Fetchers per source broker.'),
  bool('unclean.leader.election.enable', false, 'Allow an out-of-sync replica to become leader (may lose data).'),
  bool('auto.leader.rebalance.enable', true, 'Move leadership back to preferred replicas.'),
  int('leader.imbalance.per.broker.percentage', 10, 0, 'Imbalance that triggers a preferred election.', 100),
  long('leader.imbalance.check.interval.seconds', 300, 1, 'How often imbalance is checked.'),
  bool('controlled.shutdown.enable', true, 'Move leadership away before shutting down.'),
  int('controlled.shutdown.max.retries', 3, 0, 'Controlled shutdown attempts.'),
  long('controlled.shutdown.retry.backoff.ms', 5000, 0, 'Sleep between controlled shutdown attempts.'),
  int('controller.socket.timeout.ms', 30000, 1, 'Timeout of a controller-to-broker request.'),
  // Groups and offsets
  int('offsets.topic.num.partitions', 50, 1, 'Partitions of __consumer_offsets.'),
  int('offsets.topic.replication.factor', 3, 1, 'Replication factor of __consumer_offsets.', 32767),
  int('offsets.topic.segment.bytes', 104857600, 1, 'Segment size of __consumer_offsets.'),
  int('offsets.retention.minutes', 10080, 1, 'Committed offsets of an empty group are kept this long.'),
  long('offsets.retention.check.interval.ms', 600000, 1, 'How often stale offsets are removed.'),
  int('offsets.commit.timeout.ms', 5000, 1, 'Offset commits wait this long for replication.'),
  int('offsets.load.buffer.size', 5242880, 1, 'Read size when loading groups.'),
  int('offsets.commit.required.acks', -1, -1, 'Acks for offset commits.', 32767),
  int('group.initial.rebalance.delay.ms', 3000, 0, 'Wait for more members before the first rebalance of an empty group.'),
  int('group.min.session.timeout.ms', 6000, 0, 'Smallest session timeout a member may ask for.'),
  int('group.max.session.timeout.ms', 1800000, 0, 'Largest session timeout a member may ask for.'),
  int('group.max.size', INT_MAX, 1, 'Largest number of members in a group.'),
  // Producer ids and transactions
  int('transaction.state.log.num.partitions', 50, 1, 'Partitions of __transaction_state.'),
  int('transaction.state.log.replication.factor', 3, 1, 'Replication factor of __transaction_state.', 32767),
  int('transaction.state.log.min.isr', 2, 1, 'min.insync.replicas of __transaction_state.'),
  int('transaction.max.timeout.ms', 900000, 1, 'Largest transaction timeout.'),
  int('transactional.id.expiration.ms', 604800000, 1, 'Idle transactional ids expire after this long.'),
  int('transaction.state.log.segment.bytes', 104857600, 1, 'Segment size of __transaction_state.'),
  int('transaction.state.log.load.buffer.size', 5242880, 1, 'Read size when loading transaction state.'),
  int('transaction.abort.timed.out.transaction.cleanup.interval.ms', 10000, 1, 'How often transactions past their timeout are aborted.'),
  int('transaction.remove.expired.transaction.cleanup.interval.ms', 3600000, 1, 'How often expired transactional ids are removed.'),
  int('producer.id.expiration.ms', 86400000, 1, 'Idle producer ids are forgotten after this long.'),
  int('fetch.max.bytes', 57671680, 1024, 'Largest fetch response.'),
  int('max.incremental.fetch.session.cache.slots', 1000, 0, 'Fetch sessions (KIP-227) this broker keeps; 0 answers every fetch in full.'),
  // Authorization (broker/security)
  str('authorizer.class.name', '', 'Empty: no authorizer, every request allowed. kafka.security.authorizer.AclAuthorizer: ACLs in ZooKeeper.', { check: authorizerCheck }),
  str('super.users', '', 'Semicolon-separated principals allowed everything, e.g. User:admin;User:broker.'),
  bool('allow.everyone.if.no.acl.found', false, 'With the ACL authorizer, allow a resource that has no ACL at all.'),
  // Security (issue 17): TLS and SASL per listener. Every ssl.*, sasl.enabled.mechanisms and
  // connections.max.reauth.ms key may also be given per listener as listener.name.<name>.<key>,
  // and the JAAS config only so: listener.name.<name>.<mechanism>.sasl.jaas.config.
  list('sasl.enabled.mechanisms', ['GSSAPI'], 'SASL mechanisms a SASL listener accepts (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512).'),
  str('sasl.mechanism.inter.broker.protocol', 'GSSAPI', 'SASL mechanism brokers use with each other on a SASL inter-broker listener.'),
  long('connections.max.reauth.ms', 0, 0, 'Largest SASL session lifetime; a client must re-authenticate before it ends (0: no limit).'),
  str('ssl.keystore.type', 'JKS', 'Keystore format; Samsa reads PEM only.', { oneOf: ['JKS', 'PKCS12', 'PEM'] }),
  str('ssl.keystore.location', null, 'PEM file with the private key and certificate chain of this listener.'),
  { key: 'ssl.keystore.password', type: 'password', default: null, doc: 'Password of the keystore (PEM: of the encrypted key, when ssl.key.password is unset).' },
  { key: 'ssl.key.password', type: 'password', default: null, doc: 'Password of the (encrypted) private key.' },
  { key: 'ssl.keystore.key', type: 'password', default: null, doc: 'PEM private key given inline (with ssl.keystore.type=PEM).' },
  str('ssl.keystore.certificate.chain', null, 'PEM certificate chain given inline (with ssl.keystore.type=PEM).'),
  str('ssl.truststore.type', 'JKS', 'Truststore format; Samsa reads PEM only.', { oneOf: ['JKS', 'PKCS12', 'PEM'] }),
  str('ssl.truststore.location', null, 'PEM file of the CA certificates trusted for client certificates.'),
  { key: 'ssl.truststore.password', type: 'password', default: null, doc: 'Accepted for compatibility; PEM truststores have no password.' },
  str('ssl.truststore.certificates', null, 'PEM CA certificates given inline (with ssl.truststore.type=PEM).'),
  str('ssl.client.auth', 'none', 'Whether TLS clients must present a certificate.', { oneOf: ['none', 'requested', 'required'] }),
  list('ssl.enabled.protocols', ['TLSv1.2', 'TLSv1.3'], 'TLS versions accepted.', { oneOf: ['TLSv1.2', 'TLSv1.3'] }),
  list('ssl.cipher.suites', null, 'TLS 1.2 cipher suites (OpenSSL or IANA names); empty: Node\'s defaults.'),
  str('ssl.endpoint.identification.algorithm', 'https', 'Host name verification when this broker connects to others over TLS (https, or empty to disable).'),
  str('ssl.principal.mapping.rules', 'DEFAULT', 'RULE:pattern/replacement/[LU] rules turning a certificate DN into a user name.'),
  // Kafka keys without meaning here
  ignored('num.network.threads', 'int'),
  ignored('num.io.threads', 'int'),
  ignored('background.threads', 'int'),
  ignored('log.cleaner.io.buffer.size', 'int'),
  ignored('log.cleaner.io.max.bytes.per.second', 'double'),
  str('inter.broker.protocol.version', LATEST_API_VERSION, 'Accepted for compatibility; brokers always speak Kafka 2.8.', { check: apiVersionCheck }),
  str('log.message.format.version', LATEST_API_VERSION, 'Default of the topic key message.format.version; accepted for compatibility.', { check: apiVersionCheck }),
  ignored('metric.reporters', 'list'),
  ignored('security.inter.broker.protocol'),
  ignored('ssl.protocol'),
  // Kerberos (GSSAPI), which Samsa does not offer; Kafka also takes these as dynamic broker configs.
  ...KERBEROS_KEYS.map(([key, type]) => ignored(key, type)),
];
