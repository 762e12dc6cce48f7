/** Liveness, readiness and the Prometheus scrape endpoint. */
import type { FastifyInstance } from 'fastify';
import { documented } from '../openapi.js';
import type { AdminHttpDeps } from '../deps.js';
import { AdminHttpError, notImplemented } from '../errors.js';
import { errorResponses } from '../schemas.js';

const healthSchema = {
  type: 'object',
  required: ['status', 'brokerId'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    brokerId: { type: 'integer' },
    uptimeSeconds: { type: 'number' },
  },
};

const readySchema = {
  type: 'object',
  required: ['ready', 'brokerId', 'offlineLogDirs'],
  properties: {
    ready: { type: 'boolean' },
    brokerId: { type: 'integer' },
    offlineLogDirs: { type: 'array', items: { type: 'string' }, description: 'Log directories that failed (I/O errors); their replicas are offline on this broker' },
  },
};

export function registerHealthRoutes(app: FastifyInstance, deps: AdminHttpDeps): void {
  app.get('/health', {
    schema: documented({ summary: 'The process is up and serving HTTP', tags: ['health'], response: { 200: healthSchema, ...errorResponses } }),
  }, async () => ({
    status: 'ok',
    brokerId: deps.brokerId,
    ...(deps.startedAtMs === undefined ? {} : { uptimeSeconds: Math.max(0, (Date.now() - deps.startedAtMs) / 1000) }),
  }));

  app.get('/ready', {
    schema: documented({
      summary: 'The broker is registered and has cluster metadata (503 NOT_READY otherwise, with reasons)',
      tags: ['health'],
      response: { 200: readySchema, ...errorResponses },
    }),
  }, async () => {
    const r = deps.readiness();
    const offlineLogDirs = [...(r.offlineLogDirs ?? [])];
    if (!r.ready) {
      const reasons = [...(r.reasons ?? [])];
      throw new AdminHttpError(503, 'NOT_READY', `Broker ${deps.brokerId} is not ready${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`, { reasons, offlineLogDirs });
    }
    return { ready: true, brokerId: deps.brokerId, offlineLogDirs };
  });

  // No serializer schema: the body is Prometheus text, already formatted.
  app.get('/metrics', {
    schema: documented({
      summary: 'Prometheus metrics of this broker (text exposition format)',
      tags: ['metrics'],
      produces: 'text/plain; version=0.0.4; charset=utf-8',
      documentedResponses: { 200: { type: 'string', description: 'Prometheus text exposition format' }, ...errorResponses },
    }),
  }, async (_req, reply) => {
    if (deps.metrics === undefined) throw notImplemented('Metrics');
    const text = await deps.metrics.metrics();
    return reply.type(deps.metrics.contentType).send(text);
  });
}
