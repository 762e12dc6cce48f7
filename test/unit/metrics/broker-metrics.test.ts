import { expect } from 'chai';
import { buildAdminApp } from '../../../broker/http/index.js';
import { silentLogger } from '../../../broker/logging.js';
import { BrokerMetrics, METRIC_NAMES, type MetricProviders } from '../../../broker/metrics/index.js';
import { createHandlerRegistry } from '../../../broker/handlers/index.js';
import { RequestRouter } from '../../../broker/network/index.js';
import { ANONYMOUS_PRINCIPAL } from '../../../broker/request-context.js';
import { apiVersionsRequest, requestFrame } from '../../helpers/kafka-socket.js';
import { parsePrometheusText, valueOf, type Family } from '../../helpers/prometheus-text.js';

const scrape = async (m: BrokerMetrics): Promise<Map<string, Family>> => parsePrometheusText(await m.metrics());

/** Counter families are named with _total; prom-client's TYPE line uses the same name. */
const family = (fams: Map<string, Family>, name: string): Family => {
  const f = fams.get(name);
  if (f === undefined) throw new Error(`no family ${name}`);
  return f;
};

describe('metrics > BrokerMetrics', () => {
  it('a fresh registry parses as Prometheus text and declares every Kafka-named metric', async () => {
    const m = new BrokerMetrics();
    const fams = await scrape(m);
    for (const name of Object.values(METRIC_NAMES)) {
      expect(fams.has(name), name).to.equal(true);
      expect(family(fams, name).help, `${name} help`).to.be.a('string').and.not.equal('');
    }
    expect(family(fams, METRIC_NAMES.underReplicatedPartitions).type).to.equal('gauge');
    expect(family(fams, METRIC_NAMES.bytesIn).type).to.equal('counter');
    expect(family(fams, METRIC_NAMES.requestTotalTimeMs).type).to.equal('histogram');
    expect(valueOf(fams, METRIC_NAMES.activeControllerCount)).to.equal(0);
    expect(valueOf(fams, METRIC_NAMES.zooKeeperSessionState, { state: 'DISCONNECTED' })).to.equal(1);
    expect(m.contentType).to.match(/^text\/plain; version=0\.0\.4/);
  });

  it('request events move the per-api counters and latency histogram', async () => {
    const m = new BrokerMetrics();
    m.onRequest({ apiKey: 0, apiVersion: 9, listenerName: 'PLAINTEXT', durationMs: 3, outcome: 'respond' });
    m.onRequest({ apiKey: 0, apiVersion: 9, listenerName: 'PLAINTEXT', durationMs: 700, outcome: 'respond' });
    m.onRequest({ apiKey: 1, apiVersion: 12, listenerName: 'PLAINTEXT', durationMs: 0.2, outcome: 'close' });
    const fams = await scrape(m);
    expect(valueOf(fams, METRIC_NAMES.requests, { request: 'Produce', version: '9', listener: 'PLAINTEXT' })).to.equal(2);
    expect(valueOf(fams, METRIC_NAMES.requests, { request: 'Fetch', version: '12' })).to.equal(1);
    expect(valueOf(fams, METRIC_NAMES.requestConnectionCloses, { request: 'Fetch' })).to.equal(1);
    expect(valueOf(fams, METRIC_NAMES.requestConnectionCloses, { request: 'Produce' })).to.equal(undefined);
    const h = METRIC_NAMES.requestTotalTimeMs;
    expect(valueOf(fams, `${h}_count`, { request: 'Produce' })).to.equal(2);
    expect(valueOf(fams, `${h}_sum`, { request: 'Produce' })).to.equal(703);
    expect(valueOf(fams, `${h}_bucket`, { request: 'Produce', le: '5' })).to.equal(1);
    expect(valueOf(fams, `${h}_bucket`, { request: 'Produce', le: '1000' })).to.equal(2);
  });

  it('observes a real RequestRouter: answered and closed requests are counted by api name', async () => {
    const m = new BrokerMetrics();
    const router = new RequestRouter({ registry: createHandlerRegistry(), logger: silentLogger() });
    router.setRequestObserver((e) => m.onRequest(e));
    const conn = {
      connectionId: 'c1', listenerName: 'EXTERNAL', securityProtocol: 'PLAINTEXT' as const, clientAddress: '127.0.0.1', clientPort: 1,
      principal: ANONYMOUS_PRINCIPAL, signal: new AbortController().signal,
    };
    const answered = await router.route(conn, apiVersionsRequest(3, 1).subarray(4), Date.now());
    expect(answered.kind).to.equal('respond');
    const closed = await router.route(conn, requestFrame(99, 0, 2, Buffer.alloc(0)).subarray(4), Date.now());
    expect(closed.kind).to.equal('close');
    const fams = await scrape(m);
    expect(valueOf(fams, METRIC_NAMES.requests, { request: 'ApiVersions', version: '3', listener: 'EXTERNAL' })).to.equal(1);
    expect(valueOf(fams, METRIC_NAMES.requestConnectionCloses, { request: 'Unknown(99)' })).to.equal(1);
  });

  it('produce and fetch events move per-topic byte and message counters; forgetTopic drops them', async () => {
    const m = new BrokerMetrics();
    m.onProduce({ topic: 'orders', bytes: 1000, messages: 10 });
    m.onProduce({ topic: 'orders', bytes: 500, messages: 5 });
    m.onProduce({ topic: 'orders', bytes: 70, messages: 1, failed: true });
    m.onFetch({ topic: 'orders', bytes: 800 });
    m.onFetch({ topic: 'orders', bytes: 1500, replication: true });
    m.onFetch({ topic: 'audit', bytes: 0, failed: true });
    m.onReplicationAppend('audit', 64);
    let fams = await scrape(m);
    const t = { topic: 'orders' };
    expect(valueOf(fams, METRIC_NAMES.bytesIn, t)).to.equal(1500);
    expect(valueOf(fams, METRIC_NAMES.messagesIn, t)).to.equal(15);
    expect(valueOf(fams, METRIC_NAMES.bytesRejected, t)).to.equal(70);
    expect(valueOf(fams, METRIC_NAMES.totalProduceRequests, t)).to.equal(3);
    expect(valueOf(fams, METRIC_NAMES.failedProduceRequests, t)).to.equal(1);
    expect(valueOf(fams, METRIC_NAMES.bytesOut, t)).to.equal(800);
    expect(valueOf(fams, METRIC_NAMES.replicationBytesOut, t)).to.equal(1500);
    expect(valueOf(fams, METRIC_NAMES.totalFetchRequests, t)).to.equal(1);
    expect(valueOf(fams, METRIC_NAMES.failedFetchRequests, { topic: 'audit' })).to.equal(1);
    expect(valueOf(fams, METRIC_NAMES.replicationBytesIn, { topic: 'audit' })).to.equal(64);
    m.forgetTopic('orders');
    fams = await scrape(m);
    expect(valueOf(fams, METRIC_NAMES.bytesIn, t)).to.equal(undefined);
    expect(valueOf(fams, METRIC_NAMES.replicationBytesIn, { topic: 'audit' })).to.equal(64);
  });

  it('ISR changes, elections and ZooKeeper session events are counted', async () => {
    const m = new BrokerMetrics();
    m.onIsrShrink();
    m.onIsrShrink();
    m.onIsrExpand();
    m.onLeaderElection({ unclean: false, durationMs: 4 });
    m.onLeaderElection({ unclean: true });
    const zk = m.zooKeeperSessionListener();
    zk.newSession(1n);
    let fams = await scrape(m);
    expect(valueOf(fams, METRIC_NAMES.isrShrinks)).to.equal(2);
    expect(valueOf(fams, METRIC_NAMES.isrExpands)).to.equal(1);
    expect(valueOf(fams, `${METRIC_NAMES.leaderElectionRateAndTimeMs}_count`)).to.equal(2);
    expect(valueOf(fams, METRIC_NAMES.uncleanLeaderElections)).to.equal(1);
    expect(valueOf(fams, METRIC_NAMES.zooKeeperSessionState, { state: 'CONNECTED' })).to.equal(1);
    expect(valueOf(fams, METRIC_NAMES.zooKeeperSessionState, { state: 'DISCONNECTED' })).to.equal(0);
    zk.sessionExpired(1n);
    fams = await scrape(m);
    expect(valueOf(fams, METRIC_NAMES.zooKeeperExpires)).to.equal(1);
    expect(valueOf(fams, METRIC_NAMES.zooKeeperSessionState, { state: 'EXPIRED' })).to.equal(1);
    expect(valueOf(fams, METRIC_NAMES.zooKeeperSessionState, { state: 'CONNECTED' })).to.equal(0);
    zk.newSession(2n);
    fams = await scrape(m);
    expect(valueOf(fams, METRIC_NAMES.zooKeeperSyncConnects)).to.equal(2);
    expect(valueOf(fams, METRIC_NAMES.zooKeeperSessionState, { state: 'CONNECTED' })).to.equal(1);
  });

  it('gauges are read from the providers at scrape time and follow the state', async () => {
    let underReplicated = 0;
    const logs = new Map([
      ['orders-0', { topic: 'orders', partition: 0, sizeBytes: 2048, logStartOffset: 5n, logEndOffset: 120n, numSegments: 2 }],
      ['orders-1', { topic: 'orders', partition: 1, sizeBytes: 10, logStartOffset: 0n, logEndOffset: 1n }],
    ]);
    const providers: MetricProviders = {
      replicaManager: () => ({ underReplicatedPartitions: underReplicated, leaderCount: 4, partitionCount: 6, underMinIsrPartitionCount: 1 }),
      controller: async () => ({ activeControllerCount: 1, offlinePartitionsCount: 2, globalTopicCount: 3, globalPartitionCount: 9, preferredReplicaImbalanceCount: 1 }),
      controllerEpoch: () => 12,
      purgatory: () => ({ produce: 3, fetch: 17 }),
      groups: () => ({
        byState: { Stable: 2, Empty: 1 },
        lag: [{ group: 'g1', topic: 'orders', partition: 0, committedOffset: 100n, lag: 20n }],
      }),
      logs: () => logs.values(),
    };
    const m = new BrokerMetrics({ providers });
    let fams = await scrape(m);
    expect(valueOf(fams, METRIC_NAMES.underReplicatedPartitions)).to.equal(0);
    expect(valueOf(fams, METRIC_NAMES.leaderCount)).to.equal(4);
    expect(valueOf(fams, METRIC_NAMES.partitionCount)).to.equal(6);
    expect(valueOf(fams, METRIC_NAMES.underMinIsrPartitionCount)).to.equal(1);
    expect(valueOf(fams, METRIC_NAMES.activeControllerCount)).to.equal(1);
    expect(valueOf(fams, METRIC_NAMES.offlinePartitionsCount)).to.equal(2);
    expect(valueOf(fams, METRIC_NAMES.globalPartitionCount)).to.equal(9);
    expect(valueOf(fams, METRIC_NAMES.controllerEpoch)).to.equal(12);
    expect(valueOf(fams, METRIC_NAMES.purgatorySize, { delayedOperation: 'Produce' })).to.equal(3);
    expect(valueOf(fams, METRIC_NAMES.purgatorySize, { delayedOperation: 'Fetch' })).to.equal(17);
    expect(valueOf(fams, METRIC_NAMES.numGroups)).to.equal(3);
    expect(valueOf(fams, METRIC_NAMES.numGroupsStable)).to.equal(2);
    expect(valueOf(fams, METRIC_NAMES.numGroupsDead)).to.equal(0);
    expect(valueOf(fams, METRIC_NAMES.consumerGroupLag, { consumergroup: 'g1', topic: 'orders', partition: '0' })).to.equal(20);
    expect(valueOf(fams, METRIC_NAMES.consumerGroupCurrentOffset, { consumergroup: 'g1' })).to.equal(100);
    expect(valueOf(fams, METRIC_NAMES.logSize, { topic: 'orders', partition: '0' })).to.equal(2048);
    expect(valueOf(fams, METRIC_NAMES.logEndOffset, { topic: 'orders', partition: '0' })).to.equal(120);
    expect(valueOf(fams, METRIC_NAMES.logStartOffset, { topic: 'orders', partition: '0' })).to.equal(5);
    expect(valueOf(fams, METRIC_NAMES.logNumSegments, { topic: 'orders', partition: '0' })).to.equal(2);
    expect(valueOf(fams, METRIC_NAMES.logNumSegments, { topic: 'orders', partition: '1' })).to.equal(undefined);

    // A follower stops: the leader's ISR shrinks and the gauge rises; a partition moves away.
    underReplicated = 1;
    logs.delete('orders-1');
    fams = await scrape(m);
    expect(valueOf(fams, METRIC_NAMES.underReplicatedPartitions)).to.equal(1);
    expect(valueOf(fams, METRIC_NAMES.logSize, { topic: 'orders', partition: '1' })).to.equal(undefined);
    expect(valueOf(fams, METRIC_NAMES.logSize, { topic: 'orders', partition: '0' })).to.equal(2048);
  });

  it('a throwing provider costs only its own gauges, and is counted', async () => {
    const m = new BrokerMetrics({
      providers: {
        replicaManager: () => ({ underReplicatedPartitions: 2, leaderCount: 1, partitionCount: 1 }),
        logs: () => {
          throw new Error('log manager closed');
        },
      },
    });
    m.setProviders({ purgatory: async () => Promise.reject(new Error('nope')) });
    await scrape(m);
    // Gauges are collected concurrently: a failure is certain to be counted by the next scrape.
    const fams = await scrape(m);
    expect(valueOf(fams, METRIC_NAMES.underReplicatedPartitions)).to.equal(2);
    expect(family(fams, METRIC_NAMES.logSize).samples).to.deep.equal([]);
    expect(valueOf(fams, 'samsa_metrics_provider_errors_total', { provider: 'logs' })).to.be.at.least(1);
    expect(valueOf(fams, 'samsa_metrics_provider_errors_total', { provider: 'purgatory' })).to.be.at.least(1);
  });

  it('two brokers in one process keep separate registries', async () => {
    const a = new BrokerMetrics({ defaultLabels: { broker: '1' } });
    const b = new BrokerMetrics({ defaultLabels: { broker: '2' } });
    a.onIsrShrink();
    expect(valueOf(await scrape(a), METRIC_NAMES.isrShrinks, { broker: '1' })).to.equal(1);
    expect(valueOf(await scrape(b), METRIC_NAMES.isrShrinks, { broker: '2' })).to.equal(0);
  });

  it('label values with quotes, backslashes and newlines are escaped correctly', async () => {
    const m = new BrokerMetrics({ providers: { groups: () => ({ byState: {}, lag: [{ group: 'we"ird\\grp\nx', topic: 't', partition: 0, committedOffset: 1n, lag: 2n }] }) } });
    const fams = await scrape(m);
    expect(valueOf(fams, METRIC_NAMES.consumerGroupLag, { consumergroup: 'we"ird\\grp\nx' })).to.equal(2);
  });

  it('process metrics are opt-in and namespaced', async () => {
    const m = new BrokerMetrics({ processMetrics: true });
    const fams = await scrape(m);
    expect([...fams.keys()].some((n) => n.startsWith('samsa_process_'))).to.equal(true);
    expect([...(await scrape(new BrokerMetrics())).keys()].some((n) => n.startsWith('samsa_process_'))).to.equal(false);
  });

  it('GET /metrics on the admin app serves a parsable scrape with the Kafka names', async () => {
    const m = new BrokerMetrics({ providers: { controller: () => ({ activeControllerCount: 1, offlinePartitionsCount: 0 }) } });
    m.onProduce({ topic: 'orders', bytes: 42, messages: 1 });
    const app = buildAdminApp({
      brokerId: 1,
      cluster: () => ({ clusterId: null, controllerId: 1, controllerEpoch: 1, brokers: [] }),
      readiness: () => ({ ready: true }),
      topics: { listTopics: async () => [], describeTopic: async () => null },
      topicAdmin: {} as never,
      metrics: m,
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).to.equal(200);
      expect(res.headers['content-type']).to.equal(m.contentType);
      const fams = parsePrometheusText(res.body);
      expect(valueOf(fams, METRIC_NAMES.activeControllerCount)).to.equal(1);
      expect(valueOf(fams, METRIC_NAMES.bytesIn, { topic: 'orders' })).to.equal(42);
    } finally {
      await app.close();
    }
  });
});

