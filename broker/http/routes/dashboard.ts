/**
 * Cluster-wide reads the dashboard polls and one action it needs from any broker (the browser
 * talks to the broker that served the page only): every broker's counters in one answer, the
 * leaders' log figures of a topic, a topic's effective configs with their source, and a
 * preferred election of a topic forwarded to the controller. 501 until `dashboard` is wired.
 */
import type { FastifyInstance } from 'fastify';
import { validateTopicName } from '../../admin/index.js';
import { documented } from '../openapi.js';
import type { AdminHttpDeps, DashboardOps } from '../deps.js';
import { AdminHttpError, notImplemented } from '../errors.js';
import { errorResponses, offsetSchema, partitionResultsSchema, reassignmentSchema, topicNameParams } from '../schemas.js';

const count = { type: 'integer', minimum: 0 };

const statsSchema = {
  type: 'object',
  required: ['timeMs', 'controllerId', 'controllerEpoch', 'topicCount', 'partitionCount', 'offlinePartitions', 'underReplicatedPartitions', 'underMinIsrPartitions', 'preferredReplicaImbalance', 'reassignments', 'brokers'],
  properties: {
    timeMs: { type: 'integer' },
    controllerId: { type: 'integer' },
    controllerEpoch: { type: 'integer' },
    topicCount: count,
    partitionCount: count,
    offlinePartitions: { ...count, description: 'Without a leader, or led by a broker that does not answer' },
    underReplicatedPartitions: { ...count, description: 'Fewer in-sync replicas that answer than replicas' },
    underMinIsrPartitions: { ...count, description: 'Fewer in-sync replicas that answer than min.insync.replicas' },
    preferredReplicaImbalance: { ...count, description: 'Led by a replica other than the preferred (first) one' },
    reassignments: {
      type: 'array',
      items: {
        ...reassignmentSchema,
        required: [...reassignmentSchema.required, 'addingInSync'],
        properties: {
          ...reassignmentSchema.properties,
          addingInSync: { type: 'array', items: { type: 'integer' }, description: 'Adding replicas already in the ISR (the progress)' },
        },
      },
    },
    brokers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'alive', 'reachable'],
        properties: {
          id: { type: 'integer' },
          alive: { type: 'boolean', description: 'Registered in ZooKeeper, as the metadata says' },
          reachable: { type: 'boolean', description: 'Answered this sample' },
          error: { type: 'string' },
          sample: {
            type: 'object',
            additionalProperties: true,
            description: 'leaderCount, partitionCount, topicSizes, metrics {topics: per-topic bytesIn/bytesOut/messagesIn/messagesOut, requests: per-api latency buckets, isrShrinks, isrExpands, zooKeeperState}, controller {epoch, reassignments} on the controller',
          },
        },
      },
    },
  },
};

const figuresSchema = {
  type: 'object',
  required: ['name', 'partitions'],
  properties: {
    name: { type: 'string' },
    partitions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['partition', 'logStartOffset', 'highWatermark', 'logEndOffset', 'sizeBytes'],
        properties: { partition: { type: 'integer' }, logStartOffset: offsetSchema, highWatermark: offsetSchema, logEndOffset: offsetSchema, sizeBytes: { type: 'integer' } },
      },
    },
  },
};

const configsSchema = {
  type: 'object',
  required: ['name', 'configs'],
  properties: {
    name: { type: 'string' },
    configs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'value', 'source'],
        properties: { name: { type: 'string' }, value: { type: ['string', 'null'] }, source: { type: 'string', enum: ['topic', 'broker', 'default'] } },
      },
    },
  },
};

const unknownTopic = (name: string): AdminHttpError => new AdminHttpError(404, 'UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);

export function registerDashboardRoutes(app: FastifyInstance, deps: AdminHttpDeps): void {
  const dashboard = (): DashboardOps => {
    if (deps.dashboard === undefined) throw notImplemented('The dashboard data');
    return deps.dashboard;
  };

  app.get('/cluster/stats', {
    schema: documented({
      summary: 'One sample of every broker (counters, log sizes, ZooKeeper state) and the partition health of the cluster',
      tags: ['cluster'],
      response: { 200: statsSchema, ...errorResponses },
    }),
  }, async () => dashboard().stats());

  app.get<{ Params: { name: string } }>('/topics/:name/offsets', {
    schema: documented({
      summary: 'Log start offset, high watermark, log end offset and size of every partition, from its leader',
      tags: ['topics'],
      params: topicNameParams,
      response: { 200: figuresSchema, ...errorResponses },
    }),
  }, async (req) => {
    validateTopicName(req.params.name);
    const partitions = await dashboard().partitionFigures(req.params.name);
    if (partitions === null) throw unknownTopic(req.params.name);
    return { name: req.params.name, partitions };
  });

  app.get<{ Params: { name: string } }>('/topics/:name/configs', {
    schema: documented({
      summary: 'Every topic config with its effective value and where it comes from (topic override, broker setting, default)',
      tags: ['topics'],
      params: topicNameParams,
      response: { 200: configsSchema, ...errorResponses },
    }),
  }, async (req) => {
    validateTopicName(req.params.name);
    const configs = await dashboard().topicConfigEntries(req.params.name);
    if (configs === null) throw unknownTopic(req.params.name);
    return { name: req.params.name, configs };
  });

  app.post<{ Params: { name: string } }>('/topics/:name/elections/preferred', {
    schema: documented({
      summary: 'Preferred leader election for every partition of a topic, on any broker (forwarded to the controller)',
      tags: ['operations'],
      params: topicNameParams,
      response: { 200: partitionResultsSchema, ...errorResponses },
    }),
  }, async (req) => {
    validateTopicName(req.params.name);
    return { partitions: await dashboard().electPreferred(req.params.name) };
  });
}
