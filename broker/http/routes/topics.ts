/**
 * Topics: list, create, describe, delete, change config, add partitions. Writes go through the
 * same TopicAdmin as CreateTopics / DeleteTopics / AlterConfigs / CreatePartitions, so the HTTP
 * API answers with the same Kafka error names.
 */
import type { FastifyInstance } from 'fastify';
import { validateTopicName } from '../../admin/index.js';
import { documented } from '../openapi.js';
import type { AdminHttpDeps, PartitionSnapshot } from '../deps.js';
import { AdminHttpError } from '../errors.js';
import {
  assignmentSchema,
  errorResponses,
  offsetSchema,
  configValuesSchema,
  stringMapSchema,
  topicNameParams,
} from '../schemas.js';

type AssignmentBody = Record<string, number[]>;
type ConfigValue = string | number | boolean;

const configText = (configs: Readonly<Record<string, ConfigValue>>): Record<string, string> =>
  Object.fromEntries(Object.entries(configs).map(([k, v]) => [k, String(v)]));

const listingSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string' },
    partitions: { type: 'integer' },
    replicationFactor: { type: 'integer' },
    internal: { type: 'boolean' },
  },
};

const createBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    partitions: { type: 'integer', minimum: 1, maximum: 2147483647, description: 'Default: num.partitions' },
    replicationFactor: { type: 'integer', minimum: 1, maximum: 32767, description: 'Default: default.replication.factor' },
    configs: { ...configValuesSchema, description: 'Topic-level overrides, e.g. {"retention.ms": "86400000"}' },
    assignment: { ...assignmentSchema, description: 'Manual placement (instead of partitions/replicationFactor): partition → replicas, preferred leader first' },
    validateOnly: { type: 'boolean', default: false },
  },
};

const assignmentOut = { type: 'object', additionalProperties: { type: 'array', items: { type: 'integer' } } };

const createdSchema = {
  type: 'object',
  required: ['name', 'partitions', 'replicationFactor', 'assignment', 'configs', 'warnings', 'validateOnly'],
  properties: {
    name: { type: 'string' },
    partitions: { type: 'integer' },
    replicationFactor: { type: 'integer' },
    assignment: assignmentOut,
    configs: stringMapSchema,
    warnings: { type: 'array', items: { type: 'string' } },
    validateOnly: { type: 'boolean' },
  },
};

const partitionSchema = {
  type: 'object',
  required: ['partition', 'leader', 'leaderEpoch', 'replicas', 'isr', 'offlineReplicas', 'underReplicated'],
  properties: {
    partition: { type: 'integer' },
    leader: { type: 'integer', description: '-1 when offline' },
    leaderEpoch: { type: 'integer' },
    replicas: { type: 'array', items: { type: 'integer' } },
    isr: { type: 'array', items: { type: 'integer' } },
    offlineReplicas: { type: 'array', items: { type: 'integer' } },
    underReplicated: { type: 'boolean' },
    log: {
      type: 'object',
      description: 'Present when this broker hosts a replica of the partition',
      required: ['logStartOffset', 'highWatermark', 'logEndOffset', 'sizeBytes'],
      properties: {
        logStartOffset: offsetSchema,
        highWatermark: offsetSchema,
        logEndOffset: offsetSchema,
        sizeBytes: { type: 'integer' },
      },
    },
  },
};

const describeSchema = {
  type: 'object',
  required: ['name', 'internal', 'markedForDeletion', 'configs', 'partitions'],
  properties: {
    name: { type: 'string' },
    topicId: { type: ['string', 'null'], description: 'Topic id (KIP-516), Kafka\'s printed form; null while this broker has not learned it' },
    internal: { type: 'boolean' },
    markedForDeletion: { type: 'boolean' },
    configs: stringMapSchema,
    partitions: { type: 'array', items: partitionSchema },
  },
};

const configPatchBody = {
  type: 'object',
  required: ['configs'],
  additionalProperties: false,
  properties: {
    configs: {
      type: 'object',
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
      description: 'Overrides to set; null removes an override (back to the broker default)',
    },
  },
};

const configSchema = { type: 'object', required: ['name', 'configs'], properties: { name: { type: 'string' }, configs: stringMapSchema } };

const partitionsBody = {
  type: 'object',
  required: ['totalCount'],
  additionalProperties: false,
  properties: {
    totalCount: { type: 'integer', minimum: 1, maximum: 2147483647, description: 'The partition count after the change' },
    assignment: { ...assignmentSchema, description: 'Placement of the NEW partitions only, keyed by their ids' },
    validateOnly: { type: 'boolean', default: false },
  },
};

const partitionsSchema = {
  type: 'object',
  required: ['name', 'totalCount', 'added', 'validateOnly'],
  properties: { name: { type: 'string' }, totalCount: { type: 'integer' }, added: assignmentOut, validateOnly: { type: 'boolean' } },
};

const toMap = (a: AssignmentBody | undefined): Map<number, number[]> | undefined =>
  a === undefined ? undefined : new Map(Object.entries(a).map(([p, r]) => [Number(p), r]));

const fromMap = (m: ReadonlyMap<number, readonly number[]>): Record<string, number[]> =>
  Object.fromEntries([...m.entries()].sort(([a], [b]) => a - b).map(([p, r]) => [String(p), [...r]]));

