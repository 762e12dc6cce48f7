/**
 * Every metric the README lists moves on real broker processes when the test causes its event
 * (records produced and consumed, refused requests, a follower frozen past replica.lag.time.max.ms
 * and past its ZooKeeper session, a leader stopped so that an unclean election is the only way
 * back, group rebalances, DeleteRecords), and the README lists every metric a broker exports.
 * "Moves" means a scrape showed a series with a value other than the one a broker that saw no
 * event exports (a fresh BrokerMetrics).
 * Faults: SIGSTOP of a follower for longer than its session timeout; a clean stop of a leader.
 * Invariant: after the unclean election the partition is led again (by the out-of-sync replica).
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrokerMetrics } from '../../../broker/metrics/index.js';
import { Consumer, Producer, stringSerde } from '../../../client/index.js';
import { ApiKey, encodeRequest, ErrorCode } from '../../../protocol/index.js';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { parsePrometheusText } from '../../helpers/prometheus-text.js';
import { freePorts } from '../../helpers/ports.js';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';
import { REPO_ROOT } from '../../helpers/zookeeper.js';
import { batch, fetch as fetchRecords, produce as produceRaw } from '../../integration/broker/fixture.js';

type Samples = Map<string, number>;

/** Series (`name{k="v",…}` as exposed) → value, read with the strict exposition parser. */
function parse(text: string): Samples {
  const out: Samples = new Map();
  for (const family of parsePrometheusText(text).values()) {
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels).map(([k, v]) => `${k}="${v}"`).join(',');
      out.set(labels === '' ? sample.name : `${sample.name}{${labels}}`, sample.value);
    }
  }
  return out;
}

const familyOf = (series: string): string => series.replace(/\{.*$/, '').replace(/_(bucket|sum|count)$/, '');

/** The README's metrics table, and the metrics it says are exported but never move. */
function readmeMetrics(): { listed: string[]; still: string[]; elsewhere: Map<string, string> } {
  const text = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf('**7. Metrics**'), text.indexOf('**8. Measure:**'));
  const rows = section.split('\n').filter((l) => /^\| `(kafka|samsa)_/.test(l));
  const names = (row: string): string[] => [...row.split(' | ')[0]!.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]!);
  const listed = rows.flatMap(names);
  // A metric that needs a real disk or ZooKeeper fault is moved by the fault's own test, named in its row.
  const elsewhere = new Map<string, string>();
  for (const row of rows) {
    const file = /\(seen in `(test\/[^`]+)`\)/.exec(row)?.[1];
    if (file !== undefined) for (const m of names(row)) elsewhere.set(m, file);
  }
  const note = section.slice(section.indexOf('Also exported, but never moving today'));
  const still = [...note.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]!);
  return { listed, still, elsewhere };
}

