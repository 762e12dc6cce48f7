/**
 * The dashboard's cluster-wide reads as pure logic: health counts from the metadata with brokers
 * that do not answer counted out of sync at once, routing of reads/produce/elections to the
 * leader or the controller, and the HTTP validation of the message routes.
 */
import { expect } from 'chai';
import { ClusterDashboard, DashboardDataError, type ClusterDashboardParts, type DashboardDataRequest } from '../../../broker/dashboard-data.js';
import { buildAdminApp, type DashboardOps } from '../../../broker/http/index.js';
import { adminFixture } from './admin-http-fixture.js';

interface FakePartition {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

function dashboardOver(topics: Record<string, FakePartition[]>, live: number[], answering: Set<number>, minIsr = 2): { d: ClusterDashboard; asked: Array<[number, DashboardDataRequest]> } {
  const asked: Array<[number, DashboardDataRequest]> = [];
  const parts: ClusterDashboardParts = {
    metadata: {
      aliveBrokers: () => live.map((id) => ({ id, rack: null, endpoints: new Map() })) as never,
      controllerId: 2,
      controllerEpoch: 4,
      topicNames: () => Object.keys(topics),
      getTopic: (t: string) => topics[t] as never,
      getPartition: (t: string, p: number) => topics[t]?.find((x) => x.partition === p) as never,
    },
    config: {} as never,
    topicConfigs: () => ({ get: () => ({ minInsyncReplicas: minIsr }) }) as never,
    describeTopicConfig: async () => ({}),
    call: async (id, req) => {
      asked.push([id, req]);
      if (!answering.has(id)) throw Object.assign(new Error(`connect ECONNREFUSED (broker ${id})`), { code: 'ECONNREFUSED' });
      if (req.op === 'sample') {
        return { brokerId: id, timeMs: 1, leaderCount: 0, partitionCount: 0, topicSizes: {}, metrics: {}, ...(id === 2 ? { controller: { epoch: 4, reassignments: [{ topic: 'a', partition: 0, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: [] }] } } : {}) };
      }
      if (req.op === 'elect') return req.partitions.map((p) => ({ ...p, error: null }));
      return { op: req.op, at: id };
    },
  };
  return { d: new ClusterDashboard(parts), asked };
}

describe('dashboard > cluster data', () => {
  const topics = {
    a: [
      { partition: 0, leader: 1, replicas: [1, 2], isr: [1, 2] },
      { partition: 1, leader: 3, replicas: [3, 1], isr: [3, 1] },
    ],
    b: [{ partition: 0, leader: 2, replicas: [1, 2, 3], isr: [2, 1] }],
  };

  it('healthy: nothing offline; an ISR smaller than the replicas is under-replicated; leaders off their preferred replica counted', async () => {
    const { d } = dashboardOver(topics, [1, 2, 3], new Set([1, 2, 3]));
    const s = await d.stats();
    expect(s).to.include({ partitionCount: 3, topicCount: 2, offlinePartitions: 0, underReplicatedPartitions: 1, underMinIsrPartitions: 0, preferredReplicaImbalance: 1 });
    expect(s.brokers.map((b) => [b.id, b.alive, b.reachable])).to.deep.equal([[1, true, true], [2, true, true], [3, true, true]]);
    expect(s.reassignments).to.deep.equal([{ topic: 'a', partition: 0, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: [], addingInSync: [] }]);
  });

  it('a broker that does not answer is down at once: its replicas out of sync, its leaderships offline, before the metadata says so', async () => {
    const { d } = dashboardOver(topics, [1, 2, 3], new Set([1, 2]));
    const s = await d.stats();
    const three = s.brokers.find((b) => b.id === 3)!;
    expect(three).to.include({ alive: true, reachable: false });
    expect(three.error).to.match(/ECONNREFUSED/);
    expect(s).to.include({ offlinePartitions: 1, underReplicatedPartitions: 2, underMinIsrPartitions: 1 });
  });

  it('a broker gone from ZooKeeper but still holding replicas is listed as down without being asked', async () => {
    const { d, asked } = dashboardOver(topics, [1, 2], new Set([1, 2, 3]));
    const s = await d.stats();
    expect(s.brokers.find((b) => b.id === 3)).to.deep.include({ alive: false, reachable: false, error: 'not registered in ZooKeeper' });
    expect(asked.map(([id]) => id)).to.not.include(3);
  });

  it('reads and test records go to the leader, elections to the controller; unknown partitions are refused with Kafka names', async () => {
    const { d, asked } = dashboardOver(topics, [1, 2, 3], new Set([1, 2, 3]));
    await d.readMessages('a', 1, { kind: 'offset', offset: 0n }, 10);
    await d.produce('b', 0, { value: 'x' });
    const elected = await d.electPreferred('a');
    expect(asked.map(([id, r]) => [id, r.op])).to.deep.equal([[3, 'read'], [2, 'produce'], [2, 'elect']]);
    expect(elected.map((r) => r.partition)).to.deep.equal([0, 1]);
    const err = await d.readMessages('a', 7, { kind: 'offset', offset: 0n }, 10).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DashboardDataError).and.include({ kafkaError: 'UNKNOWN_TOPIC_OR_PARTITION' });
  });
});

describe('dashboard > message routes', () => {
  it('validate the position and the limit, and answer 501 without dashboard data', async () => {
    const f = await adminFixture();
    const asked: unknown[] = [];
    const dashboard = {
      readMessages: async (...args: unknown[]) => {
        asked.push(args);
        return { topic: 't', partition: 0, from: 5n, logStartOffset: 0n, highWatermark: 9_007_199_254_740_993n, messages: [] };
      },
    } as unknown as DashboardOps;
    const app = buildAdminApp({ ...f.deps, dashboard });
    try {
      const ok = await app.inject({ method: 'GET', url: '/topics/t/partitions/0/messages?offset=5&limit=20' });
      expect(ok.statusCode, ok.body).to.equal(200);
      expect(ok.body).to.include('"highWatermark":9007199254740993');
      expect(asked).to.deep.equal([['t', 0, { kind: 'offset', offset: 5n }, 20]]);
      const both = await app.inject({ method: 'GET', url: '/topics/t/partitions/0/messages?offset=5&timestamp=9' });
      expect(both.statusCode).to.equal(400);
      expect((await app.inject({ method: 'GET', url: '/topics/t/partitions/0/messages?limit=501' })).statusCode).to.equal(400);
      expect((await app.inject({ method: 'GET', url: '/topics/t/partitions/x/messages' })).statusCode).to.equal(400);
      const bad = await app.inject({ method: 'POST', url: '/topics/t/messages', payload: { partition: 0, value: 'v', extra: 1 } });
      expect(bad.statusCode).to.equal(400);
      expect(bad.json().error.code).to.equal('INVALID_REQUEST');
    } finally {
      await app.close();
      await f.app.close();
    }
    const without = await adminFixture();
    try {
      const res = await without.app.inject({ method: 'GET', url: '/cluster/stats' });
      expect(res.statusCode).to.equal(501);
      expect(res.json().error.code).to.equal('NOT_IMPLEMENTED');
    } finally {
      await without.app.close();
    }
  });
});