const unknownTopic = (name: string): AdminHttpError =>
  new AdminHttpError(404, 'UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);

const partitionView = (p: PartitionSnapshot): Record<string, unknown> => ({
  partition: p.partition,
  leader: p.leader,
  leaderEpoch: p.leaderEpoch,
  replicas: [...p.replicas],
  isr: [...p.isr],
  offlineReplicas: [...(p.offlineReplicas ?? [])],
  underReplicated: p.isr.length < p.replicas.length,
  ...(p.log === undefined ? {} : { log: { ...p.log } }),
});

export function registerTopicRoutes(app: FastifyInstance, deps: AdminHttpDeps): void {
  app.get('/topics', {
    schema: documented({
      summary: 'Topics of the cluster',
      tags: ['topics'],
      response: { 200: { type: 'object', required: ['topics'], properties: { topics: { type: 'array', items: listingSchema } } }, ...errorResponses },
    }),
  }, async () => {
    const topics = [...(await deps.topics.listTopics())].sort((a, b) => a.name.localeCompare(b.name));
    return { topics };
  });

  app.post<{ Body: { name: string; partitions?: number; replicationFactor?: number; configs?: Record<string, ConfigValue>; assignment?: AssignmentBody; validateOnly?: boolean } }>('/topics', {
    schema: documented({
      summary: 'Create a topic (as CreateTopics)',
      tags: ['topics'],
      body: createBody,
      response: { 200: createdSchema, 201: createdSchema, ...errorResponses },
    }),
  }, async (req, reply) => {
    const b = req.body;
    validateTopicName(b.name);
    const validateOnly = b.validateOnly === true;
    const result = await deps.topicAdmin.createTopic({
      name: b.name,
      ...(b.partitions === undefined ? {} : { numPartitions: b.partitions }),
      ...(b.replicationFactor === undefined ? {} : { replicationFactor: b.replicationFactor }),
      ...(b.assignment === undefined ? {} : { assignment: toMap(b.assignment) }),
      ...(b.configs === undefined ? {} : { configs: configText(b.configs) }),
      validateOnly,
    });
    return reply.status(validateOnly ? 200 : 201).send({
      name: result.name,
      partitions: result.assignment.size,
      replicationFactor: result.assignment.get(0)?.length ?? 0,
      assignment: fromMap(result.assignment),
      configs: result.configs,
      warnings: result.warnings,
      validateOnly,
    });
  });

  app.get<{ Params: { name: string } }>('/topics/:name', {
    schema: documented({
      summary: 'Topic config and, per partition, leader, replicas, isr, leaderEpoch and (for replicas hosted here) log offsets and size',
      tags: ['topics'],
      params: topicNameParams,
      response: { 200: describeSchema, ...errorResponses },
    }),
  }, async (req) => {
    validateTopicName(req.params.name);
    const t = await deps.topics.describeTopic(req.params.name);
    if (t === null) throw unknownTopic(req.params.name);
    return {
      name: t.name,
      topicId: t.topicId ?? null,
      internal: t.internal ?? t.name.startsWith('__'),
      markedForDeletion: t.markedForDeletion ?? false,
      configs: { ...t.configs },
      partitions: [...t.partitions].sort((a, b) => a.partition - b.partition).map(partitionView),
    };
  });

  app.delete<{ Params: { name: string } }>('/topics/:name', {
    schema: documented({
      summary: 'Mark a topic for deletion (as DeleteTopics); the controller deletes it',
      tags: ['topics'],
      params: topicNameParams,
      response: { 202: { type: 'object', required: ['name', 'markedForDeletion'], properties: { name: { type: 'string' }, markedForDeletion: { type: 'boolean' } } }, ...errorResponses },
    }),
  }, async (req, reply) => {
    validateTopicName(req.params.name);
    await deps.topicAdmin.deleteTopic(req.params.name);
    return reply.status(202).send({ name: req.params.name, markedForDeletion: true });
  });

  app.patch<{ Params: { name: string }; Body: { configs: Record<string, ConfigValue | null> } }>('/topics/:name/config', {
    schema: documented({
      summary: 'Set or remove topic config overrides (as IncrementalAlterConfigs); answers the resulting overrides',
      tags: ['topics'],
      params: topicNameParams,
      body: configPatchBody,
      response: { 200: configSchema, ...errorResponses },
    }),
  }, async (req) => {
    const { name } = req.params;
    validateTopicName(name);
    const current = await deps.topicAdmin.describeTopicConfig(name);
    const next: Record<string, string> = { ...current };
    for (const [key, value] of Object.entries(req.body.configs)) {
      if (value === null) delete next[key];
      else next[key] = String(value);
    }
    // Read-modify-write like Kafka's ZK-mode IncrementalAlterConfigs: concurrent patches race.
    const configs = await deps.topicAdmin.alterTopicConfig(name, next);
    return { name, configs };
  });

  app.post<{ Params: { name: string }; Body: { totalCount: number; assignment?: AssignmentBody; validateOnly?: boolean } }>('/topics/:name/partitions', {
    schema: documented({
      summary: 'Grow a topic to totalCount partitions (as CreatePartitions)',
      tags: ['topics'],
      params: topicNameParams,
      body: partitionsBody,
      response: { 200: partitionsSchema, ...errorResponses },
    }),
  }, async (req) => {
    const { name } = req.params;
    validateTopicName(name);
    const validateOnly = req.body.validateOnly === true;
    const added = await deps.topicAdmin.createPartitions(name, req.body.totalCount, toMap(req.body.assignment), validateOnly);
    return { name, totalCount: req.body.totalCount, added: fromMap(added), validateOnly };
  });
}