describe('metrics: every README metric moves on real brokers', function () {
  this.timeout(240_000);
  let cluster: TestCluster;
  let adminPorts: number[];
  let baseline: Samples;
  const moved = new Set<string>();
  const exported = new Set<string>();

  before(async () => {
    baseline = parse(await new BrokerMetrics().metrics());
    adminPorts = await freePorts(3);
    cluster = await startCluster({
      size: 3,
      properties: {
        'zookeeper.session.timeout.ms': 4000,
        'replica.lag.time.max.ms': 1500,
        'group.initial.rebalance.delay.ms': 2500,
        'offsets.topic.num.partitions': 3,
        'offsets.topic.replication.factor': 1,
        'auto.leader.rebalance.enable': false,
        'controlled.shutdown.max.retries': 1,
      },
      brokerProperties: (id) => ({ 'admin.http.listener': `127.0.0.1:${adminPorts[id - 1]}` }),
    });
  });

  after(async () => {
    for (const b of cluster?.brokers ?? []) if (b.isAlive()) b.signal('SIGCONT');
    await cluster?.stop();
  });

  /** Scrapes every broker that answers; records which metrics differ from the no-event baseline. */
  async function scrape(): Promise<Map<number, Samples>> {
    const all = new Map<number, Samples>();
    await Promise.all(
      [1, 2, 3].map(async (id) => {
        try {
          const res = await fetch(`http://127.0.0.1:${adminPorts[id - 1]}/metrics`, { signal: AbortSignal.timeout(2_000) });
          const text = await res.text();
          for (const family of parsePrometheusText(text).keys()) exported.add(family);
          const samples = parse(text);
          all.set(id, samples);
          for (const [series, value] of samples) {
            if (series.includes('_bucket{') || series.includes('_sum')) continue;
            if (value !== (baseline.get(series) ?? 0)) moved.add(familyOf(series));
          }
        } catch {
          // frozen or stopped: nothing to read
        }
      }),
    );
    return all;
  }

  const http = async (id: number, path: string, init?: RequestInit): Promise<any> => (await fetch(`http://127.0.0.1:${adminPorts[id - 1]}${path}`, init)).json();
  const createTopic = async (name: string, assignment: Record<number, number[]>, configs: Record<string, string | number | boolean> = {}): Promise<void> => {
    const r = await http(1, '/topics', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, assignment, configs }) });
    expect(r.name, JSON.stringify(r)).to.equal(name);
    await waitFor(async () => (await http(1, `/topics/${name}`)).partitions?.every((p: { leader: number; isr: number[]; replicas: number[] }) => p.leader > 0 && p.isr.length === p.replicas.length), `${name} led and in sync`);
  };
  const gauge = (samples: Samples | undefined, series: string): number => samples?.get(series) ?? 0;

  it('moves every listed metric through real events', async () => {
    const ctl = (await http(1, '/cluster')).controllerId as number;
    const [x, y] = [1, 2, 3].filter((id) => id !== ctl) as [number, number];
    const data = randomName('m-data');
    const unclean = randomName('m-unclean');
    const single = randomName('m-single');
    await createTopic(data, { 0: [x, y, ctl] }, { 'min.insync.replicas': 3 });
    await createTopic(unclean, { 0: [x, y] }, { 'unclean.leader.election.enable': true });
    await createTopic(single, { 0: [y] });

    // Produce and consume: byte/message counters, replication bytes, log gauges, at-min-ISR.
    const producer = new Producer<string, string>({ brokers: [cluster.bootstrap], acks: -1, keySerializer: stringSerde.serialize, valueSerializer: stringSerde.serialize });
    await Promise.all(Array.from({ length: 60 }, (_, i) => producer.send({ topic: data, partition: 0, value: `record-${i}-${'x'.repeat(100)}` })));
    await producer.send({ topic: unclean, partition: 0, value: 'before the fault' });
    await producer.close();
    const consumer = new Consumer<string, string>({ brokers: [cluster.bootstrap], autoOffsetReset: 'earliest', keyDeserializer: stringSerde.deserialize, valueDeserializer: stringSerde.deserialize });
    consumer.assign([{ topic: data, partition: 0 }]);
    let read = 0;
    await waitFor(async () => (read += (await consumer.poll({ timeoutMs: 500 })).length) >= 60, 'the 60 records consumed');
    await consumer.close();
    await waitFor(async () => gauge((await scrape()).get(y), `kafka_server_brokertopicmetrics_replicationbytesin_total{topic="${data}"}`) > 0, 'follower replication bytes');

    // Refused requests on a follower: failed produce (bytes rejected), failed fetch, and an
    // acks=0 produce answered by closing the connection.
    const onFollower = await KafkaSocket.connect('127.0.0.1', cluster.broker(y).port);
    expect((await produceRaw(onFollower, data, 0, batch(['refused']))).errorCode).to.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    // Fetch v10 has no client metadata: leader only (v11+ may read from a follower, KIP-392).
    expect((await fetchRecords(onFollower, data, 0, 0n, { version: 10 })).errorCode).to.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    onFollower.writeRaw(encodeAcks0Produce(data));
    await onFollower.waitClosed();

    // DeleteRecords on the leader moves the log start offset.
    const onLeader = await KafkaSocket.connect('127.0.0.1', cluster.broker(x).port);
    const deleted = await onLeader.request(ApiKey.DeleteRecords, 1, { topics: [{ name: data, partitions: [{ partitionIndex: 0, offset: 10n }] }], timeoutMs: 5_000 });
    expect(deleted.topics[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.NONE);

    // A long-poll fetch at the end of the log waits in the Fetch purgatory.
    const longPoll = fetchRecords(onLeader, data, 0, 60n, { maxWaitMs: 3_000 });
    await waitFor(async () => gauge((await scrape()).get(x), 'kafka_server_delayedoperationpurgatory_purgatorysize{delayedOperation="Fetch"}') > 0, 'a parked fetch');
    await longPoll;
    onLeader.close();

    // Groups: a raw member that joins and never syncs shows PreparingRebalance (initial delay)
    // then CompletingRebalance; a consumer group becomes Stable, commits behind the end (lag), then Empty.
    await groupStates(scrape);

    // Fault 1: freeze follower y past replica.lag.time.max.ms and its session. Its leader x
    // shrinks the ISR (under-replicated, under min ISR); y's partition goes offline; an acks=all
    // produce waits in the Produce purgatory until the shrink answers it.
    const frozen = cluster.broker(y);
    frozen.signal('SIGSTOP');
    try {
      const waiting = new Producer<string, string>({ brokers: [cluster.bootstrap], acks: -1, idempotent: false, requestTimeoutMs: 10_000, retries: 0, keySerializer: stringSerde.serialize, valueSerializer: stringSerde.serialize });
      const parked = waiting.send({ topic: data, partition: 0, value: 'waits for the ISR' }).catch(() => undefined);
      // Scraped often: the parked produce is visible only until the shrink answers it.
      await waitFor(async () => gauge((await scrape()).get(x), 'kafka_server_replicamanager_isrshrinks_total') > 0, 'the leader to shrink the ISR', { timeoutMs: 20_000, intervalMs: 50 });
      await parked;
      await waiting.close().catch(() => undefined);
      await waitFor(async () => gauge((await scrape()).get(ctl), 'kafka_controller_kafkacontroller_offlinepartitionscount') > 0, 'the frozen broker\'s partition offline', { timeoutMs: 30_000 });

      // Fault 2: stop x (the leader of the unclean topic, whose ISR is now x alone).
      expect((await cluster.broker(x).stop()).code).to.equal(0);
      await scrape();
    } finally {
      frozen.signal('SIGCONT');
    }
    // y comes back with an expired session; the only replica left of `unclean` is out of sync.
    await waitFor(async () => (await http(ctl, `/topics/${unclean}`)).partitions?.[0]?.leader === y, 'the unclean election of the out-of-sync replica', { timeoutMs: 60_000 });
    await waitFor(async () => {
      const s = await scrape();
      return gauge(s.get(y), 'kafka_server_sessionexpirelistener_zookeeperexpires_total') > 0 && gauge(s.get(ctl), 'kafka_controller_controllerstats_uncleanleaderelections_total') > 0;
    }, 'the expiry and the unclean election counted', { timeoutMs: 30_000 });
    // y rejoins the ISR of `data`, now led by the controller broker.
    await waitFor(async () => gauge((await scrape()).get(ctl), 'kafka_server_replicamanager_isrexpands_total') > 0, 'the ISR expansion', { timeoutMs: 30_000 });
    expect((await cluster.broker(x).start()).code).to.equal(0);
    await scrape();

    const { listed, elsewhere } = readmeMetrics();
    const notMoved = listed.filter((m) => !moved.has(m) && !elsewhere.has(m));
    expect(notMoved, 'README metrics no event moved').to.deep.equal([]);
  });

  it('the metrics moved by a fault test elsewhere are asserted there', () => {
    const { elsewhere } = readmeMetrics();
    expect(elsewhere.size, 'rows naming their test').to.be.greaterThan(0);
    for (const [metric, file] of elsewhere) {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      expect(text.includes(metric), `${file} asserts ${metric}`).to.equal(true);
      expect(text.includes('expect('), `${file} has assertions`).to.equal(true);
    }
  });

  it('the README lists every exported metric (and only those)', () => {
    const { listed, still } = readmeMetrics();
    expect([...exported].filter((m) => !listed.includes(m) && !still.includes(m)), 'exported but not in the README').to.deep.equal([]);
    expect([...listed, ...still].filter((m) => !exported.has(m)), 'in the README but not exported').to.deep.equal([]);
  });

  /** Group states, committed-offset lag and the group counts on the coordinator. */
  async function groupStates(scrapeAll: typeof scrape): Promise<void> {
    const topic = randomName('m-groups');
    await createTopic(topic, { 0: [1, 2, 3] });
    const producer = new Producer<string, string>({ brokers: [cluster.bootstrap], acks: -1, keySerializer: stringSerde.serialize, valueSerializer: stringSerde.serialize });
    await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send({ topic, partition: 0, value: `g${i}` })));
    await producer.close();

    const raw = randomName('m-raw');
    const coordinator = await waitFor(async () => {
      const s = await KafkaSocket.connect('127.0.0.1', cluster.broker(1).port);
      try {
        const r = await s.request(ApiKey.FindCoordinator, 1, { key: raw, keyType: 0 });
        return r.errorCode === ErrorCode.NONE ? r.nodeId : undefined;
      } finally {
        s.close();
      }
    }, 'a coordinator for the raw group', { timeoutMs: 30_000, intervalMs: 200 });
    const member = await KafkaSocket.connect('127.0.0.1', cluster.broker(coordinator).port);
    const joined = member.request(ApiKey.JoinGroup, 3, {
      groupId: raw,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0]) }],
    }, 15_000);
    await waitFor(async () => gauge((await scrapeAll()).get(coordinator), 'kafka_coordinator_group_groupmetadatamanager_numgroupspreparingrebalance') > 0, 'a group preparing a rebalance', { intervalMs: 50 });
    expect((await joined).errorCode).to.equal(ErrorCode.NONE);
    await waitFor(async () => gauge((await scrapeAll()).get(coordinator), 'kafka_coordinator_group_groupmetadatamanager_numgroupscompletingrebalance') > 0, 'a group waiting for its leader\'s SyncGroup');
    member.close();

    const group = randomName('m-group');
    const consumer = new Consumer<string, string>({ brokers: [cluster.bootstrap], groupId: group, autoOffsetReset: 'earliest', keyDeserializer: stringSerde.deserialize, valueDeserializer: stringSerde.deserialize, maxPollRecords: 4 });
    try {
      consumer.subscribe([topic]);
      await waitFor(async () => (await consumer.poll({ timeoutMs: 500 })).length > 0, 'records for the group', { timeoutMs: 30_000 });
      await consumer.commitSync();
      await waitFor(async () => {
        const s = await scrapeAll();
        return [1, 2, 3].some((id) => gauge(s.get(id), 'kafka_coordinator_group_groupmetadatamanager_numgroupsstable') > 0 && (s.get(id)?.get(`kafka_consumergroup_lag{consumergroup="${group}",topic="${topic}",partition="0"}`) ?? 0) > 0);
      }, 'a stable group lagging behind the high watermark');
    } finally {
      await consumer.close();
    }
    await waitFor(async () => {
      const s = await scrapeAll();
      return [1, 2, 3].some((id) => gauge(s.get(id), 'kafka_coordinator_group_groupmetadatamanager_numgroupsempty') > 0);
    }, 'an empty group after the member left');
  }
});

/** A Produce with acks=0 (no response: a refused one closes the connection, as in Kafka). */
function encodeAcks0Produce(topic: string): Buffer {
  return encodeRequest(ApiKey.Produce, 7, 999, 'samsa-test', { transactionalId: null, acks: 0, timeoutMs: 5_000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch(['refused, no answer']) }] }] });
}
