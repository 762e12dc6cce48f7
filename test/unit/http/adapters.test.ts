import { expect } from 'chai';
import { ControllerError } from '../../../broker/controller/index.js';
import { buildAdminApp, clusterFromMetadata, controllerOperations, topicViewFromMetadata, type AdminHttpDeps } from '../../../broker/http/index.js';
import { MetadataCache } from '../../../broker/metadata/index.js';
import { errorOf } from './admin-http-fixture.js';

function filledCache(): MetadataCache {
  const cache = new MetadataCache();
  const state = (topic: string, partition: number, replicas: number[], isr: number[]) => ({
    topic, partition, controllerEpoch: 5, leader: isr[0] ?? -1, leaderEpoch: 2, isr, zkVersion: 1, replicas, offlineReplicas: [],
  });
  cache.apply({
    controllerId: 2,
    controllerEpoch: 5,
    brokerEpoch: -1n,
    liveBrokers: [1, 2].map((id) => ({
      id,
      rack: id === 1 ? 'a' : null,
      endpoints: [
        { listener: 'PLAINTEXT', host: '127.0.0.1', port: 9090 + id, securityProtocol: 'PLAINTEXT' },
        { listener: 'INTERNAL', host: '127.0.0.1', port: 19090 + id, securityProtocol: 'PLAINTEXT' },
      ],
    })),
    partitionStates: [state('orders', 0, [1, 2], [1, 2]), state('orders', 1, [2, 1], [2]), state('__consumer_offsets', 0, [1], [1])],
  });
  return cache;
}

type Calls = { elect: unknown[]; reassign: unknown[] };

function wiredApp(cache: MetadataCache, controllerActive: boolean, calls: Calls) {
  const controller = {
    electLeaders: async (parts: readonly { topic: string; partition: number }[], type: string) => {
      calls.elect.push({ parts, type });
      if (!controllerActive) throw new ControllerError('BRK_NOT_CONTROLLER', 'broker 1 is not the controller');
      return new Map(parts.map((p) => [`${p.topic}-${p.partition}`, p.partition === 1 ? 'NONE' : 'ELECTION_NOT_NEEDED'] as [string, never]));
    },
    listPartitionReassignments: async () => [
      { topic: 'orders', partition: 1, replicas: [2, 1, 3], addingReplicas: [3], removingReplicas: [1] },
      { topic: 'orders', partition: 0, replicas: [1, 2], addingReplicas: [], removingReplicas: [] },
    ],
    reassignPartitions: async (reqs: readonly { topic: string; partition: number; replicas: readonly number[] | null }[]) => {
      calls.reassign.push(reqs);
      return new Map(reqs.map((r) => [`${r.topic}-${r.partition}`, r.topic === 'orders' ? 'NONE' : 'UNKNOWN_TOPIC_OR_PARTITION'] as [string, never]));
    },
  };
  const topicAdmin = { describeTopicConfig: async (name: string): Promise<Record<string, string>> => (name === 'orders' ? { 'retention.ms': '1000' } : {}) };
  const ops = controllerOperations(controller, () => cache.topicNames().flatMap((t) => (cache.getTopic(t) ?? []).map((p) => ({ topic: t, partition: p.partition }))));
  const deps: AdminHttpDeps = {
    brokerId: 1,
    cluster: clusterFromMetadata(cache, () => 'cid'),
    readiness: () => ({ ready: true }),
    topics: topicViewFromMetadata({
      cache,
      topicAdmin,
      localLog: (t, p) => (t === 'orders' && p === 0 ? { logStartOffset: 0n, highWatermark: 7n, logEndOffset: 8n, sizeBytes: 100 } : undefined),
    }),
    topicAdmin: topicAdmin as never,
    ...ops,
  };
  return buildAdminApp(deps);
}