describe('metrics > the test exposition parser', () => {
  const bad: Array<[string, string]> = [
    ['a sample without TYPE', 'x 1\n'],
    ['a bad metric name', '# TYPE 1x gauge\n1x 1\n'],
    ['an unquoted label value', '# TYPE x gauge\nx{a=b} 1\n'],
    ['a bad escape', '# TYPE x gauge\nx{a="\\t"} 1\n'],
    ['a bad value', '# TYPE x gauge\nx one\n'],
    ['a duplicate series', '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n'],
    ['a missing final newline', '# TYPE x gauge\nx 1'],
    ['non-cumulative buckets', '# TYPE h histogram\nh_bucket{le="1"} 5\nh_bucket{le="+Inf"} 3\nh_count 3\nh_sum 1\n'],
    ['a count that is not the +Inf bucket', '# TYPE h histogram\nh_bucket{le="+Inf"} 3\nh_count 4\nh_sum 1\n'],
  ];
  for (const [what, text] of bad) {
    it(`refuses ${what}`, () => {
      expect(() => parsePrometheusText(text)).to.throw();
    });
  }

  it('reads a well-formed histogram and escaped labels', () => {
    const fams = parsePrometheusText('# HELP h a \\\\ help\n# TYPE h histogram\nh_bucket{le="1",a="q\\"x"} 1\nh_bucket{le="+Inf",a="q\\"x"} 2\nh_count{a="q\\"x"} 2\nh_sum{a="q\\"x"} 1.5e0\n');
    expect(fams.get('h')!.help).to.equal('a \\ help');
    expect(valueOf(fams, 'h_sum', { a: 'q"x' })).to.equal(1.5);
  });
});
