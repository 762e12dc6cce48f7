/**
 * Transactions held by this broker's transaction coordinator (501 when none is wired). A
 * transactional id lives on the leader of its `__transaction_state` partition, so the cluster's
 * transactions are the union over the brokers; FindCoordinator (key type 1) names the one to ask.
 */
import type { FastifyInstance } from 'fastify';
import { documented } from '../openapi.js';
import type { AdminHttpDeps, TransactionOps, TransactionSnapshot } from '../deps.js';
import { AdminHttpError, notImplemented } from '../errors.js';
import { errorResponses, offsetSchema } from '../schemas.js';

const transactionSchema = {
  type: 'object',
  required: ['transactionalId', 'state', 'producerId', 'producerEpoch', 'timeoutMs', 'startTimeMs', 'lastUpdateTimeMs', 'partitions'],
  properties: {
    transactionalId: { type: 'string' },
    state: { type: 'string', description: 'Kafka\'s name: Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, PrepareEpochFence' },
    producerId: offsetSchema,
    producerEpoch: { type: 'integer' },
    timeoutMs: { type: 'integer', description: 'transaction.timeout.ms the producer asked for' },
    startTimeMs: { type: 'integer', description: 'When the current transaction started (epoch ms), -1 when none has' },
    lastUpdateTimeMs: { type: 'integer', description: 'Last state change (epoch ms)' },
    partitions: {
      type: 'array',
      items: { type: 'object', required: ['topic', 'partition'], properties: { topic: { type: 'string' }, partition: { type: 'integer' } } },
    },
  },
};

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, description: 'transactional.id' } },
};

const view = (t: TransactionSnapshot): Record<string, unknown> => ({
  transactionalId: t.transactionalId,
  state: t.state,
  producerId: t.producerId,
  producerEpoch: t.producerEpoch,
  timeoutMs: t.timeoutMs,
  startTimeMs: t.startTimeMs,
  lastUpdateTimeMs: t.lastUpdateTimeMs,
  partitions: [...t.partitions].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition).map((p) => ({ topic: p.topic, partition: p.partition })),
});

export function registerTransactionRoutes(app: FastifyInstance, deps: AdminHttpDeps): void {
  const txns = (): TransactionOps => {
    if (deps.transactions === undefined) throw notImplemented('Transaction coordinator');
    return deps.transactions;
  };

  app.get('/transactions', {
    schema: documented({
      summary: 'Transactional ids this broker\'s transaction coordinator holds, with their current transaction',
      tags: ['transactions'],
      response: { 200: { type: 'object', required: ['brokerId', 'transactions'], properties: { brokerId: { type: 'integer' }, transactions: { type: 'array', items: transactionSchema } } }, ...errorResponses },
    }),
  }, async () => ({ brokerId: deps.brokerId, transactions: txns().list().map(view) }));

  app.get<{ Params: { id: string } }>('/transactions/:id', {
    schema: documented({
      summary: 'One transactional id held by this broker\'s coordinator (404 elsewhere: ask its coordinator)',
      tags: ['transactions'],
      params: idParams,
      response: { 200: transactionSchema, ...errorResponses },
    }),
  }, async (req) => {
    const t = txns().describe(req.params.id);
    if (t === null) throw new AdminHttpError(404, 'TRANSACTIONAL_ID_NOT_FOUND', `Transactional id '${req.params.id}' is not held by the coordinator of broker ${deps.brokerId}.`);
    return view(t);
  });
}
