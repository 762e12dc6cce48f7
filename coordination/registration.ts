/**
 * Broker start-up in ZooKeeper: persistent paths, the cluster id, broker id generation and the
 * broker's own registration as a *checked ephemeral* (KafkaZkClient.registerBroker): a multi of
 * create(EPHEMERAL, no data) + setData(version 0) whose czxid becomes the broker epoch (KIP-380).
 */
import { CoordinationError, isCoordinationError } from './errors.js';
import { BROKER_SEQUENCE_ID_PATH, brokerIdPath, CLUSTER_ID_PATH, PERSISTENT_PATHS } from './paths.js';
import { ops, type CoordinationStore } from './store.js';
import { type BrokerInfo, decodeClusterId, encodeBrokerInfo, encodeClusterId, generateClusterId } from './znodes/codecs.js';

export async function ensurePersistentPaths(store: CoordinationStore): Promise<void> {
  await Promise.all(PERSISTENT_PATHS.map((p) => store.mkdirp(p)));
}

/** Reads /cluster/id, creating it with a fresh id if this is a new cluster (createOrGetClusterId). */
export async function getOrCreateClusterId(store: CoordinationStore, proposed: string = generateClusterId()): Promise<string> {
  try {
    return decodeClusterId((await store.getData(CLUSTER_ID_PATH)).data);
  } catch (err) {
    if (!isCoordinationError(err, 'CRD_NO_NODE')) throw err;
  }
  await store.mkdirp('/cluster');
  try {
    await store.create(CLUSTER_ID_PATH, encodeClusterId(proposed), 'persistent');
    return proposed;
  } catch (err) {
    if (!isCoordinationError(err, 'CRD_NODE_EXISTS')) throw err;
    return decodeClusterId((await store.getData(CLUSTER_ID_PATH)).data);
  }
}

/** broker.id=-1: the znode version of /brokers/seqid after a blind write, plus reserved.broker.max.id. */
export async function generateBrokerId(store: CoordinationStore, reservedBrokerMaxId: number): Promise<number> {
  await store.mkdirp(BROKER_SEQUENCE_ID_PATH);
  const stat = await store.setData(BROKER_SEQUENCE_ID_PATH, Buffer.alloc(0), -1);
  return stat.version + reservedBrokerMaxId;
}

export interface RegistrationResult {
  readonly brokerEpoch: bigint;
}

/**
 * Registers /brokers/ids/<id>. A node left by OUR previous session (ZOOKEEPER-2985: ephemerals can
 * outlive an expired session briefly) is deleted and re-created; a node owned by the current
 * session (a retried create that had succeeded) is accepted; any other owner means a second
 * broker with the same id: CRD_DUPLICATE_BROKER.
 */
export async function registerBroker(
  store: CoordinationStore,
  info: BrokerInfo,
  previousSessionId: bigint | null = null,
): Promise<RegistrationResult> {
  const path = brokerIdPath(info.id);
  const data = encodeBrokerInfo(info);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const results = await store.multi([ops.create(path, null, 'ephemeral'), ops.setData(path, data, 0)]);
      const set = results[1];
      if (set?.op !== 'setData') throw new CoordinationError('CRD_UNKNOWN', `unexpected multi result registering ${path}`);
      return { brokerEpoch: set.stat.czxid };
    } catch (err) {
      if (!isCoordinationError(err, 'CRD_NODE_EXISTS')) throw err;
    }
    let existing;
    try {
      existing = await store.getData(path);
    } catch (err) {
      if (isCoordinationError(err, 'CRD_NO_NODE')) continue;
      throw err;
    }
    const owner = existing.stat.ephemeralOwner;
    if (owner === store.sessionId) return { brokerEpoch: existing.stat.czxid };
    if (previousSessionId !== null && owner === previousSessionId) {
      try {
        await store.remove(path, existing.stat.version);
      } catch (err) {
        if (!isCoordinationError(err, 'CRD_NO_NODE') && !isCoordinationError(err, 'CRD_BAD_VERSION')) throw err;
      }
      continue;
    }
    throw new CoordinationError(
      'CRD_DUPLICATE_BROKER',
      `broker.id ${info.id} is already registered in ZooKeeper by another broker (session 0x${BigInt.asUintN(64, owner).toString(16)}); ` +
        'each broker needs a unique broker.id',
      { path },
    );
  }
  throw new CoordinationError('CRD_NODE_EXISTS', `could not register ${path} after 3 attempts`, { path });
}
