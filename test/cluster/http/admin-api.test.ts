/**
 * Every route of the HTTP admin API against a real cluster of 3 broker processes, each asserted
 * on the answer an operator relies on; the last test fails if /openapi.json lists a route no
 * test here called. Consumer groups are spread over all three coordinators and every broker
 * answers for all of them. The reassignment is cancelled while really in progress: its added
 * replica sits on a broker frozen with SIGSTOP (fault), and the invariant is that the partition
 * goes back to its original replicas, keeps its data and the added replica is deleted.
 */
import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { partitionFor } from '../../../broker/group/index.js';
import { Consumer, Producer, stringSerde } from '../../../client/index.js';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { freePorts } from '../../helpers/ports.js';
import { parsePrometheusText, valueOf } from '../../helpers/prometheus-text.js';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';

interface Answer<T = any> {
  status: number;
  body: T;
  text: string;
}

const OFFSETS_PARTITIONS = 6;

describe('http admin API: every route against 3 broker processes', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let adminPorts: number[];
  const called = new Set<string>();

  before(async () => {
    adminPorts = await freePorts(3);
    cluster = await startCluster({
      size: 3,
      properties: {
        'offsets.topic.num.partitions': OFFSETS_PARTITIONS,
        'offsets.topic.replication.factor': 3,
        'group.initial.rebalance.delay.ms': 0,
        'transaction.state.log.num.partitions': 3,
        'transaction.state.log.replication.factor': 3,
        'transaction.state.log.min.isr': 2,
        'auto.leader.rebalance.enable': false,
        // Room for the SIGSTOP of the reassignment test without a session expiry.
        'zookeeper.session.timeout.ms': 15_000,
      },
      brokerProperties: (id) => ({ 'admin.http.listener': `127.0.0.1:${adminPorts[id - 1]}` }),
    });
  });

  after(async () => {
    for (const b of cluster?.brokers ?? []) if (b.isAlive()) b.signal('SIGCONT');
    await cluster?.stop();
  });

  /** `route` is the OpenAPI template (`/topics/:name`); `params` fill it. */
  async function call<T = any>(broker: number, method: string, route: string, params: Record<string, string | number> = {}, body?: unknown): Promise<Answer<T>> {
    called.add(`${method} ${route}`);
    const path = route.replace(/:([A-Za-z]+)/g, (_, k: string) => encodeURIComponent(String(params[k])));
    const res = await fetch(`http://127.0.0.1:${adminPorts[broker - 1]}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed as T, text };
  }

  const controllerId = async (): Promise<number> => (await call(1, 'GET', '/cluster')).body.controllerId as number;

  async function produce(topic: string, records: Array<{ partition: number; value: string }>): Promise<void> {
    const producer = new Producer<string, string>({ brokers: [cluster.bootstrap], acks: -1, keySerializer: stringSerde.serialize, valueSerializer: stringSerde.serialize });
    try {
      await Promise.all(records.map((r) => producer.send({ topic, partition: r.partition, value: r.value })));
    } finally {
      await producer.close();
    }
  }

  it('GET /health, /ready, /cluster, /brokers, /brokers/:id answer for the whole cluster on every broker', async () => {
    for (const id of [1, 2, 3]) {
      const health = await call(id, 'GET', '/health');
      expect(health.status).to.equal(200);
      expect(health.body).to.include({ status: 'ok', brokerId: id });
      await waitFor(async () => (await call(id, 'GET', '/ready')).status === 200, `broker ${id} ready`);
      expect((await call(id, 'GET', '/ready')).body).to.deep.equal({ ready: true, brokerId: id, offlineLogDirs: [] });
    }
    const c = await call(2, 'GET', '/cluster');
    expect(c.status).to.equal(200);
    expect(c.body.brokers.map((b: { id: number }) => b.id).sort()).to.deep.equal([1, 2, 3]);
    expect(c.body.controllerId).to.be.oneOf([1, 2, 3]);
    expect(c.body.controllerEpoch).to.be.greaterThan(0);
    expect(c.body.clusterId).to.be.a('string').with.length.greaterThan(0);

    const brokers = await call(3, 'GET', '/brokers');
    expect(brokers.body.brokers).to.have.length(3);
    const two = await call(1, 'GET', '/brokers/:id', { id: 2 });
    expect(two.status).to.equal(200);
    expect(two.body.id).to.equal(2);
    expect(two.body.endpoints.map((e: { port: number }) => e.port)).to.include(cluster.broker(2).port);
    const none = await call(1, 'GET', '/brokers/:id', { id: 99 });
    expect(none.status).to.equal(404);
    expect(none.body.error.code).to.equal('BROKER_NOT_AVAILABLE');
  });

  it('topics: create, list, describe with log figures, alter config, add partitions, delete', async () => {
    const topic = randomName('http-topic');
    const created = await call(1, 'POST', '/topics', {}, { name: topic, partitions: 2, replicationFactor: 3, configs: { 'retention.ms': 3_600_000 } });
    expect(created.status, created.text).to.equal(201);
    const dup = await call(2, 'POST', '/topics', {}, { name: topic, partitions: 1 });
    expect(dup.status).to.equal(409);
    expect(dup.body.error.code).to.equal('TOPIC_ALREADY_EXISTS');
    await waitFor(async () => ((await call(3, 'GET', '/topics')).body.topics as Array<{ name: string }>).some((t) => t.name === topic), 'the topic listed on broker 3');

    await waitFor(async () => {
      const d = await call(1, 'GET', '/topics/:name', { name: topic });
      return d.status === 200 && d.body.partitions.every((p: { leader: number; isr: number[] }) => p.leader > 0 && p.isr.length === 3);
    }, 'both partitions led with a full ISR');
    await produce(topic, [{ partition: 0, value: 'a' }, { partition: 0, value: 'b' }, { partition: 0, value: 'c' }]);
    const d = await call(1, 'GET', '/topics/:name', { name: topic });
    expect(d.body.configs).to.deep.equal({ 'retention.ms': '3600000' });
    const p0 = d.body.partitions.find((p: { partition: number }) => p.partition === 0);
    expect(p0.replicas).to.have.members([1, 2, 3]);
    // Every broker hosts a replica (RF 3), so broker 1 reports its log figures for partition 0.
    await waitFor(async () => {
      const again = await call(1, 'GET', '/topics/:name', { name: topic });
      return again.body.partitions.find((p: { partition: number }) => p.partition === 0).log?.highWatermark === 3;
    }, 'broker 1 to see high watermark 3 on partition 0');

    const patched = await call(2, 'PATCH', '/topics/:name/config', { name: topic }, { configs: { 'retention.ms': null, 'cleanup.policy': 'compact' } });
    expect(patched.status, patched.text).to.equal(200);
    await waitFor(async () => (await call(3, 'GET', '/topics/:name', { name: topic })).body.configs?.['cleanup.policy'] === 'compact', 'the new config visible');
    expect((await call(3, 'GET', '/topics/:name', { name: topic })).body.configs).to.not.have.property('retention.ms');

    const grown = await call(1, 'POST', '/topics/:name/partitions', { name: topic }, { totalCount: 3 });
    expect(grown.status, grown.text).to.equal(200);
    await waitFor(async () => (await call(2, 'GET', '/topics/:name', { name: topic })).body.partitions?.length === 3, '3 partitions visible');
    // The topic id (KIP-516): the same on every broker, and kept when partitions are added.
    const ids = await Promise.all([1, 2, 3].map(async (id) => (await call(id, 'GET', '/topics/:name', { name: topic })).body.topicId));
    expect(ids[0]).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(ids).to.deep.equal([d.body.topicId, d.body.topicId, d.body.topicId]);

    const metricsOf = async (): Promise<string> => (await Promise.all([1, 2, 3].map(async (id) => (await call(id, 'GET', '/metrics')).text))).join('\n');
    expect(await metricsOf()).to.match(new RegExp(`^kafka_server_brokertopicmetrics_messagesin_total\\{topic="${topic}"\\} 3$`, 'm'));

    const deleted = await call(3, 'DELETE', '/topics/:name', { name: topic });
    expect(deleted.status).to.equal(202);
    await waitFor(async () => (await call(1, 'GET', '/topics/:name', { name: topic })).status === 404, 'the topic gone');
    expect((await call(1, 'GET', '/topics/:name', { name: topic })).body.error.code).to.equal('UNKNOWN_TOPIC_OR_PARTITION');
    await waitFor(async () => !(await metricsOf()).includes(`topic="${topic}"`), 'the deleted topic gone from every broker\'s /metrics');
  });

  it('POST /elections/preferred: the controller answers per partition; another broker redirects with 503 NOT_CONTROLLER', async () => {
    const topic = randomName('http-elect');
    expect((await call(1, 'POST', '/topics', {}, { name: topic, partitions: 1, replicationFactor: 3 })).status).to.equal(201);
    await waitFor(async () => (await call(1, 'GET', '/topics/:name', { name: topic })).body.partitions?.[0]?.leader > 0, 'a leader');
    const ctl = await controllerId();
    const answer = await call(ctl, 'POST', '/elections/preferred', {}, { partitions: [{ topic, partition: 0 }] });
    expect(answer.status, answer.text).to.equal(200);
    // Just created: its preferred replica already leads.
    expect(answer.body.partitions).to.deep.equal([{ topic, partition: 0, error: 'ELECTION_NOT_NEEDED' }]);
    const other = [1, 2, 3].find((id) => id !== ctl)!;
    const redirected = await call(other, 'POST', '/elections/preferred', {}, {});
    expect(redirected.status).to.equal(503);
    expect(redirected.body.error).to.deep.include({ code: 'NOT_CONTROLLER', details: { controllerId: ctl } });
  });

  it('groups: every broker lists and describes groups of all three coordinators, with lag; resets and deletes on the right coordinator', async () => {
    const topic = randomName('http-groups');
    expect((await call(1, 'POST', '/topics', {}, { name: topic, partitions: 3, replicationFactor: 3 })).status).to.equal(201);
    await produce(topic, Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: `v${i}` })));

    // A consumer group with a live member; its first FindCoordinator creates __consumer_offsets.
    const live = randomName('live');
    const consumer = new Consumer<string, string>({
      brokers: [cluster.bootstrap],
      groupId: live,
      autoOffsetReset: 'earliest',
      keyDeserializer: stringSerde.deserialize,
      valueDeserializer: stringSerde.deserialize,
    });
    try {
      consumer.subscribe([topic]);
      let seen = 0;
      await waitFor(async () => {
        seen += (await consumer.poll({ timeoutMs: 500 })).length;
        return seen >= 30;
      }, 'the live member to read all 30 records', { timeoutMs: 60_000 });
      await consumer.commitSync();

      // Coordinators: leaders of the group's __consumer_offsets partition.
      const offsetsTopic = await waitFor(async () => {
        const t = await call(1, 'GET', '/topics/:name', { name: '__consumer_offsets' });
        return t.status === 200 && t.body.partitions.length === OFFSETS_PARTITIONS && t.body.partitions.every((p: { leader: number }) => p.leader > 0) ? t.body : undefined;
      }, '__consumer_offsets led everywhere');
      const coordinatorOf = (g: string): number => offsetsTopic.partitions.find((p: { partition: number }) => p.partition === partitionFor(g, OFFSETS_PARTITIONS)).leader;
      const idle: string[] = [];
      for (let i = 0; new Set(idle.map(coordinatorOf)).size < 3 && i < 200; i++) {
        const g = `idle-${i}-${randomName('g')}`;
        if (!idle.some((x) => coordinatorOf(x) === coordinatorOf(g))) idle.push(g);
      }
      expect(new Set(idle.map(coordinatorOf)).size, 'idle groups on three coordinators').to.equal(3);

      // Reset offsets of groups without members, each asked on a broker that is not its coordinator.
      for (const g of idle) {
        const via = [1, 2, 3].find((id) => id !== coordinatorOf(g))!;
        const dry = await call(via, 'POST', '/groups/:id/offsets', { id: g }, { topic, to: 'earliest', dryRun: true });
        expect(dry.status, dry.text).to.equal(200);
        expect(dry.body.partitions).to.deep.equal([0, 1, 2].map((partition) => ({ topic, partition, newOffset: 0 })));
        expect((await call(via, 'GET', '/groups/:id', { id: g })).status, 'a dry run commits nothing').to.equal(404);
        const done = await call(via, 'POST', '/groups/:id/offsets', { id: g }, { topic, to: 'offset', value: 4 });
        expect(done.status, done.text).to.equal(200);
        expect(done.body.partitions.map((p: { newOffset: number }) => p.newOffset)).to.deep.equal([4, 4, 4]);
      }
      const shifted = await call(2, 'POST', '/groups/:id/offsets', { id: idle[0]! }, { topic, partitions: [1], to: 'shift', value: -3 });
      expect(shifted.body.partitions).to.deep.equal([{ topic, partition: 1, previousOffset: 4, newOffset: 1 }]);
      const clamped = await call(3, 'POST', '/groups/:id/offsets', { id: idle[1]! }, { topic, partitions: [2], to: 'offset', value: 1000 });
      expect(clamped.body.partitions[0].newOffset, 'clamped to the high watermark').to.equal(10);
      const atTime = await call(1, 'POST', '/groups/:id/offsets', { id: idle[2]! }, { topic, partitions: [0], to: 'timestamp', value: Date.now() + 3_600_000 });
      expect(atTime.body.partitions[0].newOffset, 'no record after that time: the end').to.equal(10);

      for (const id of [1, 2, 3]) {
        const listed = await call(id, 'GET', '/groups');
        expect(listed.status).to.equal(200);
        const ids = (listed.body.groups as Array<{ groupId: string }>).map((g) => g.groupId);
        expect(ids, `broker ${id} lists every coordinator's groups`).to.include.members([live, ...idle]);
      }

      for (const id of [1, 2, 3]) {
        const d = await call(id, 'GET', '/groups/:id', { id: live });
        expect(d.status, d.text).to.equal(200);
        expect(d.body).to.include({ groupId: live, state: 'Stable', protocolType: 'consumer', totalLag: 0 });
        expect(d.body.members).to.have.length(1);
        expect(d.body.members[0].assignment).to.deep.equal([{ topic, partitions: [0, 1, 2] }]);
        expect(d.body.offsets.map((o: { committedOffset: number; lag: number }) => [o.committedOffset, o.lag])).to.deep.equal([[10, 0], [10, 0], [10, 0]]);
      }
      const idleView = await call(coordinatorOf(idle[0]!), 'GET', '/groups/:id', { id: idle[0]! });
      expect(idleView.body).to.include({ state: 'Empty', totalLag: 6 + 9 + 6 });
      expect(idleView.body.members).to.deep.equal([]);

      // kafka_exporter's lag gauge on the coordinator of the group, and only there.
      const lagLine = new RegExp(`^kafka_consumergroup_lag\\{consumergroup="${idle[0]}",topic="${topic}",partition="1"\\} 9$`, 'm');
      const coordinatorMetrics = await call(coordinatorOf(idle[0]!), 'GET', '/metrics');
      expect(coordinatorMetrics.status).to.equal(200);
      expect(coordinatorMetrics.text).to.match(lagLine);
      const elsewhere = [1, 2, 3].find((id) => id !== coordinatorOf(idle[0]!))!;
      expect((await call(elsewhere, 'GET', '/metrics')).text).to.not.match(lagLine);

      // Kafka's rules for groups with members.
      const busyReset = await call(1, 'POST', '/groups/:id/offsets', { id: live }, { topic, to: 'earliest' });
      expect(busyReset.status).to.equal(409);
      expect(busyReset.body.error.code).to.equal('NON_EMPTY_GROUP');
      const busyDelete = await call(2, 'DELETE', '/groups/:id', { id: live });
      expect(busyDelete.status).to.equal(409);
      expect(busyDelete.body.error.code).to.equal('NON_EMPTY_GROUP');
    } finally {
      await consumer.close();
    }

    const gone = await call(3, 'DELETE', '/groups/:id', { id: live });
    expect(gone.status, gone.text).to.equal(200);
    expect(gone.body).to.deep.equal({ groupId: live, deleted: true });
    expect((await call(1, 'GET', '/groups/:id', { id: live })).status).to.equal(404);
    const again = await call(2, 'DELETE', '/groups/:id', { id: live });
    expect(again.status).to.equal(404);
    expect(again.body.error.code).to.equal('GROUP_ID_NOT_FOUND');
  });

  it('reassignments: a reassignment stuck on a frozen broker is listed, then cancelled back to the original replicas', async () => {
    const ctl = await controllerId();
    // The frozen broker is never the controller; the two others hold the original replicas.
    const target = [3, 2, 1].find((id) => id !== ctl)!;
    const [a, b] = [1, 2, 3].filter((id) => id !== target) as [number, number];
    const bystander = a === ctl ? b : a;
    const topic = randomName('http-move');
    expect((await call(1, 'POST', '/topics', {}, { name: topic, assignment: { 0: [a, b] } })).status).to.equal(201);
    await waitFor(async () => (await call(a, 'GET', '/topics/:name', { name: topic })).body.partitions?.[0]?.isr?.length === 2, 'the partition in sync on its two replicas');
    await produce(topic, [{ partition: 0, value: 'before-1' }, { partition: 0, value: 'before-2' }]);

    const frozen = cluster.broker(target);
    frozen.signal('SIGSTOP');
    try {
      const started = await call(ctl, 'POST', '/reassignments', {}, { partitions: [{ topic, partition: 0, replicas: [a, b, target] }] });
      expect(started.status, started.text).to.equal(202);
      expect(started.body.partitions).to.deep.equal([{ topic, partition: 0, error: null }]);
      const ongoing = await call(ctl, 'GET', '/reassignments');
      expect(ongoing.body.reassignments).to.deep.equal([{ topic, partition: 0, replicas: [a, b, target], addingReplicas: [target], removingReplicas: [] }]);
      const notController = await call(bystander, 'GET', '/reassignments');
      expect(notController.status).to.equal(503);
      expect(notController.body.error.details).to.deep.equal({ controllerId: ctl });

      const cancelled = await call(ctl, 'POST', '/reassignments', {}, { partitions: [{ topic, partition: 0, replicas: null }] });
      expect(cancelled.status, cancelled.text).to.equal(202);
      expect(cancelled.body.partitions).to.deep.equal([{ topic, partition: 0, error: null }]);
      expect((await call(ctl, 'GET', '/reassignments')).body.reassignments).to.deep.equal([]);
      const twice = await call(ctl, 'POST', '/reassignments', {}, { partitions: [{ topic, partition: 0, replicas: null }] });
      expect(twice.body.partitions).to.deep.equal([{ topic, partition: 0, error: 'NO_REASSIGNMENT_IN_PROGRESS' }]);
      const after = await waitFor(async () => {
        const p = (await call(a, 'GET', '/topics/:name', { name: topic })).body.partitions?.[0];
        return p?.replicas?.length === 2 ? p : undefined;
      }, 'the original replicas back in the metadata');
      expect(after.replicas).to.deep.equal([a, b]);
      expect(after.isr).to.have.members([a, b]);
    } finally {
      frozen.signal('SIGCONT');
    }
    // The added replica is stopped and deleted once its broker runs again; the data is intact.
    await produce(topic, [{ partition: 0, value: 'after' }]);
    await waitFor(async () => (await call(a, 'GET', '/topics/:name', { name: topic })).body.partitions?.[0]?.log?.highWatermark === 3, 'all 3 records committed on the original replicas');
    await waitFor(() => !existsSync(join(frozen.logDir, `${topic}-0`)), `no ${topic}-0 left on broker ${target}`, { timeoutMs: 30_000 });
  });

  it('dashboard routes: cluster stats from every broker, leaders\' log figures, effective configs, a test record produced and browsed, a topic\'s preferred election from any broker', async () => {
    const topic = randomName('http-dash');
    expect((await call(1, 'POST', '/topics', {}, { name: topic, partitions: 2, replicationFactor: 3, configs: { 'retention.ms': 600_000 } })).status).to.equal(201);
    await waitFor(async () => (await call(2, 'GET', '/topics/:name', { name: topic })).body.partitions?.every((p: { isr: number[] }) => p.isr.length === 3), 'a full ISR on both partitions');

    // Producers' records count in the leaders' samples (the dashboard's test records do not: they are not Produce requests).
    await produce(topic, [{ partition: 0, value: 'a' }, { partition: 0, value: 'b' }, { partition: 0, value: 'c' }]);

    // Any broker produces on the leader and reads it back; bytes come back base64.
    const produced = await call(3, 'POST', '/topics/:name/messages', { name: topic }, { partition: 1, key: 'k-1', value: '{"n":1}', headers: [{ key: 'h', value: 'v' }] });
    expect(produced.status, produced.text).to.equal(201);
    expect(produced.body).to.deep.equal({ topic, partition: 1, offset: 0 });
    await call(1, 'POST', '/topics/:name/messages', { name: topic }, { partition: 1, value: null });
    const b64 = (text: string): string => Buffer.from(text).toString('base64');
    const page = await call(2, 'GET', '/topics/:name/partitions/:partition/messages', { name: topic, partition: 1 });
    expect(page.status, page.text).to.equal(200);
    expect(page.body).to.include({ topic, partition: 1, from: 0, logStartOffset: 0, highWatermark: 2 });
    expect(page.body.messages.map((m: { offset: number; key: string | null; value: string | null; headers: unknown }) => [m.offset, m.key, m.value, m.headers])).to.deep.equal([
      [0, b64('k-1'), b64('{"n":1}'), [{ key: 'h', value: b64('v') }]],
      [1, null, null, []],
    ]);
    const fromOne = await call(1, 'GET', '/topics/:name/partitions/:partition/messages?offset=1&limit=5', { name: topic, partition: 1 });
    expect(fromOne.body.messages.map((m: { offset: number }) => m.offset)).to.deep.equal([1]);
    const later = await call(1, 'GET', '/topics/:name/partitions/:partition/messages?timestamp=' + String(Date.now() + 3_600_000), { name: topic, partition: 1 });
    expect(later.body.messages, 'no record after that time').to.deep.equal([]);
    const both = await call(1, 'GET', '/topics/:name/partitions/:partition/messages?offset=0&timestamp=0', { name: topic, partition: 1 });
    expect([both.status, both.body.error.code]).to.deep.equal([400, 'INVALID_REQUEST']);
    const noPartition = await call(1, 'POST', '/topics/:name/messages', { name: topic }, { partition: 7, value: 'x' });
    expect([noPartition.status, noPartition.body.error.code]).to.deep.equal([404, 'UNKNOWN_TOPIC_OR_PARTITION']);

    const figures = await call(3, 'GET', '/topics/:name/offsets', { name: topic });
    expect(figures.status, figures.text).to.equal(200);
    expect(figures.body.partitions.map((f: { partition: number; highWatermark: number; logEndOffset: number }) => [f.partition, f.highWatermark, f.logEndOffset])).to.deep.equal([[0, 3, 3], [1, 2, 2]]);
    expect(figures.body.partitions[1].sizeBytes).to.be.greaterThan(0);

    const configs = await call(2, 'GET', '/topics/:name/configs', { name: topic });
    expect(configs.status).to.equal(200);
    const entry = (n: string): unknown => configs.body.configs.find((c: { name: string }) => c.name === n);
    expect(entry('retention.ms')).to.deep.equal({ name: 'retention.ms', value: '600000', source: 'topic' });
    expect(entry('cleanup.policy')).to.deep.include({ value: 'delete' });

    // Stats answer for the whole cluster on every broker.
    for (const id of [1, 2, 3]) {
      const stats = await call(id, 'GET', '/cluster/stats');
      expect(stats.status, stats.text).to.equal(200);
      expect(stats.body.controllerId).to.equal(await controllerId());
      expect(stats.body.brokers.map((b: { id: number; reachable: boolean }) => [b.id, b.reachable])).to.deep.equal([[1, true], [2, true], [3, true]]);
      expect(stats.body.offlinePartitions).to.equal(0);
      const counted = stats.body.brokers.map((b: { sample: { metrics: { topics: Record<string, { messagesIn: number; bytesIn: number }> } } }) => b.sample.metrics.topics[topic] ?? { messagesIn: 0, bytesIn: 0 });
      expect(counted.reduce((n: number, c: { messagesIn: number }) => n + c.messagesIn, 0), 'the producer\'s records in the leader\'s sample').to.equal(3);
      expect(counted.reduce((n: number, c: { bytesIn: number }) => n + c.bytesIn, 0)).to.be.greaterThan(0);
    }

    const ctl = await controllerId();
    const elsewhere = [1, 2, 3].find((id) => id !== ctl)!;
    const elected = await call(elsewhere, 'POST', '/topics/:name/elections/preferred', { name: topic });
    expect(elected.status, elected.text).to.equal(200);
    expect(elected.body.partitions.map((p: { partition: number; error: string | null }) => [p.partition, p.error])).to.deep.equal([[0, 'ELECTION_NOT_NEEDED'], [1, 'ELECTION_NOT_NEEDED']]);
    for (const route of ['/topics/:name/offsets', '/topics/:name/configs']) {
      const unknown = await call(1, 'GET', route, { name: 'no-such-topic' });
      expect([unknown.status, unknown.body.error.code], route).to.deep.equal([404, 'UNKNOWN_TOPIC_OR_PARTITION']);
    }
  });

  it('transactions: the coordinator of an open KafkaJS transaction shows it (state, producer id/epoch, partitions, timeout, last update) and counts it in /metrics; after commit it is CompleteCommit; other brokers answer 404', async () => {
    const topic = randomName('http-txn');
    expect((await call(1, 'POST', '/topics', {}, { name: topic, partitions: 2, replicationFactor: 3 })).status).to.equal(201);
    const id = randomName('http-tx');
    const kafka = new Kafka({ clientId: 'samsa-http-txn', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
    const producer = kafka.producer({ transactionalId: id, maxInFlightRequests: 1, idempotent: true, transactionTimeout: 45_000, allowAutoTopicCreation: false });
    await producer.connect();
    const before = Date.now();
    try {
      const txn = await producer.transaction();
      await txn.send({ topic, acks: -1, messages: [{ partition: 0, value: 'a' }, { partition: 1, value: 'b' }] });
      const answers = await Promise.all([1, 2, 3].map((b) => call(b, 'GET', '/transactions/:id', { id })));
      const holders = [1, 2, 3].filter((_, i) => answers[i]!.status === 200);
      expect(holders, 'exactly one coordinator holds the id').to.have.length(1);
      const coordinator = holders[0]!;
      for (const [i, a] of answers.entries()) {
        if (i + 1 !== coordinator) expect([a.status, a.body.error.code], `broker ${i + 1}`).to.deep.equal([404, 'TRANSACTIONAL_ID_NOT_FOUND']);
      }
      const open = answers[coordinator - 1]!.body;
      expect(open).to.include({ transactionalId: id, state: 'Ongoing', timeoutMs: 45_000 });
      expect(open.producerId).to.be.at.least(0);
      expect(open.producerEpoch).to.be.at.least(0);
      expect(open.partitions).to.deep.equal([{ topic, partition: 0 }, { topic, partition: 1 }]);
      expect(open.startTimeMs).to.be.within(before, Date.now());
      expect(open.lastUpdateTimeMs).to.be.within(open.startTimeMs, Date.now());
      const listed = await call(coordinator, 'GET', '/transactions');
      expect(listed.body.brokerId).to.equal(coordinator);
      expect(listed.body.transactions.find((t: { transactionalId: string }) => t.transactionalId === id)).to.deep.equal(open);
      const fams = parsePrometheusText((await call(coordinator, 'GET', '/metrics')).text);
      expect(valueOf(fams, 'samsa_coordinator_transaction_transactionalids', { state: 'Ongoing' })).to.be.at.least(1);
      expect(valueOf(fams, 'samsa_coordinator_transaction_pendingmarkers')).to.be.a('number');
      await txn.commit();
      await waitFor(async () => (await call(coordinator, 'GET', '/transactions/:id', { id })).body.state === 'CompleteCommit', 'CompleteCommit once every leader wrote its marker', { timeoutMs: 20_000, intervalMs: 100 });
      const done = (await call(coordinator, 'GET', '/transactions/:id', { id })).body;
      expect(done).to.include({ producerId: open.producerId, producerEpoch: open.producerEpoch });
      expect(done.partitions).to.deep.equal([]);
      const after = parsePrometheusText((await call(coordinator, 'GET', '/metrics')).text);
      expect(valueOf(after, 'samsa_coordinator_transaction_transactionalids', { state: 'CompleteCommit' })).to.be.at.least(1);
    } finally {
      await producer.disconnect();
    }
  });

  it('quotas: PUT /quotas on one broker is applied by every broker (GET /quotas), a bad key is a 400, removing the value lifts it everywhere', async () => {
    const entity = { clientId: 'http-quota-client' };
    const put = await call(1, 'PUT', '/quotas', {}, { entity, set: { producer_byte_rate: 1_048_576 } });
    expect(put.status, put.text).to.equal(200);
    const has = async (id: number): Promise<boolean> =>
      (await call<any>(id, 'GET', '/quotas')).body.quotas.some((q: any) => q.entity.clientId === entity.clientId && q.entity.user === undefined && q.values.producer_byte_rate === 1_048_576);
    await waitFor(async () => (await Promise.all([1, 2, 3].map(has))).every(Boolean), 'every broker enforcing the new quota', { timeoutMs: 10_000, intervalMs: 100 });
    const bad = await call(2, 'PUT', '/quotas', {}, { entity, set: { producer_bytes: 5 } });
    expect(bad.status, bad.text).to.equal(400);
    const removed = await call(3, 'PUT', '/quotas', {}, { entity, remove: ['producer_byte_rate'] });
    expect(removed.status, removed.text).to.equal(200);
    await waitFor(async () => (await Promise.all([1, 2, 3].map(has))).every((x) => !x), 'every broker without the quota', { timeoutMs: 10_000, intervalMs: 100 });
  });

  it('GET /openapi.json describes exactly the routes these tests called', async () => {
    const doc = await call(2, 'GET', '/openapi.json');
    expect(doc.status).to.equal(200);
    expect(doc.body.openapi).to.equal('3.1.0');
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`),
    );
    const metrics = await call(3, 'GET', '/metrics');
    expect(metrics.status).to.equal(200);
    expect(metrics.text).to.match(/^kafka_controller_kafkacontroller_activecontrollercount \d/m);
    expect(documented.filter((r) => !called.has(r)), 'routes in /openapi.json that no test called').to.deep.equal([]);
  });
});
