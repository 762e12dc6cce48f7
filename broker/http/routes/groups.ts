/** Consumer groups: list, describe with lag, delete, reset offsets (501 when no GroupOps is wired). */
import type { FastifyInstance } from 'fastify';
import { documented } from '../openapi.js';
import type { AdminHttpDeps, GroupOffsetSnapshot, GroupOps, OffsetResetTarget } from '../deps.js';
import { AdminHttpError, invalidRequest, notImplemented } from '../errors.js';
import { errorResponses, groupIdParams, offsetSchema, partitionIdSchema } from '../schemas.js';

const listingSchema = {
  type: 'object',
  required: ['groupId', 'state', 'protocolType'],
  properties: { groupId: { type: 'string' }, state: { type: 'string' }, protocolType: { type: 'string' } },
};

const offsetView = {
  type: 'object',
  required: ['topic', 'partition', 'committedOffset'],
  properties: {
    topic: { type: 'string' },
    partition: { type: 'integer' },
    committedOffset: offsetSchema,
    metadata: { type: 'string' },
    highWatermark: { ...offsetSchema, description: 'Absent when this broker cannot tell' },
    lag: { ...offsetSchema, description: 'highWatermark - committedOffset (never negative); absent with highWatermark' },
  },
};

const describeSchema = {
  type: 'object',
  required: ['groupId', 'state', 'protocolType', 'protocol', 'members', 'offsets', 'totalLag'],
  properties: {
    groupId: { type: 'string' },
    state: { type: 'string' },
    protocolType: { type: 'string' },
    protocol: { type: 'string' },
    generationId: { type: 'integer' },
    leader: { type: 'string' },
    members: {
      type: 'array',
      items: {
        type: 'object',
        required: ['memberId', 'clientId', 'clientHost', 'assignment'],
        properties: {
          memberId: { type: 'string' },
          groupInstanceId: { type: 'string' },
          clientId: { type: 'string' },
          clientHost: { type: 'string' },
          assignment: {
            type: 'array',
            items: { type: 'object', required: ['topic', 'partitions'], properties: { topic: { type: 'string' }, partitions: { type: 'array', items: { type: 'integer' } } } },
          },
        },
      },
    },
    offsets: { type: 'array', items: offsetView },
    totalLag: { ...offsetSchema, description: 'Sum of the known lags' },
  },
};

const resetBody = {
  type: 'object',
  required: ['topic', 'to'],
  additionalProperties: false,
  properties: {
    topic: { type: 'string', minLength: 1 },
    partitions: { type: 'array', items: partitionIdSchema, minItems: 1, description: 'Default: every partition of the topic' },
    to: { type: 'string', enum: ['earliest', 'latest', 'offset', 'timestamp', 'shift'] },
    value: { type: 'integer', description: 'The offset (to=offset), epoch ms (to=timestamp) or signed shift (to=shift)' },
    dryRun: { type: 'boolean', default: false, description: 'Answer the offsets without committing them' },
  },
};

const resetSchema = {
  type: 'object',
  required: ['groupId', 'dryRun', 'partitions'],
  properties: {
    groupId: { type: 'string' },
    dryRun: { type: 'boolean' },
    partitions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['topic', 'partition', 'newOffset'],
        properties: { topic: { type: 'string' }, partition: { type: 'integer' }, previousOffset: offsetSchema, newOffset: offsetSchema },
      },
    },
  },
};

type ResetBody = { topic: string; partitions?: number[]; to: 'earliest' | 'latest' | 'offset' | 'timestamp' | 'shift'; value?: number; dryRun?: boolean };

function resetTarget(body: ResetBody): OffsetResetTarget {
  if (body.to === 'earliest' || body.to === 'latest') {
    if (body.value !== undefined) throw invalidRequest(`"value" is meaningless with to=${body.to}`);
    return { kind: body.to };
  }
  if (body.value === undefined) throw invalidRequest(`to=${body.to} needs "value"`);
  const value = BigInt(body.value);
  if (body.to === 'offset') {
    if (value < 0n) throw invalidRequest('An offset cannot be negative');
    return { kind: 'offset', offset: value };
  }
  if (body.to === 'timestamp') return { kind: 'timestamp', timestamp: value };
  return { kind: 'shift', by: value };
}

