/**
 * Client quotas (the HTTP face of Describe/AlterClientQuotas): GET /quotas lists what this broker
 * enforces now (its copy of ZooKeeper, so an alter shows up here once this broker applied it) and
 * the usage of every quota sensor; PUT /quotas sets and removes values of one entity.
 */
import type { FastifyInstance } from 'fastify';
import { documented } from '../openapi.js';
import type { AdminHttpDeps, QuotaOps } from '../deps.js';
import { notImplemented } from '../errors.js';
import { errorResponses } from '../schemas.js';

const entitySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    user: { type: 'string', minLength: 1, description: 'User name (principal without `User:`), or `<default>`' },
    clientId: { type: 'string', minLength: 1, description: 'client.id, or `<default>`' },
  },
};

const valuesSchema = {
  type: 'object',
  additionalProperties: { type: 'number' },
  description: 'producer_byte_rate, consumer_byte_rate (bytes/s), request_percentage (% of one thread), controller_mutation_rate (partitions/s)',
};

const sensorSchema = {
  type: 'object',
  required: ['quotaType', 'user', 'clientId', 'bound', 'rate', 'throttleTimeMs', 'throttledRequests'],
  properties: {
    quotaType: { type: 'string', description: 'Produce, Fetch, Request or ControllerMutation' },
    user: { type: 'string', description: 'Empty when the quota applies to all users of the client id' },
    clientId: { type: 'string', description: 'Empty when the quota applies to all client ids of the user' },
    bound: { type: 'number' },
    rate: { type: 'number' },
    throttleTimeMs: { type: 'number', description: 'Average throttle time of the requests in the quota window' },
    throttledRequests: { type: 'integer' },
  },
};

export function registerQuotaRoutes(app: FastifyInstance, deps: AdminHttpDeps): void {
  const quotas = (): QuotaOps => {
    if (deps.quotas === undefined) throw notImplemented('Client quotas');
    return deps.quotas;
  };

  app.get('/quotas', {
    schema: documented({
      summary: 'Client quotas this broker enforces, and the usage of every quota sensor',
      tags: ['quotas'],
      response: {
        200: {
          type: 'object',
          required: ['brokerId', 'quotas', 'sensors'],
          properties: {
            brokerId: { type: 'integer' },
            quotas: { type: 'array', items: { type: 'object', required: ['entity', 'values'], properties: { entity: entitySchema, values: valuesSchema } } },
            sensors: { type: 'array', items: sensorSchema },
          },
        },
        ...errorResponses,
      },
    }),
  }, async () => ({ brokerId: deps.brokerId, quotas: quotas().effective(), sensors: quotas().sensors() }));

  app.put<{ Body: { entity: { user?: string; clientId?: string }; set?: Record<string, number>; remove?: string[] } }>('/quotas', {
    schema: documented({
      summary: 'Set and remove quota values of one entity (stored in ZooKeeper; every broker applies them)',
      tags: ['quotas'],
      body: {
        type: 'object',
        required: ['entity'],
        additionalProperties: false,
        properties: { entity: entitySchema, set: valuesSchema, remove: { type: 'array', items: { type: 'string' } } },
      },
      response: { 200: { type: 'object', required: ['entity'], properties: { entity: entitySchema } }, ...errorResponses },
    }),
  }, async (req) => {
    await quotas().alter(req.body.entity, req.body.set ?? {}, req.body.remove ?? []);
    return { entity: req.body.entity };
  });
}
