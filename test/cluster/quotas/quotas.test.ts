/**
 * Client quotas on 3 broker processes (real ZooKeeper), with short quota windows
 * (quota.window.num=3 × 1 s) so that rates settle within seconds. What a user notices:
 * - configs.sh writes a quota in Kafka's ZooKeeper layout and every broker enforces it within a
 *   second, without restart;
 * - a producer over producer_byte_rate is held near its quota (the Samsa client honouring
 *   throttle_time_ms) while an unthrottled producer in the same run is not;
 * - a consumer that ignores throttle_time_ms (raw Fetch loop) is held near consumer_byte_rate
 *   all the same, by the broker muting its connection (KIP-219), and its throttled fetches are empty;
 * - controller_mutation_rate over its quota: CreateTopics v5 still creates (with a throttle time),
 *   CreateTopics v6, CreatePartitions v3 and DeleteTopics v5 refuse valid topics with
 *   THROTTLING_QUOTA_EXCEEDED (KIP-599), invalid ones get their own error (Kafka validates first);
 * - a Metadata flood under request_percentage gets throttle times and far fewer answers than an
 *   unthrottled flood; a Fetch over request_percentage alone is answered empty, as over its byte rate;
 * - kcat and KafkaJS see the throttling (librdkafka's throttle callback, KafkaJS's client-side
 *   throttling).
 * Bounds are generous (a loaded 2-core machine); the ±15 % measurement is `npm run bench -- quotas`.
 */
import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { Producer, type ThrottleEvent } from '../../../client/index.js';
import { ZkSession } from '../../../coordination/index.js';
import { ApiKey, decodeResponse, encodeRequest, ErrorCode, iterateBatches } from '../../../protocol/index.js';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { freePorts } from '../../helpers/ports.js';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ok } from '../cli/run-tool.js';
import { quotaProbes } from './quota-probes.js';
import { kcat } from '../../interop/kcat.js';

const QUOTA = 200_000; // bytes per second
const MEASURE_MS = 6_000;
const WARMUP_MS = 2_000;