const withLag = (o: GroupOffsetSnapshot): { view: Record<string, unknown>; lag: bigint } => {
  const hw = o.highWatermark ?? null;
  const lag = hw === null ? null : hw > o.committedOffset ? hw - o.committedOffset : 0n;
  return {
    view: {
      topic: o.topic,
      partition: o.partition,
      committedOffset: o.committedOffset,
      ...(o.metadata === undefined || o.metadata === null ? {} : { metadata: o.metadata }),
      ...(hw === null ? {} : { highWatermark: hw, lag }),
    },
    lag: lag ?? 0n,
  };
};

export function registerGroupRoutes(app: FastifyInstance, deps: AdminHttpDeps): void {
  const groups = (): GroupOps => {
    if (deps.groups === undefined) throw notImplemented('Consumer group administration');
    return deps.groups;
  };
  const notFound = (id: string): AdminHttpError => new AdminHttpError(404, 'GROUP_ID_NOT_FOUND', `Group '${id}' does not exist.`);

  app.get('/groups', {
    schema: documented({
      summary: 'Consumer groups of the whole cluster (every broker\'s coordinator is asked)',
      tags: ['groups'],
      response: { 200: { type: 'object', required: ['groups'], properties: { groups: { type: 'array', items: listingSchema } } }, ...errorResponses },
    }),
  }, async () => {
    const list = [...(await groups().listGroups())].sort((a, b) => a.groupId.localeCompare(b.groupId));
    return { groups: list };
  });

  app.get<{ Params: { id: string } }>('/groups/:id', {
    schema: documented({
      summary: 'Group state, members with assignments, committed offsets and lag per partition',
      tags: ['groups'],
      params: groupIdParams,
      response: { 200: describeSchema, ...errorResponses },
    }),
  }, async (req) => {
    const g = await groups().describeGroup(req.params.id);
    if (g === null) throw notFound(req.params.id);
    const offsets = [...g.offsets].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition).map(withLag);
    return {
      groupId: g.groupId,
      state: g.state,
      protocolType: g.protocolType,
      protocol: g.protocol,
      ...(g.generationId === undefined ? {} : { generationId: g.generationId }),
      ...(g.leader === undefined || g.leader === null ? {} : { leader: g.leader }),
      members: g.members.map((m) => ({
        memberId: m.memberId,
        ...(m.groupInstanceId === null ? {} : { groupInstanceId: m.groupInstanceId }),
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment: m.assignment.map((a) => ({ topic: a.topic, partitions: [...a.partitions] })),
      })),
      offsets: offsets.map((o) => o.view),
      totalLag: offsets.reduce((sum, o) => sum + o.lag, 0n),
    };
  });

  app.delete<{ Params: { id: string } }>('/groups/:id', {
    schema: documented({
      summary: 'Delete an empty group and its committed offsets (as DeleteGroups)',
      tags: ['groups'],
      params: groupIdParams,
      response: { 200: { type: 'object', required: ['groupId', 'deleted'], properties: { groupId: { type: 'string' }, deleted: { type: 'boolean' } } }, ...errorResponses },
    }),
  }, async (req) => {
    await groups().deleteGroup(req.params.id);
    return { groupId: req.params.id, deleted: true };
  });

  app.post<{ Params: { id: string }; Body: ResetBody }>('/groups/:id/offsets', {
    schema: documented({
      summary: 'Reset a group\'s committed offsets for a topic (the group must have no active members)',
      tags: ['groups'],
      params: groupIdParams,
      body: resetBody,
      response: { 200: resetSchema, ...errorResponses },
    }),
  }, async (req) => {
    const to = resetTarget(req.body);
    const dryRun = req.body.dryRun === true;
    const results = await groups().resetOffsets(req.params.id, {
      topic: req.body.topic,
      ...(req.body.partitions === undefined ? {} : { partitions: req.body.partitions }),
      to,
      dryRun,
    });
    return {
      groupId: req.params.id,
      dryRun,
      partitions: results.map((r) => ({
        topic: r.topic,
        partition: r.partition,
        ...(r.previousOffset === null ? {} : { previousOffset: r.previousOffset }),
        newOffset: r.newOffset,
      })),
    };
  });
}
