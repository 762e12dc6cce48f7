/**
 * Who this broker is, decided once at start-up (KafkaServer.startup): the cluster id from
 * ZooKeeper (created by the first broker), the broker id from the config, or from meta.properties,
 * or generated from /brokers/seqid when broker.id=-1; then every log dir is stamped with both.
 */
import { generateBrokerId, getOrCreateClusterId, type CoordinationStore } from '../../coordination/index.js';
import { checkLogDirs, MetaPropertiesError, pinLogDirs } from './meta-properties.js';

export interface BrokerIdentityOptions {
  configuredBrokerId: number;
  logDirs: readonly string[];
  reservedBrokerMaxId: number;
  brokerIdGenerationEnable: boolean;
}

export interface BrokerIdentity {
  readonly brokerId: number;
  readonly clusterId: string;
  /**
   * Log dirs whose meta.properties could not be read or written (an I/O error: a failed disk).
   * They start offline, as in Kafka (BrokerMetadataCheckpoint.getBrokerMetadataAndOfflineDirs).
   */
  readonly offlineLogDirs: readonly string[];
}

/**
 * A log dir wiped or replaced (no meta.properties) is stamped again with the configured broker id
 * and the cluster id from ZooKeeper: losing the disk loses the data, not the broker's identity.
 */
export async function resolveBrokerIdentity(store: CoordinationStore, o: BrokerIdentityOptions): Promise<BrokerIdentity> {
  const offline = new Set<string>();
  const pinned = checkLogDirs(o.logDirs, o.configuredBrokerId, offline);
  const clusterId = await getOrCreateClusterId(store);
  let brokerId = o.configuredBrokerId !== -1 ? o.configuredBrokerId : pinned;
  if (brokerId === null) {
    if (!o.brokerIdGenerationEnable) throw new MetaPropertiesError('broker.id is -1, no meta.properties names one, and broker.id.generation.enable is false');
    brokerId = await generateBrokerId(store, o.reservedBrokerMaxId);
  }
  await pinLogDirs(o.logDirs, brokerId, clusterId, offline);
  return { brokerId, clusterId, offlineLogDirs: o.logDirs.filter((d) => offline.has(d)) };
}
