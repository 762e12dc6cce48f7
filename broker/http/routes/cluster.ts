/** The cluster as this broker's metadata sees it: cluster id, brokers, controller. */
import type { FastifyInstance } from 'fastify';
import { documented } from '../openapi.js';
import type { AdminHttpDeps, BrokerSnapshot } from '../deps.js';
import { AdminHttpError } from '../errors.js';
import { errorResponses } from '../schemas.js';

const brokerSchema = {
  type: 'object',
  required: ['id', 'rack', 'endpoints'],
  properties: {
    id: { type: 'integer' },
    rack: { type: ['string', 'null'] },
    isController: { type: 'boolean' },
    endpoints: {
      type: 'array',
      items: {
        type: 'object',
        required: ['listenerName', 'host', 'port', 'securityProtocol'],
        properties: {
          listenerName: { type: 'string' },
          host: { type: 'string' },
          port: { type: 'integer' },
          securityProtocol: { type: 'string' },
        },
      },
    },
  },
};

const clusterSchema = {
  type: 'object',
  required: ['clusterId', 'controllerId', 'controllerEpoch', 'brokers'],
  properties: {
    clusterId: { type: ['string', 'null'] },
    controllerId: { type: 'integer', description: '-1 when no controller is known' },
    controllerEpoch: { type: 'integer' },
    brokers: { type: 'array', items: brokerSchema },
  },
};

const byId = (a: BrokerSnapshot, b: BrokerSnapshot): number => a.id - b.id;

export function registerClusterRoutes(app: FastifyInstance, deps: AdminHttpDeps): void {
  const view = (b: BrokerSnapshot, controllerId: number): Record<string, unknown> => ({
    id: b.id,
    rack: b.rack,
    isController: b.id === controllerId,
    endpoints: b.endpoints.map((e) => ({ ...e })),
  });

  app.get('/cluster', {
    schema: documented({ summary: 'Cluster id, live brokers with endpoints and rack, controller id and epoch', tags: ['cluster'], response: { 200: clusterSchema, ...errorResponses } }),
  }, async () => {
    const c = deps.cluster();
    return {
      clusterId: c.clusterId,
      controllerId: c.controllerId,
      controllerEpoch: c.controllerEpoch,
      brokers: [...c.brokers].sort(byId).map((b) => view(b, c.controllerId)),
    };
  });

  app.get('/brokers', {
    schema: documented({
      summary: 'Live brokers',
      tags: ['cluster'],
      response: { 200: { type: 'object', required: ['brokers'], properties: { brokers: { type: 'array', items: brokerSchema } } }, ...errorResponses },
    }),
  }, async () => {
    const c = deps.cluster();
    return { brokers: [...c.brokers].sort(byId).map((b) => view(b, c.controllerId)) };
  });

  app.get<{ Params: { id: string } }>('/brokers/:id', {
    schema: documented({
      summary: 'One live broker',
      tags: ['cluster'],
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^(0|[1-9][0-9]{0,9})$', description: 'Broker id' } } },
      response: { 200: brokerSchema, ...errorResponses },
    }),
  }, async (req) => {
    const c = deps.cluster();
    const id = Number(req.params.id);
    const broker = c.brokers.find((b) => b.id === id);
    if (broker === undefined) throw new AdminHttpError(404, 'BROKER_NOT_AVAILABLE', `Broker ${id} is not a live broker of this cluster`);
    return view(broker, c.controllerId);
  });
}
