/**
 * Browsing a partition and producing a test record, for the dashboard and for operators with
 * curl. Reads go to the partition's leader and never past its high watermark (what a consumer
 * could see); a test record is appended on the leader with acks=all. Keys, values and header
 * values come back base64, since records are bytes; the dashboard shows them as text, JSON or hex.
 */
import type { FastifyInstance } from 'fastify';
import { validateTopicName } from '../../admin/index.js';
import { documented } from '../openapi.js';
import type { AdminHttpDeps, DashboardOps, ReadPosition } from '../deps.js';
import { invalidRequest, notImplemented } from '../errors.js';
import { errorResponses, offsetSchema, partitionIdSchema } from '../schemas.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

const digits = (description: string): Record<string, unknown> => ({ type: 'string', pattern: '^(0|[1-9][0-9]{0,18})$', description });

const browseParams = {
  type: 'object',
  required: ['name', 'partition'],
  properties: { name: { type: 'string', description: 'Topic name' }, partition: { type: 'string', pattern: '^(0|[1-9][0-9]{0,9})$', description: 'Partition id' } },
};

const browseQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    offset: digits('First offset to read (default: the log start offset)'),
    timestamp: digits('Start at the first record with a timestamp at or after this time (epoch ms); instead of offset'),
    limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$', description: `Records at most (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})` },
  },
};

const base64OrNull = { type: ['string', 'null'], description: 'base64' };

const pageSchema = {
  type: 'object',
  required: ['topic', 'partition', 'from', 'logStartOffset', 'highWatermark', 'messages'],
  properties: {
    topic: { type: 'string' },
    partition: { type: 'integer' },
    from: offsetSchema,
    logStartOffset: offsetSchema,
    highWatermark: offsetSchema,
    messages: {
      type: 'array',
      items: {
        type: 'object',
        required: ['offset', 'timestamp', 'key', 'value', 'headers'],
        properties: {
          offset: offsetSchema,
          timestamp: { type: 'integer' },
          key: base64OrNull,
          value: base64OrNull,
          headers: { type: 'array', items: { type: 'object', required: ['key', 'value'], properties: { key: { type: 'string' }, value: base64OrNull } } },
        },
      },
    },
  },
};

const textOrNull = { type: ['string', 'null'], maxLength: 1024 * 1024 };

const produceBody = {
  type: 'object',
  required: ['partition'],
  additionalProperties: false,
  properties: {
    partition: partitionIdSchema,
    key: { ...textOrNull, description: 'UTF-8 text; null or absent: no key' },
    value: { ...textOrNull, description: 'UTF-8 text; null or absent: a null value (a tombstone)' },
    headers: {
      type: 'array',
      maxItems: 100,
      items: { type: 'object', required: ['key', 'value'], additionalProperties: false, properties: { key: { type: 'string', minLength: 1 }, value: textOrNull } },
    },
  },
};

const producedSchema = {
  type: 'object',
  required: ['topic', 'partition', 'offset'],
  properties: { topic: { type: 'string' }, partition: { type: 'integer' }, offset: offsetSchema },
};

type BrowseQuery = { offset?: string; timestamp?: string; limit?: string };
type ProduceBody = { partition: number; key?: string | null; value?: string | null; headers?: Array<{ key: string; value: string | null }> };

export function registerMessageRoutes(app: FastifyInstance, deps: AdminHttpDeps): void {
  const dashboard = (): DashboardOps => {
    if (deps.dashboard === undefined) throw notImplemented('Message browsing');
    return deps.dashboard;
  };

  app.get<{ Params: { name: string; partition: string }; Querystring: BrowseQuery }>('/topics/:name/partitions/:partition/messages', {
    schema: documented({
      summary: 'Records of a partition from an offset or a timestamp, read on its leader up to the high watermark',
      tags: ['messages'],
      params: browseParams,
      querystring: browseQuery,
      response: { 200: pageSchema, ...errorResponses },
    }),
  }, async (req) => {
    validateTopicName(req.params.name);
    const q = req.query;
    if (q.offset !== undefined && q.timestamp !== undefined) throw invalidRequest('Give "offset" or "timestamp", not both');
    const from: ReadPosition = q.timestamp !== undefined ? { kind: 'timestamp', timestamp: BigInt(q.timestamp) } : { kind: 'offset', offset: BigInt(q.offset ?? '0') };
    const limit = q.limit === undefined ? DEFAULT_LIMIT : Number(q.limit);
    if (limit > MAX_LIMIT) throw invalidRequest(`"limit" is at most ${MAX_LIMIT}`);
    return dashboard().readMessages(req.params.name, Number(req.params.partition), from, limit);
  });

  app.post<{ Params: { name: string }; Body: ProduceBody }>('/topics/:name/messages', {
    schema: documented({
      summary: 'Produce one test record (text key, value, headers) to a partition, acks=all',
      tags: ['messages'],
      params: { type: 'object', required: ['name'], properties: { name: { type: 'string', description: 'Topic name' } } },
      body: produceBody,
      response: { 201: producedSchema, ...errorResponses },
    }),
  }, async (req, reply) => {
    validateTopicName(req.params.name);
    const b = req.body;
    const produced = await dashboard().produce(req.params.name, b.partition, {
      key: b.key ?? null,
      value: b.value ?? null,
      headers: b.headers ?? [],
    });
    return reply.status(201).send(produced);
  });
}
