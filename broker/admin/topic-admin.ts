/**
 * Topic operations shared by the Kafka admin APIs, the HTTP API and the CLI, writing ZooKeeper
 * the way Kafka's AdminZkClient does: create = /config/topics/<t> first, then /brokers/topics/<t>
 * (the controller's watch does the rest); delete = create /admin/delete_topics/<t>; add
 * partitions = rewrite the topic znode at its read version; config change = set
 * /config/topics/<t> then a /config/changes notification. Failures carry Kafka error names.
 */
import {
  assignmentOf,
  CONFIG_CHANGE_PREFIX,
  CONFIG_CHANGES_PATH,
  type CoordinationStore,
  deleteTopicPath,
  encodeConfigChange,
  encodeEntityConfig,
  encodeTopicAssignment,
  generateTopicId,
  isCoordinationError,
  readBrokers,
  readTopicAssignment,
  readEntityConfig,
  readTopicConfig,
  configEntityPath,
  readTopicNames,
  topicConfigPath,
  topicPath,
} from '../../coordination/index.js';
import { ConfigError, validateDynamicBrokerConfigs, validateTopicOverrides } from '../config/index.js';
import { AssignmentError, assignReplicas, validateManualAssignment } from '../controller/index.js';
import { BrokerError } from '../errors.js';

export type TopicAdminErrorCode =
  | 'BRK_INVALID_TOPIC'
  | 'BRK_TOPIC_ALREADY_EXISTS'
  | 'BRK_INVALID_PARTITIONS'
  | 'BRK_INVALID_REPLICATION_FACTOR'
  | 'BRK_INVALID_REPLICA_ASSIGNMENT'
  | 'BRK_INVALID_CONFIG'
  | 'BRK_UNKNOWN_TOPIC_OR_PARTITION'
  | 'BRK_INVALID_REQUEST';

export class TopicAdminError extends BrokerError<TopicAdminErrorCode> {
  override readonly name = 'TopicAdminError';
}

const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Kafka's Topic.validate. */
export function validateTopicName(name: string): void {
  if (name.length === 0) throw new TopicAdminError('BRK_INVALID_TOPIC', 'Topic name is illegal, it can\'t be empty');
  if (name === '.' || name === '..') throw new TopicAdminError('BRK_INVALID_TOPIC', 'Topic name cannot be "." or ".."');
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new TopicAdminError('BRK_INVALID_TOPIC', `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`);
  }
  if (!LEGAL.test(name)) {
    throw new TopicAdminError('BRK_INVALID_TOPIC', `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`);
  }
}

/** '.' and '_' collide in metric names; Kafka warns on such names and refuses real collisions. */
function hasCollisionChars(name: string): boolean {
  return name.includes('.') || name.includes('_');
}

const collisionKey = (name: string): string => name.replace(/\./g, '_');

export interface CreateTopicRequest {
  name: string;
  /** -1 or undefined: num.partitions (when no manual assignment). */
  numPartitions?: number;
  /** -1 or undefined: default.replication.factor (when no manual assignment). */
  replicationFactor?: number;
  /** partition → replicas, preferred leader first. */
  assignment?: ReadonlyMap<number, readonly number[]>;
  configs?: Readonly<Record<string, string>>;
  validateOnly?: boolean;
}

export interface CreateTopicResult {
  readonly name: string;
  readonly assignment: ReadonlyMap<number, readonly number[]>;
  readonly configs: Record<string, string>;
  readonly warnings: string[];
}

export interface TopicAdminOptions {
  defaultPartitions?: number;
  defaultReplicationFactor?: number;
  /** For tests: deterministic placement. */
  assignmentSeed?: { startIndex: number; replicaShift: number };
}

export class TopicAdmin {
  constructor(
    private readonly store: CoordinationStore,
    private readonly options: TopicAdminOptions = {},
  ) {}

  async listTopics(): Promise<string[]> {
    return readTopicNames(this.store);
  }

