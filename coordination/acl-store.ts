/**
 * The ACL znodes as Kafka's AclAuthorizer keeps them (KafkaZkClient.conditionalSetAclsForResource
 * and friends): one node per resource pattern holding all its ACL entries, written
 * read-modify-write conditional on the node's version (a lost race is retried by the caller), and
 * a sequential change notification after every successful write so every broker reloads that
 * resource. `resourceType` here is Kafka's Pascal-case path word (Topic, Group, Cluster,
 * TransactionalId).
 */
import { getDataOrNull, readChildrenOrEmpty } from './cluster-store.js';
import { isCoordinationError } from './errors.js';
import {
  ACL_CHANGE_PREFIX,
  ACL_EXTENDED_CHANGES_PATH,
  ACL_LITERAL_CHANGES_PATH,
  ACL_LITERAL_PATH,
  ACL_PREFIXED_PATH,
  aclResourcePath,
  type AclPatternStore,
} from './paths.js';
import { createPersistentPath, parentOf, type CoordinationStore } from './store.js';
import { decodeAcls, encodeAcls, encodeExtendedAclChange, encodeLiteralAclChange, type AclEntryJson } from './znodes/acls.js';

export interface AclResourceRef {
  readonly patternType: AclPatternStore;
  readonly resourceType: string;
  readonly name: string;
}

export interface VersionedAcls {
  readonly entries: AclEntryJson[];
  /** The znode version, -1 when the node does not exist. */
  readonly version: number;
}

export async function readAclResource(store: CoordinationStore, r: AclResourceRef): Promise<VersionedAcls> {
  const path = aclResourcePath(r.patternType, r.resourceType, r.name);
  const node = await getDataOrNull(store, path);
  if (node === null) return { entries: [], version: -1 };
  return { entries: decodeAcls(node.data, path), version: node.stat.version };
}

/** Every resource pattern that has an ACL node (both stores). */
export async function listAclResources(store: CoordinationStore): Promise<AclResourceRef[]> {
  const out: AclResourceRef[] = [];
  for (const [patternType, root] of [['LITERAL', ACL_LITERAL_PATH], ['PREFIXED', ACL_PREFIXED_PATH]] as const) {
    for (const resourceType of await readChildrenOrEmpty(store, root)) {
      for (const name of await readChildrenOrEmpty(store, `${root}/${resourceType}`)) out.push({ patternType, resourceType, name });
    }
  }
  return out;
}

/**
 * Writes `entries` as the resource's ACLs if its node is still at `expectedVersion` (-1: absent);
 * an empty list deletes the node. Resolves false when another writer got there first.
 */
export async function conditionalSetAcls(store: CoordinationStore, r: AclResourceRef, entries: readonly AclEntryJson[], expectedVersion: number): Promise<boolean> {
  const path = aclResourcePath(r.patternType, r.resourceType, r.name);
  try {
    if (entries.length === 0) {
      if (expectedVersion >= 0) await store.remove(path, expectedVersion);
    } else if (expectedVersion < 0) {
      await createPersistentPath(store, parentOf(path));
      await store.create(path, encodeAcls(entries), 'persistent');
    } else {
      await store.setData(path, encodeAcls(entries), expectedVersion);
    }
    return true;
  } catch (err) {
    if (isCoordinationError(err, 'CRD_BAD_VERSION') || isCoordinationError(err, 'CRD_NODE_EXISTS') || isCoordinationError(err, 'CRD_NO_NODE')) return false;
    throw err;
  }
}

/** Tells every broker to reload this resource (literal: `/kafka-acl-changes`, prefixed: the extended store). */
export async function writeAclChangeNotification(store: CoordinationStore, r: AclResourceRef): Promise<void> {
  const literal = r.patternType === 'LITERAL';
  const dir = literal ? ACL_LITERAL_CHANGES_PATH : ACL_EXTENDED_CHANGES_PATH;
  const data = literal ? encodeLiteralAclChange(r.resourceType, r.name) : encodeExtendedAclChange(r);
  await createPersistentPath(store, dir);
  await store.create(`${dir}/${ACL_CHANGE_PREFIX}`, data, 'persistent_sequential');
}