describe('cluster > client quotas (produce, fetch, request_percentage)', function () {
  this.timeout(240_000);
  let cluster: TestCluster;
  let zk: ZkSession;
  let adminPorts: number[];
  const topic = randomName('quota');
  let leader = -1;

  before(async () => {
    adminPorts = await freePorts(3);
    cluster = await startCluster({
      size: 3,
      properties: { 'quota.window.num': 3, 'quota.window.size.seconds': 1, 'auto.leader.rebalance.enable': false },
      brokerProperties: (id) => ({ 'admin.http.listener': `127.0.0.1:${adminPorts[id - 1]}` }),
    });
    zk = new ZkSession({ connect: cluster.zookeeperConnect, sessionTimeoutMs: 10_000 });
    await zk.start();
    await ok('topics', ['--bootstrap-server', cluster.bootstrap, '--create', '--topic', topic, '--partitions', '1', '--replication-factor', '1']);
    await waitFor(async () => {
      leader = (await cluster.metadata(1, [topic])).topics[0]?.leaders[0] ?? -1;
      return leader > 0;
    }, 'the topic has a leader');
    // 1 MB to read round and round in the fetch test.
    const producer = new Producer<Buffer, Buffer>({ brokers: [cluster.bootstrap], clientId: 'prefill' });
    try {
      await Promise.all(Array.from({ length: 100 }, () => producer.send({ topic, partition: 0, value: Buffer.alloc(10_000, 1) })));
    } finally {
      await producer.close();
    }
  });

  after(async () => {
    await zk?.close();
    await cluster?.stop();
  });

  const { configs, metric, msUntilEveryBroker, peakWhile } = quotaProbes(() => cluster, () => adminPorts);

  it('configs.sh stores the quota in Kafka\'s ZooKeeper layout and all three brokers apply a change within a second', async () => {
    await configs('--entity-type', 'clients', '--entity-name', 'q-producer', '--alter', '--add-config', `producer_byte_rate=${QUOTA}`);
    const applied = await msUntilEveryBroker('q-producer', 'producer_byte_rate', QUOTA);
    expect(JSON.parse((await zk.getData('/config/clients/q-producer')).data!.toString())).to.deep.equal({ version: 1, config: { producer_byte_rate: String(QUOTA) } });
    const described = await configs('--entity-type', 'clients', '--entity-name', 'q-producer', '--describe');
    expect(described).to.contain(`Quota configs for client-id 'q-producer' are producer_byte_rate=${QUOTA}.0`);
    // A user + client-id entity and a default, through the HTTP admin API.
    const put = await fetch(`http://127.0.0.1:${adminPorts[1]}/quotas`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entity: { user: 'alice', clientId: '<default>' }, set: { request_percentage: 50 } }),
    });
    expect(put.status).to.equal(200);
    expect(JSON.parse((await zk.getData('/config/users/alice/clients/<default>')).data!.toString()).config).to.deep.equal({ request_percentage: '50.0' });
    const bad = await fetch(`http://127.0.0.1:${adminPorts[1]}/quotas`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ entity: { user: 'alice' }, set: { producer_bytes: 5 } }) });
    expect(bad.status).to.equal(400);
    // Timing: the change that the data-path tests below rely on.
    console.log(`      quota change applied on all 3 brokers after ${applied} ms`);
    expect(applied).to.be.below(1_000);
  });

  it('a producer over producer_byte_rate is held near the quota while an unthrottled one is not (Samsa client honours throttle_time_ms)', async () => {
    const throttles: ThrottleEvent[] = [];
    const brokerRates: Array<Promise<number | undefined>> = [];
    // The broker's view, sampled on its own timer while the producers run (a 3 × 1 s window swings
    // with each throttle; sampling from the send loop only saw it right after a throttle, its low).
    let scraper: NodeJS.Timeout | undefined;
    const warmedUp = setTimeout(() => {
      scraper = setInterval(() => brokerRates.push(metric(leader, 'kafka_server_produce_byte_rate', 'q-producer')), 500);
    }, WARMUP_MS);
    const run = async (clientId: string): Promise<number> => {
      const producer = new Producer<Buffer, Buffer>({ brokers: [cluster.bootstrap], clientId, lingerMs: 5, ...(clientId === 'q-producer' ? { onThrottle: (e: ThrottleEvent) => void throttles.push(e) } : {}) });
      const value = Buffer.alloc(10_000, 7);
      const start = Date.now();
      let measured = 0;
      try {
        while (Date.now() - start < WARMUP_MS + MEASURE_MS) {
          const sent = await Promise.all(Array.from({ length: 8 }, () => producer.send({ topic, partition: 0, value })));
          if (Date.now() - start >= WARMUP_MS) measured += sent.length * value.length;
        }
      } finally {
        await producer.close();
      }
      return measured / (MEASURE_MS / 1000);
    };
    let throttled: number;
    let free: number;
    try {
      [throttled, free] = await Promise.all([run('q-producer'), run('free-producer')]);
    } finally {
      clearTimeout(warmedUp);
      clearInterval(scraper);
    }
    const sampled = (await Promise.all(brokerRates)).map((r) => r ?? 0);
    const measuredAtBroker = sampled.reduce((a, b) => a + b, 0) / Math.max(1, sampled.length);
    const throttleTime = await metric(leader, 'kafka_server_produce_throttle_time', 'q-producer');
    console.log(`      produce: throttled ${Math.round(throttled)} B/s (quota ${QUOTA}; broker-measured ${Math.round(measuredAtBroker)} averaged over ${sampled.length} scrapes), unthrottled ${Math.round(free)} B/s, ${throttles.length} throttled responses`);
    expect(throttled).to.be.within(QUOTA * 0.5, QUOTA * 1.5);
    expect(free).to.be.above(throttled * 2);
    expect(throttles.length).to.be.above(0);
    expect(throttles.every((t) => t.throttleTimeMs > 0 && t.apiKey === ApiKey.Produce)).to.equal(true);
    expect(measuredAtBroker).to.be.within(QUOTA * 0.5, QUOTA * 1.5);
    expect(throttleTime).to.be.above(0);
  });

  it('a consumer that ignores throttle_time_ms is held near consumer_byte_rate by the muted connection; a throttled fetch answers no records', async () => {
    await configs('--entity-type', 'clients', '--entity-name', 'q-consumer', '--alter', '--add-config', `consumer_byte_rate=${QUOTA}`);
    await msUntilEveryBroker('q-consumer', 'consumer_byte_rate', QUOTA);
    const b = cluster.broker(leader);
    const run = async (clientId: string): Promise<{ rate: number; throttled: number }> => {
      const sock = await KafkaSocket.connect(b.host, b.port);
      let offset = 0n;
      let measured = 0;
      let throttled = 0;
      const start = Date.now();
      try {
        while (Date.now() - start < WARMUP_MS + MEASURE_MS) {
          const res = await sock.request(ApiKey.Fetch, 11, {
            replicaId: -1, maxWaitMs: 100, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
            topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: 64 * 1024 }] }],
            forgottenTopicsData: [], rackId: '',
          } as never, 15_000, clientId);
          if ((res.throttleTimeMs ?? 0) > 0) {
            // Over the quota: an empty answer (no partitions), the bytes not charged (KafkaApis 2.8).
            expect(res.responses).to.deep.equal([]);
            throttled++;
            continue;
          }
          const p = res.responses[0]!.partitions[0]!;
          expect(p.errorCode).to.equal(ErrorCode.NONE);
          const records = p.records ?? Buffer.alloc(0);
          let next = offset;
          for (const batch of iterateBatches(records)) next = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
          // Read the topic round and round: the quota, not the data, must be the limit.
          offset = next >= p.highWatermark ? 0n : next;
          if (Date.now() - start >= WARMUP_MS) measured += records.length;
        }
      } finally {
        sock.close();
      }
      return { rate: measured / (MEASURE_MS / 1000), throttled };
    };
    const fetchMetrics = ['kafka_server_fetch_byte_rate', 'kafka_server_fetch_throttle_time'];
    const { result: [slow, free], peak } = await peakWhile(leader, fetchMetrics, 'q-consumer', Promise.all([run('q-consumer'), run('free-consumer')]));
    console.log(`      fetch: throttled ${Math.round(slow.rate)} B/s (quota ${QUOTA}, ${slow.throttled} throttled responses), unthrottled ${Math.round(free.rate)} B/s`);
    expect(slow.throttled).to.be.above(0);
    expect(free.throttled).to.equal(0);
    expect(slow.rate).to.be.within(QUOTA * 0.5, QUOTA * 1.5);
    expect(free.rate).to.be.above(slow.rate * 2);
    expect(peak.get('kafka_server_fetch_byte_rate'), 'kafka_server_fetch_byte_rate').to.be.above(0);
    expect(peak.get('kafka_server_fetch_throttle_time'), 'kafka_server_fetch_throttle_time').to.be.above(0);
  });

  it('request_percentage holds back a client flooding Metadata requests', async () => {
    // 0.1 %: a warm broker answers one Metadata flood with ~1 % of a thread (measured 0.69 % for a
    // flood held at request_percentage=1), so 1 % hardly binds.
    await configs('--entity-type', 'clients', '--entity-name', 'q-flooder', '--alter', '--add-config', 'request_percentage=0.1');
    await msUntilEveryBroker('q-flooder', 'request_percentage', 0.1);
    const b = cluster.broker(2);
    const flood = async (clientId: string): Promise<{ answers: number; throttled: number }> => {
      const sock = await KafkaSocket.connect(b.host, b.port);
      const body = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false } as never;
      let answers = 0;
      let throttled = 0;
      const start = Date.now();
      try {
        // Pipelined bursts of 20, ignoring throttle times: only the broker can hold this client back.
        while (Date.now() - start < 4_000) {
          for (let i = 0; i < 20; i++) sock.writeRaw(encodeRequest(ApiKey.Metadata, 8, sock.correlationId(), clientId, body));
          for (let i = 0; i < 20; i++) {
            const res = decodeResponse(ApiKey.Metadata, 8, await sock.nextFrame(15_000)).body;
            answers++;
            if ((res.throttleTimeMs ?? 0) > 0) throttled++;
          }
        }
      } finally {
        sock.close();
      }
      return { answers, throttled };
    };
    const { result: [limited, free], peak } = await peakWhile(2, ['kafka_server_request_throttle_time'], 'q-flooder', Promise.all([flood('q-flooder'), flood('free-flooder')]));
    const requestTime = await metric(2, 'kafka_server_request_request_time', 'q-flooder');
    console.log(`      metadata flood: limited ${limited.answers} answers (${limited.throttled} throttled; broker request_time ${requestTime?.toFixed(2)} %), unthrottled ${free.answers}`);
    expect(limited.throttled).to.be.above(0);
    expect(free.throttled).to.equal(0);
    expect(limited.answers).to.be.below(free.answers / 3);
    expect(peak.get('kafka_server_request_throttle_time'), 'kafka_server_request_throttle_time').to.be.above(0);
  });

  it('a Fetch over request_percentage alone is answered empty with the throttle time, as one over its byte rate (KafkaApis 2.8)', async () => {
    // No consumer_byte_rate for this client: only its share of broker time can throttle it.
    // 0.01 %: 200 µs of work per 2 s; a fetch's decode and synchronous handling alone is more.
    await configs('--entity-type', 'clients', '--entity-name', 'q-fetch-flooder', '--alter', '--add-config', 'request_percentage=0.01');
    await msUntilEveryBroker('q-fetch-flooder', 'request_percentage', 0.01);
    const b = cluster.broker(leader);
    const fetchOnce = (sock: KafkaSocket) =>
      sock.request(ApiKey.Fetch, 11, {
        replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 64 * 1024 }] }],
        forgottenTopicsData: [], rackId: '',
      } as never, 15_000, 'q-fetch-flooder');
    const sock = await KafkaSocket.connect(b.host, b.port);
    let answered = 0;
    let emptied = 0;
    try {
      // Ignoring throttle times, until three throttled answers (the connection is muted a window at most each).
      const deadline = Date.now() + 15_000;
      while (emptied < 3 && Date.now() < deadline) {
        const res = await fetchOnce(sock);
        if ((res.throttleTimeMs ?? 0) > 0) {
          expect(res.responses, 'a throttled fetch carries no records').to.deep.equal([]);
          emptied++;
        } else {
          expect(res.responses[0]!.partitions[0]!.records?.length ?? 0).to.be.above(0);
          answered++;
        }
      }
    } finally {
      sock.close();
    }
    const throttleTime = await metric(leader, 'kafka_server_request_throttle_time', 'q-fetch-flooder');
    console.log(`      fetch under request_percentage=0.01: ${answered} answers with records, ${emptied} emptied; request throttle_time ${throttleTime?.toFixed(0)} ms`);
    expect(emptied).to.equal(3);
    expect(throttleTime).to.be.above(0);
    // The quota was the cause: without it the same fetch carries its records.
    await configs('--entity-type', 'clients', '--entity-name', 'q-fetch-flooder', '--alter', '--delete-config', 'request_percentage');
    await msUntilEveryBroker('q-fetch-flooder', 'request_percentage', undefined);
    const again = await KafkaSocket.connect(b.host, b.port);
    try {
      const res = await fetchOnce(again);
      expect(res.throttleTimeMs ?? 0).to.equal(0);
      expect(res.responses[0]!.partitions[0]!.records?.length ?? 0).to.be.above(0);
    } finally {
      again.close();
    }
  });

  it('controller_mutation_rate (KIP-599): CreateTopics v5 over the quota is created with a throttle time; v6, CreatePartitions v3 and DeleteTopics v5 refuse valid topics with THROTTLING_QUOTA_EXCEEDED, invalid ones get their own error', async () => {
    // 0.2 partition/s, a burst of 0.6 (3 windows of 1 s): one 10-partition topic leaves a debt of
    // 47 s, far more than any wait for leaders on a loaded machine takes off it.
    await configs('--entity-type', 'clients', '--entity-name', 'q-mutator', '--alter', '--add-config', 'controller_mutation_rate=0.2');
    await msUntilEveryBroker('q-mutator', 'controller_mutation_rate', 0.2);
    const controller = (await cluster.metadata()).controllerId;
    const b = cluster.broker(controller);
    const names = ['kafka_server_controllermutation_mutation_rate', 'kafka_server_controllermutation_throttle_time'];
    // One connection per request: a throttled connection is muted, and the debt is the subject here.
    const send = async <T,>(apiKey: number, version: number, body: unknown): Promise<T> => {
      const sock = await KafkaSocket.connect(b.host, b.port);
      try {
        return (await sock.request(apiKey as never, version, body as never, 40_000, 'q-mutator')) as T;
      } finally {
        sock.close();
      }
    };
    type Created = { throttleTimeMs: number; topics: Array<{ name: string; errorCode: number; errorMessage: string | null }> };
    const create = (version: number, name: string): Promise<Created> =>
      send<Created>(ApiKey.CreateTopics, version, { topics: [{ name, numPartitions: 10, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false });
    const [permissive, again, strict] = [randomName('q-mut'), randomName('q-mut'), randomName('q-mut')];
    const { result, peak } = await peakWhile(controller, names, 'q-mutator', (async () => {
      const first = await create(5, permissive);
      const second = await create(5, again);
      const refused = await create(6, strict);
      type Deleted = { throttleTimeMs: number; responses: Array<{ name: string; errorCode: number }> };
      const deleted = await send<Deleted>(ApiKey.DeleteTopics, 5, { topicNames: [permissive], timeoutMs: 30_000 });
      // Still in debt: Kafka validates before charging, so an invalid topic or increase gets its own
      // error, not THROTTLING_QUOTA_EXCEEDED; only the valid ones are refused.
      const invalid = await send<Created>(ApiKey.CreateTopics, 6, {
        topics: [
          { name: permissive, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
          { name: 'not/a/topic', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
          { name: randomName('q-mut'), numPartitions: 1, replicationFactor: 9, assignments: [], configs: [] },
          { name: strict, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
        ],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      type Grown = { throttleTimeMs: number; results: Array<{ name: string; errorCode: number }> };
      const grown = await send<Grown>(ApiKey.CreatePartitions, 3, {
        topics: [{ name: permissive, count: 10, assignments: null }, { name: again, count: 12, assignments: null }, { name: strict, count: 2, assignments: null }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      const deletedUnknown = await send<Deleted>(ApiKey.DeleteTopics, 5, { topicNames: [strict, again], timeoutMs: 30_000 });
      return { first, second, refused, deleted, invalid, grown, deletedUnknown };
    })());
    const { first, second, refused, deleted, invalid, grown, deletedUnknown } = result;
    console.log(`      controller mutations: v5 ${first.throttleTimeMs} ms, v5 again ${second.throttleTimeMs} ms, v6 refused ${refused.throttleTimeMs} ms, DeleteTopics v5 ${deleted.throttleTimeMs} ms; peak rate ${peak.get(names[0]!)?.toFixed(2)}/s`);
    expect(first.topics[0]!.errorCode).to.equal(ErrorCode.NONE);
    expect(first.throttleTimeMs).to.be.within(1_000, 47_000);
    expect(second.topics[0]!.errorCode, 'permissive before v6').to.equal(ErrorCode.NONE);
    expect(second.throttleTimeMs).to.be.above(first.throttleTimeMs);
    expect(refused.topics[0]).to.include({ errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED, errorMessage: 'The throttling quota has been exceeded.' });
    expect(refused.throttleTimeMs).to.be.above(first.throttleTimeMs);
    expect(deleted.responses[0]).to.include({ name: permissive, errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED });
    expect(deleted.throttleTimeMs).to.be.above(first.throttleTimeMs);
    expect(invalid.topics.map((t) => t.errorCode)).to.deep.equal([
      ErrorCode.TOPIC_ALREADY_EXISTS,
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      ErrorCode.INVALID_REPLICATION_FACTOR,
      ErrorCode.THROTTLING_QUOTA_EXCEEDED,
    ]);
    expect(grown.results.map((r) => r.errorCode), 'no increase, a valid increase, an unknown topic').to.deep.equal([
      ErrorCode.INVALID_PARTITIONS,
      ErrorCode.THROTTLING_QUOTA_EXCEEDED,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect(grown.throttleTimeMs).to.be.above(0);
    expect(deletedUnknown.responses.map((r) => r.errorCode), 'an unknown topic, a known one').to.deep.equal([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.THROTTLING_QUOTA_EXCEEDED]);
    const shown = new Map((await cluster.metadata(controller, null)).topics.map((t) => [t.name, t.leaders.length]));
    expect(shown.has(strict), 'the refused topic was not created').to.equal(false);
    expect(shown.has(permissive), 'the refused deletion left the topic').to.equal(true);
    expect(shown.get(again), 'the refused increase left the topic as it was').to.equal(10);
    expect(peak.get('kafka_server_controllermutation_mutation_rate'), 'kafka_server_controllermutation_mutation_rate').to.be.above(0);
    expect(peak.get('kafka_server_controllermutation_throttle_time'), 'kafka_server_controllermutation_throttle_time').to.be.above(0);
    await configs('--entity-type', 'clients', '--entity-name', 'q-mutator', '--alter', '--delete-config', 'controller_mutation_rate');
  });

  it('kcat (librdkafka\'s throttle callback) and KafkaJS (client-side throttling) report throttled produce requests', async () => {
    await configs('--entity-type', 'clients', '--entity-name', 'q-public', '--alter', '--add-config', 'producer_byte_rate=50000');
    await msUntilEveryBroker('q-public', 'producer_byte_rate', 50_000);
    const leaderAddress = `${cluster.broker(leader).host}:${cluster.broker(leader).port}`;
    // 40 × 10 KB lines in batches of 10 KB: 400 KB against 50 KB/s.
    const input = Array.from({ length: 40 }, () => 'x'.repeat(10_000)).join('\n') + '\n';
    const k = await kcat(['-P', '-b', leaderAddress, '-t', topic, '-p', '0', '-X', 'client.id=q-public', '-X', 'batch.size=10000', '-X', 'linger.ms=0'], input, 90_000);
    expect(k.code, k.stderr).to.equal(0);
    const kcatThrottles = [...k.stderr.matchAll(/throttled request for (\d+)ms/g)].map((m) => Number(m[1]));
    const logs: string[] = [];
    const kafka = new Kafka({
      clientId: 'q-public',
      brokers: [leaderAddress],
      logLevel: logLevel.DEBUG,
      logCreator: () => ({ log }) => void logs.push(String(log.message)),
    });
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (let i = 0; i < 20; i++) await producer.send({ topic, acks: 1, messages: [{ partition: 0, value: Buffer.alloc(20_000, 2) }] });
    } finally {
      await producer.disconnect();
    }
    const kafkajsThrottles = logs.flatMap((m) => /Client side throttling in effect for (\d+)ms/.exec(m)?.[1] ?? []).map(Number);
    console.log(`      kcat throttle callbacks: ${kcatThrottles.length} (max ${Math.max(0, ...kcatThrottles)} ms); KafkaJS client-side throttling: ${kafkajsThrottles.length} (max ${Math.max(0, ...kafkajsThrottles)} ms)`);
    expect(kcatThrottles.some((t) => t > 0)).to.equal(true);
    expect(kafkajsThrottles.some((t) => t > 0)).to.equal(true);
  });

  it('deleting a quota lifts the throttle on every broker', async () => {
    await configs('--entity-type', 'clients', '--entity-name', 'q-producer', '--alter', '--delete-config', 'producer_byte_rate');
    const ms = await msUntilEveryBroker('q-producer', 'producer_byte_rate', undefined);
    expect(ms).to.be.below(1_000);
    expect((await zk.getData('/config/clients/q-producer')).data!.toString()).to.equal('{"version":1,"config":{}}');
  });
});