  async createTopic(req: CreateTopicRequest): Promise<CreateTopicResult> {
    validateTopicName(req.name);
    const warnings: string[] = [];
    if (hasCollisionChars(req.name)) {
      warnings.push(`due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide; best to use either, not both`);
    }
    const configs = this.validateConfigs(req.configs ?? {});
    const existing = await readTopicNames(this.store);
    if (existing.includes(req.name)) throw new TopicAdminError('BRK_TOPIC_ALREADY_EXISTS', `Topic '${req.name}' already exists.`);
    const colliding = existing.filter((t) => collisionKey(t) === collisionKey(req.name));
    if (colliding.length > 0) {
      throw new TopicAdminError('BRK_INVALID_TOPIC', `Topic '${req.name}' collides with existing topics: ${colliding.join(', ')}`);
    }
    const brokers = [...(await readBrokers(this.store)).values()].map((b) => ({ id: b.info.id, rack: b.info.rack }));
    let assignment: ReadonlyMap<number, readonly number[]>;
    try {
      if (req.assignment !== undefined && req.assignment.size > 0) {
        if ((req.numPartitions ?? -1) !== -1 || (req.replicationFactor ?? -1) !== -1) {
          throw new TopicAdminError('BRK_INVALID_REQUEST', 'both a replica assignment and numPartitions/replicationFactor were given');
        }
        validateManualAssignment(req.assignment, new Set(brokers.map((b) => b.id)));
        assignment = req.assignment;
      } else {
        const partitions = req.numPartitions === undefined || req.numPartitions === -1 ? (this.options.defaultPartitions ?? 1) : req.numPartitions;
        const rf = req.replicationFactor === undefined || req.replicationFactor === -1 ? (this.options.defaultReplicationFactor ?? 1) : req.replicationFactor;
        assignment = assignReplicas(brokers, partitions, rf, this.options.assignmentSeed ?? {});
      }
    } catch (err) {
      if (err instanceof AssignmentError) throw new TopicAdminError(err.code, err.message, { cause: err });
      throw err;
    }
    if (req.validateOnly) return { name: req.name, assignment, configs, warnings };
    // Config first, as AdminZkClient does: the controller must find it when the topic appears.
    await this.setOrCreate(topicConfigPath(req.name), encodeEntityConfig(configs));
    try {
      await this.store.create(topicPath(req.name), encodeTopicAssignment({ ...assignmentOf(assignment), topicId: generateTopicId() }), 'persistent');
    } catch (err) {
      if (isCoordinationError(err, 'CRD_NODE_EXISTS')) throw new TopicAdminError('BRK_TOPIC_ALREADY_EXISTS', `Topic '${req.name}' already exists.`);
      throw err;
    }
    return { name: req.name, assignment, configs, warnings };
  }

