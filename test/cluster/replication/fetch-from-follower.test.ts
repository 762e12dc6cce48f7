/**
 * Fetch from follower (KIP-392) with broker PROCESSES on racks a, b, c and
 * replica.selector.class = RackAwareReplicaSelector. The partition's replicas are [1, 2, 3]
 * (leader 1, rack a). kcat (`-X client.rack=b`) and the Samsa consumer (`clientRack: 'b'`) read
 * every record in order, and the records come from broker 2 (rack b): its per-topic
 * messages-out counter moves, the leader's does not. A consumer in the leader's rack reads from
 * the leader. Fault: kill -9 of the rack-b follower while the Samsa consumer reads from it.
 * Invariant: consumption continues from the leader, every record once, in order.
 * The follower's high watermark follows the leader's within a round trip: a record acknowledged
 * with acks=all is readable on the follower long before replica.fetch.wait.max.ms (3 s here).
 */
import { expect } from 'chai';
import { Consumer, Producer, stringSerde } from '../../../client/index.js';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { freePorts } from '../../helpers/ports.js';
import { parsePrometheusText, valueOf } from '../../helpers/prometheus-text.js';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { fetch as fetchOnce } from '../../integration/broker/fixture.js';
import { kcat } from '../../interop/kcat.js';
import { createReplicatedTopic, produceOne, waitForIsr } from './workload.js';

const RACKS: Record<number, string> = { 1: 'a', 2: 'b', 3: 'c' };
const SELECTOR = 'org.apache.kafka.common.replica.RackAwareReplicaSelector';

