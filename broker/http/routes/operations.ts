/** Partition reassignment and preferred leader election: controller work, 501 until wired. */
import type { FastifyInstance } from 'fastify';
import { tpKey } from '../../../common/index.js';
import { documented } from '../openapi.js';
import type { AdminHttpDeps, PartitionResult, ReassignmentTarget, TopicPartitionRef } from '../deps.js';
import { invalidRequest, notImplemented } from '../errors.js';
import { errorResponses, partitionIdSchema, partitionResultsSchema, reassignmentSchema, replicaListSchema, topicPartitionSchema } from '../schemas.js';

const reassignBody = {
  type: 'object',
  required: ['partitions'],
  additionalProperties: false,
  properties: {
    partitions: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['topic', 'partition', 'replicas'],
        additionalProperties: false,
        properties: {
          topic: { type: 'string', minLength: 1 },
          partition: partitionIdSchema,
          replicas: { ...replicaListSchema, type: ['array', 'null'], description: 'Target replicas, preferred leader first; null cancels an ongoing reassignment' },
        },
      },
    },
  },
};

const electBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    partitions: {
      type: ['array', 'null'],
      items: topicPartitionSchema,
      description: 'Partitions to elect; absent or null: every partition whose leader is not its preferred replica',
    },
  },
};


function noDuplicates(parts: readonly TopicPartitionRef[]): void {
  const seen = new Set<string>();
  for (const p of parts) {
    const k = tpKey(p.topic, p.partition);
    if (seen.has(k)) throw invalidRequest(`Partition ${p.topic}-${p.partition} is listed more than once`);
    seen.add(k);
  }
}

const resultView = (r: PartitionResult): Record<string, unknown> => ({
  topic: r.topic,
  partition: r.partition,
  error: r.error,
  ...(r.message === undefined ? {} : { message: r.message }),
});

const ongoingSchema = {
  type: 'object',
  required: ['reassignments'],
  properties: {
    reassignments: {
      type: 'array',
      items: reassignmentSchema,
    },
  },
};

export function registerOperationRoutes(app: FastifyInstance, deps: AdminHttpDeps): void {
  app.get('/reassignments', {
    schema: documented({
      summary: 'Reassignments in progress (as ListPartitionReassignments; answered by the controller)',
      tags: ['operations'],
      response: { 200: ongoingSchema, ...errorResponses },
    }),
  }, async () => {
    const list = deps.reassignments?.list;
    if (list === undefined) throw notImplemented('Listing reassignments');
    const ongoing = [...(await list.call(deps.reassignments))].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    return { reassignments: ongoing };
  });

  app.post<{ Body: { partitions: ReassignmentTarget[] } }>('/reassignments', {
    schema: documented({
      summary: 'Move partition replicas (as AlterPartitionReassignments); per-partition results',
      tags: ['operations'],
      body: reassignBody,
      response: { 202: partitionResultsSchema, ...errorResponses },
    }),
  }, async (req, reply) => {
    if (deps.reassignments === undefined) throw notImplemented('Partition reassignment');
    noDuplicates(req.body.partitions);
    for (const p of req.body.partitions) {
      if (p.replicas !== null && new Set(p.replicas).size !== p.replicas.length) {
        throw invalidRequest(`Duplicate broker in the replicas of ${p.topic}-${p.partition}: ${p.replicas.join(',')}`);
      }
    }
    const results = await deps.reassignments.reassign(req.body.partitions);
    return reply.status(202).send({ partitions: results.map(resultView) });
  });

  app.post<{ Body: { partitions?: TopicPartitionRef[] | null } | undefined }>('/elections/preferred', {
    schema: documented({
      summary: 'Move leadership back to preferred replicas (as ElectLeaders PREFERRED); per-partition results',
      tags: ['operations'],
      body: electBody,
      response: { 200: partitionResultsSchema, ...errorResponses },
    }),
    // A bare `curl -X POST` (no body) means "every partition".
    preValidation: async (req) => {
      if (req.body === undefined || req.body === null) req.body = {};
    },
  }, async (req) => {
    if (deps.elections === undefined) throw notImplemented('Preferred leader election');
    const partitions = req.body?.partitions ?? null;
    if (partitions !== null) noDuplicates(partitions);
    const results = await deps.elections.electPreferred(partitions);
    return { partitions: results.map(resultView) };
  });
}