  /** Marks the topic for deletion; the controller does the rest. */
  async deleteTopic(name: string): Promise<void> {
    if ((await this.store.exists(topicPath(name))) === null) {
      throw new TopicAdminError('BRK_UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
    }
    try {
      await this.createWithParents(deleteTopicPath(name), null, 'persistent');
    } catch (err) {
      if (!isCoordinationError(err, 'CRD_NODE_EXISTS')) throw err;
    }
  }

  /**
   * Grows the topic to `totalCount` partitions (CreatePartitions). A manual assignment is either
   * keyed by partition id or, as on the wire, a list for the new partitions in order: those are
   * numbered after the partitions ZooKeeper holds, never after a (possibly stale) metadata cache.
   */
  async createPartitions(
    name: string,
    totalCount: number,
    newAssignment?: ReadonlyMap<number, readonly number[]> | readonly (readonly number[])[],
    validateOnly = false,
  ): Promise<ReadonlyMap<number, readonly number[]>> {
    const current = await readTopicAssignment(this.store, name);
    if (current === null) throw new TopicAdminError('BRK_UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
    if ((await this.store.exists(deleteTopicPath(name))) !== null) throw new TopicAdminError('BRK_INVALID_TOPIC', `Topic '${name}' is marked for deletion.`);
    const existing = current.assignment.partitions;
    const manual = isAssignmentList(newAssignment)
      ? new Map(newAssignment.map((replicas, i) => [existing.size + i, replicas] as [number, readonly number[]]))
      : newAssignment;
    if (totalCount <= existing.size) {
      throw new TopicAdminError('BRK_INVALID_PARTITIONS', `Topic currently has ${existing.size} partitions, ${totalCount} would not be an increase.`);
    }
    const brokers = [...(await readBrokers(this.store)).values()].map((b) => ({ id: b.info.id, rack: b.info.rack }));
    const rf = existing.get(0)?.length ?? 1;
    let added: ReadonlyMap<number, readonly number[]>;
    try {
      if (manual !== undefined && manual.size > 0) {
        if (manual.size !== totalCount - existing.size) {
          throw new TopicAdminError('BRK_INVALID_REPLICA_ASSIGNMENT', `Increasing the number of partitions by ${totalCount - existing.size} but ${manual.size} assignments provided.`);
        }
        validateManualAssignment(manual, new Set(brokers.map((b) => b.id)), existing.size);
        added = manual;
      } else {
        added = assignReplicas(brokers, totalCount - existing.size, rf, { ...(this.options.assignmentSeed ?? {}), startPartitionId: existing.size });
      }
    } catch (err) {
      if (err instanceof AssignmentError) throw new TopicAdminError(err.code, err.message, { cause: err });
      throw err;
    }
    if (validateOnly) return added;
    const merged = new Map(existing);
    for (const [p, r] of added) merged.set(p, r);
    try {
      await this.store.setData(topicPath(name), encodeTopicAssignment({ ...current.assignment, partitions: merged }), current.zkVersion);
    } catch (err) {
      if (isCoordinationError(err, 'CRD_BAD_VERSION')) throw new TopicAdminError('BRK_INVALID_REQUEST', `Topic '${name}' changed concurrently; retry`);
      throw err;
    }
    return added;
  }

  async describeTopicConfig(name: string): Promise<Record<string, string>> {
    return readTopicConfig(this.store, name);
  }

  /** Replaces the topic's overrides (AlterConfigs semantics) and notifies every broker. */
  async alterTopicConfig(name: string, overrides: Readonly<Record<string, string>>): Promise<Record<string, string>> {
    if ((await this.store.exists(topicPath(name))) === null) throw new TopicAdminError('BRK_UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
    const configs = this.validateConfigs(overrides);
    await this.changeEntityConfig('topics', name, configs);
    return configs;
  }

  /** Dynamic broker configs of a broker id, or of every broker with DEFAULT_BROKER_ENTITY. */
  describeBrokerConfig(entity: string): Promise<Record<string, string>> {
    return readEntityConfig(this.store, 'brokers', entity);
  }

  /**
   * Replaces the dynamic configs of `/config/brokers/<entity>` (AlterConfigs semantics; an empty
   * set deletes them all) after validating them, and notifies every broker.
   */
  async alterBrokerConfig(entity: string, configs: Readonly<Record<string, string>>): Promise<Record<string, string>> {
    const valid = validateDynamicBrokerConfigs(configs);
    await this.changeEntityConfig('brokers', entity, valid);
    return valid;
  }

  /** Kafka's AdminZkClient.changeEntityConfig: the entity znode, then a /config/changes notification. */
  async changeEntityConfig(type: 'topics' | 'brokers' | 'users' | 'clients', name: string, configs: Readonly<Record<string, string>>): Promise<void> {
    await this.setOrCreate(configEntityPath(type, name), encodeEntityConfig(configs));
    await this.createWithParents(`${CONFIG_CHANGES_PATH}/${CONFIG_CHANGE_PREFIX}`, encodeConfigChange(`${type}/${name}`), 'persistent_sequential');
  }

  private validateConfigs(configs: Readonly<Record<string, string>>): Record<string, string> {
    try {
      return validateTopicOverrides(configs);
    } catch (err) {
      if (err instanceof ConfigError) throw new TopicAdminError('BRK_INVALID_CONFIG', err.message, { cause: err });
      throw err;
    }
  }

  private async createWithParents(path: string, data: Buffer | null, mode: 'persistent' | 'persistent_sequential'): Promise<string> {
    try {
      return await this.store.create(path, data, mode);
    } catch (err) {
      if (!isCoordinationError(err, 'CRD_NO_NODE')) throw err;
      await this.store.mkdirp(path.slice(0, path.lastIndexOf('/')));
      return this.store.create(path, data, mode);
    }
  }

  private async setOrCreate(path: string, data: Buffer): Promise<void> {
    try {
      await this.store.setData(path, data, -1);
    } catch (err) {
      if (!isCoordinationError(err, 'CRD_NO_NODE')) throw err;
      await this.store.mkdirp(path.slice(0, path.lastIndexOf('/')));
      try {
        await this.store.create(path, data, 'persistent');
      } catch (e) {
        if (!isCoordinationError(e, 'CRD_NODE_EXISTS')) throw e;
        await this.store.setData(path, data, -1);
      }
    }
  }
}

function isAssignmentList(a: ReadonlyMap<number, readonly number[]> | readonly (readonly number[])[] | undefined): a is readonly (readonly number[])[] {
  return Array.isArray(a);
}