describe('replication > fetch from follower (KIP-392), racks a/b/c', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let adminPorts: number[];

  before(async () => {
    adminPorts = await freePorts(3);
    cluster = await startCluster({
      size: 3,
      properties: { 'zookeeper.session.timeout.ms': 4_000, 'replica.lag.time.max.ms': 3_000, 'replica.selector.class': SELECTOR, 'replica.fetch.wait.max.ms': 3_000, 'auto.leader.rebalance.enable': false },
      brokerProperties: (id) => ({ 'broker.rack': RACKS[id]!, 'admin.http.listener': `127.0.0.1:${adminPorts[id - 1]}` }),
    });
  });

  after(async () => {
    await cluster?.stop();
  });

  /** Records of `topic` this broker served to consumers (Kafka's BytesOut, counted in records). */
  async function messagesOut(id: number, topic: string): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${adminPorts[id - 1]}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return valueOf(parsePrometheusText(await res.text()), 'samsa_server_brokertopicmetrics_messagesout_total', { topic }) ?? 0;
  }

  async function produce(topic: string, from: number, count: number): Promise<void> {
    const producer = new Producer<string, string>({ brokers: [cluster.bootstrap], acks: -1, keySerializer: stringSerde.serialize, valueSerializer: stringSerde.serialize });
    try {
      await Promise.all(Array.from({ length: count }, (_, i) => producer.send({ topic, partition: 0, value: `v${from + i}` })));
    } finally {
      await producer.close();
    }
  }

  const expected = (from: number, count: number): string[] => Array.from({ length: count }, (_, i) => `v${from + i}`);

  it('kcat and the Samsa consumer in rack b read everything, in order, from the rack-b follower; rack a reads from the leader', async () => {
    const topic = randomName('ffollow');
    await createReplicatedTopic(cluster.brokers, topic, [1, 2, 3], { 'min.insync.replicas': '2' });
    await waitForIsr(cluster.brokers, topic, [1, 2, 3]);
    await produce(topic, 0, 200);

    const r = await kcat(['-C', '-b', cluster.bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-c', '200', '-f', '%s\n', '-X', 'client.rack=b'], undefined, 60_000);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim().split('\n')).to.deep.equal(expected(0, 200));
    expect(await messagesOut(2, topic), 'records served by the rack-b follower to kcat').to.be.at.least(200);
    expect(await messagesOut(1, topic), 'records served by the leader to kcat').to.equal(0);

    const consumer = new Consumer<string, string>({ brokers: [cluster.bootstrap], clientRack: 'b', keyDeserializer: stringSerde.deserialize, valueDeserializer: stringSerde.deserialize });
    try {
      consumer.assign([{ topic, partition: 0 }]);
      consumer.seek({ topic, partition: 0 }, 0n);
      const got: string[] = [];
      await waitFor(async () => {
        for (const rec of await consumer.poll({ timeoutMs: 500 })) got.push(rec.value ?? '');
        return got.length >= 200;
      }, '200 records read by the Samsa consumer in rack b', { timeoutMs: 30_000 });
      expect(got).to.deep.equal(expected(0, 200));
    } finally {
      await consumer.close();
    }
    expect(await messagesOut(2, topic), 'the Samsa consumer read from the follower too').to.be.at.least(400);
    expect(await messagesOut(1, topic)).to.equal(0);

    // A consumer in the leader's rack is not redirected.
    const inRackA = await kcat(['-C', '-b', cluster.bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-c', '200', '-f', '%s\n', '-X', 'client.rack=a'], undefined, 60_000);
    expect(inRackA.code, inRackA.stderr).to.equal(0);
    expect(await messagesOut(1, topic), 'records served by the leader to rack a').to.be.at.least(200);

    // The follower's own answers (Kafka's errors): beyond its log end, a leader epoch it has not
    // heard of, and a v10 fetch (no client metadata: leader only).
    const onFollower = await KafkaSocket.connect(cluster.broker(2).host, cluster.broker(2).port);
    try {
      const raw = (fetchOffset: bigint, currentLeaderEpoch: number, version = 11) =>
        onFollower.request(ApiKey.Fetch, version, {
          replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
          topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch, fetchOffset, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
          forgottenTopicsData: [], rackId: 'b',
        }).then((res) => res.responses[0]!.partitions[0]!);
      const atEnd = await raw(200n, -1);
      expect([atEnd.errorCode, atEnd.highWatermark, atEnd.preferredReadReplica]).to.deep.equal([ErrorCode.NONE, 200n, -1]);
      expect((await raw(500n, -1)).errorCode).to.equal(ErrorCode.OFFSET_OUT_OF_RANGE);
      expect((await raw(0n, 7)).errorCode).to.equal(ErrorCode.UNKNOWN_LEADER_EPOCH);
      expect((await raw(0n, -1, 10)).errorCode).to.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    } finally {
      onFollower.close();
    }
  });

  it('kill -9 of the rack-b follower: the Samsa consumer goes on from the leader, every record once, in order', async () => {
    const topic = randomName('ffkill');
    await createReplicatedTopic(cluster.brokers, topic, [1, 2, 3], { 'min.insync.replicas': '2' });
    await waitForIsr(cluster.brokers, topic, [1, 2, 3]);
    await produce(topic, 0, 100);
    const consumer = new Consumer<string, string>({ brokers: [cluster.bootstrap], clientRack: 'b', retryBackoffMs: 200, keyDeserializer: stringSerde.deserialize, valueDeserializer: stringSerde.deserialize });
    const got: string[] = [];
    const pollUntil = (n: number, what: string, timeoutMs: number) =>
      waitFor(async () => {
        for (const rec of await consumer.poll({ timeoutMs: 500 })) got.push(rec.value ?? '');
        return got.length >= n;
      }, what, { timeoutMs });
    try {
      consumer.assign([{ topic, partition: 0 }]);
      consumer.seek({ topic, partition: 0 }, 0n);
      await pollUntil(100, 'the first 100 records', 30_000);
      expect(await messagesOut(2, topic), 'read from the follower before the fault').to.be.at.least(100);
      const fromLeaderBefore = await messagesOut(1, topic);

      cluster.broker(2).signal('SIGKILL');
      await cluster.broker(2).waitExited();
      await produce(topic, 100, 100);
      await pollUntil(200, '100 more records after the rack-b follower died', 60_000);
      expect(got).to.deep.equal(expected(0, 200));
      expect(await messagesOut(1, topic), 'the leader served the records after the fault').to.be.at.least(fromLeaderBefore + 100);
    } finally {
      await consumer.close();
      const started = await cluster.broker(2).start([], 60_000);
      expect(started.code, started.stderr).to.equal(0);
    }
  });

  it('a record acknowledged with acks=all is readable on the follower within a round trip, not after replica.fetch.wait.max.ms', async () => {
    const topic = randomName('ffhw');
    await createReplicatedTopic(cluster.brokers, topic, [1, 2, 3], { 'min.insync.replicas': '2' });
    await waitForIsr(cluster.brokers, topic, [1, 2, 3]);
    const follower = await KafkaSocket.connect(cluster.broker(2).host, cluster.broker(2).port);
    const delays: number[] = [];
    try {
      for (let i = 0; i < 11; i++) {
        const r = await produceOne(cluster.broker(1), topic, `v${i}`, -1);
        expect(r.errorCode).to.equal(0);
        const acked = Date.now();
        await waitFor(async () => ((await fetchOnce(follower, topic, 0, r.baseOffset)).records?.length ?? 0) > 0, `record ${r.baseOffset} readable on follower 2`, { timeoutMs: 10_000, intervalMs: 5 });
        delays.push(Date.now() - acked);
      }
    } finally {
      follower.close();
    }
    const sorted = [...delays].sort((a, b) => a - b);
    expect(sorted[5]!, `ack → readable on the follower, ms: ${delays.join(', ')}`).to.be.below(1_000);
  });
});