describe('http > adapters from broker components', () => {
  it('cluster and topics come from the metadata cache, configs from the admin, logs from the replica callback', async () => {
    const app = wiredApp(filledCache(), true, { elect: [], reassign: [] });
    try {
      const cluster = (await app.inject({ method: 'GET', url: '/cluster' })).json();
      expect(cluster).to.include({ clusterId: 'cid', controllerId: 2, controllerEpoch: 5 });
      expect(cluster.brokers[0]).to.deep.include({ id: 1, rack: 'a', isController: false });
      expect(cluster.brokers[0].endpoints.map((e: { listenerName: string }) => e.listenerName)).to.deep.equal(['PLAINTEXT', 'INTERNAL']);
      const topics = (await app.inject({ method: 'GET', url: '/topics' })).json().topics;
      expect(topics).to.deep.equal([
        { name: '__consumer_offsets', partitions: 1, replicationFactor: 1, internal: true },
        { name: 'orders', partitions: 2, replicationFactor: 2, internal: false },
      ]);
      const orders = (await app.inject({ method: 'GET', url: '/topics/orders' })).json();
      expect(orders.configs).to.deep.equal({ 'retention.ms': '1000' });
      expect(orders.partitions[0].log).to.deep.equal({ logStartOffset: 0, highWatermark: 7, logEndOffset: 8, sizeBytes: 100 });
      expect(orders.partitions[1]).to.include({ leader: 2, underReplicated: true });
      expect(orders.partitions[1]).to.not.have.property('log');
      expect((await app.inject({ method: 'GET', url: '/topics/unknown' })).statusCode).to.equal(404);
    } finally {
      await app.close();
    }
  });

  it('elections and reassignments go to the controller; per-partition answers are mapped', async () => {
    const calls: Calls = { elect: [], reassign: [] };
    const app = wiredApp(filledCache(), true, calls);
    try {
      const all = await app.inject({ method: 'POST', url: '/elections/preferred' });
      expect(all.statusCode, all.body).to.equal(200);
      // Every partition was asked; only the ones that moved are reported.
      expect((calls.elect[0] as { parts: unknown[]; type: string }).parts).to.have.length(3);
      expect((calls.elect[0] as { type: string }).type).to.equal('preferred');
      expect(all.json().partitions).to.deep.equal([{ topic: 'orders', partition: 1, error: null }]);
      const one = await app.inject({ method: 'POST', url: '/elections/preferred', payload: { partitions: [{ topic: 'orders', partition: 0 }] } });
      expect(one.json().partitions).to.deep.equal([{ topic: 'orders', partition: 0, error: 'ELECTION_NOT_NEEDED' }]);
      const moved = await app.inject({
        method: 'POST',
        url: '/reassignments',
        payload: { partitions: [{ topic: 'orders', partition: 0, replicas: [2, 1] }, { topic: 'nope', partition: 0, replicas: [1] }] },
      });
      expect(moved.statusCode, moved.body).to.equal(202);
      expect(moved.json().partitions).to.deep.equal([
        { topic: 'orders', partition: 0, error: null },
        { topic: 'nope', partition: 0, error: 'UNKNOWN_TOPIC_OR_PARTITION' },
      ]);
      const ongoing = await app.inject({ method: 'GET', url: '/reassignments' });
      expect(ongoing.statusCode, ongoing.body).to.equal(200);
      expect(ongoing.json().reassignments.map((r: { partition: number }) => r.partition)).to.deep.equal([0, 1]);
      expect(ongoing.json().reassignments[1]).to.deep.equal({ topic: 'orders', partition: 1, replicas: [2, 1, 3], addingReplicas: [3], removingReplicas: [1] });
    } finally {
      await app.close();
    }
  });

  it('on a broker that is not the controller an election answers 503 NOT_CONTROLLER naming the controller', async () => {
    const app = wiredApp(filledCache(), false, { elect: [], reassign: [] });
    try {
      const res = await app.inject({ method: 'POST', url: '/elections/preferred', payload: { partitions: [{ topic: 'orders', partition: 0 }] } });
      expect(res.statusCode).to.equal(503);
      const err = errorOf(res.body);
      expect(err.code).to.equal('NOT_CONTROLLER');
      expect(err.details).to.deep.equal({ controllerId: 2 });
    } finally {
      await app.close();
    }
  });
});
