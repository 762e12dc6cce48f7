/**
 * A leader whose ZooKeeper link goes silent (a black-holed TCP proxy between that broker PROCESS
 * and ZooKeeper; clients and the other broker still reach it) stops acting as leader before its
 * session can expire, and acts again when the same session answers.
 *
 * Fault: only the leader's ZooKeeper link black-holed, healed as soon as the fence is seen.
 * Invariants: the fence engages while the leader's registration (its session) still exists;
 * while fenced, produce is refused (acks=1 and acks=all, nothing written), Metadata is answered
 * by closing the connection (clients ask another broker), consumers read only below the high
 * watermark, /ready is 503 and the fence gauge is 1;
 * after healing the registration is the same one (same czxid) and the broker leads again.
 */
import { expect } from 'chai';
import { ZkSession } from '../../../coordination/index.js';
import { ApiKey, ErrorCode, iterateBatches, iterateRecords } from '../../../protocol/index.js';
import { TcpProxy } from '../../failover/harness/tcp-proxy.js';
import { BrokerProcess } from '../../helpers/broker-process.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { freePorts } from '../../helpers/ports.js';
import { randomName } from '../../helpers/random.js';
import { sharedZooKeeperConnect } from '../../helpers/shared-zookeeper.js';
import { waitFor } from '../../helpers/wait-for.js';
import { batch, fetch as kafkaFetch, produce } from '../../integration/broker/fixture.js';

const SESSION_TIMEOUT_MS = 10_000;
const FENCED_GAUGE = 'samsa_server_replicamanager_zookeeperfenced';
const FENCED_PARTITIONS_GAUGE = 'samsa_server_replicamanager_zookeeperfencedpartitions';

function values(records: Buffer | null): string[] {
  const out: string[] = [];
  if (records === null) return out;
  for (const b of iterateBatches(records)) for (const r of iterateRecords(records.subarray(b.start, b.end))) out.push(r.value!.toString());
  return out;
}

async function gauge(adminUrl: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe('data path > leader fenced when its ZooKeeper link goes silent (broker processes)', function () {
  this.timeout(90_000);
  const chroot = `/${randomName('samsa-fence')}`;
  const brokers: BrokerProcess[] = [];
  const proxies: TcpProxy[] = [];
  const admin = new Map<number, string>();
  const sockets: KafkaSocket[] = [];
  let observer: ZkSession;

  async function sockTo(b: BrokerProcess): Promise<KafkaSocket> {
    const s = await KafkaSocket.connect(b.host, b.port);
    sockets.push(s);
    return s;
  }

  before(async () => {
    // Read here, not at load time: the shared ZooKeeper is started by the global setup.
    const servers = sharedZooKeeperConnect().split('/')[0]!;
    const [zkHost, zkPort] = servers.split(',')[0]!.split(':');
    observer = new ZkSession({ connect: `${servers}${chroot}`, sessionTimeoutMs: 10_000, requestTimeoutMs: 5_000 });
    await observer.start();
    for (const id of [1, 2]) {
      const proxy = await TcpProxy.start(zkHost!, Number(zkPort));
      proxies.push(proxy);
      const [httpPort] = await freePorts(1);
      admin.set(id, `http://127.0.0.1:${httpPort}`);
      brokers.push(
        await BrokerProcess.create({
          brokerId: id,
          zookeeperConnect: `${proxy.address}${chroot}`,
          properties: {
            'zookeeper.session.timeout.ms': SESSION_TIMEOUT_MS,
            'admin.http.listener': `127.0.0.1:${httpPort}`,
            'replica.lag.time.max.ms': 30_000,
            'auto.leader.rebalance.enable': false,
            'log.segment.delete.delay.ms': 0,
          },
        }),
      );
    }
    await Promise.all(
      brokers.map(async (b) => {
        const r = await b.start([], 60_000);
        if (r.code !== 0) throw new Error(`broker ${b.brokerId} did not start: ${r.stderr.slice(-2000)}`);
      }),
    );
  });

  after(async () => {
    for (const s of sockets) s.close();
    for (const p of proxies) p.heal();
    await Promise.all(brokers.map((b) => (b.isAlive() ? b.stop() : Promise.resolve())));
    for (const p of proxies) await p.close();
    await observer?.close();
  });

  it('refuses to lead before the session can expire, and leads again on the same session', async () => {
    const controllerId = await waitFor(async () => {
      const s = await KafkaSocket.connect(brokers[0]!.host, brokers[0]!.port);
      try {
        const m = await s.request(ApiKey.Metadata, 8, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
        return m.brokers.length === 2 && (m.controllerId ?? -1) >= 0 ? m.controllerId! : undefined;
      } finally {
        s.close();
      }
    }, 'both brokers and a controller in the metadata', { timeoutMs: 30_000 });
    // The leader is the broker that is NOT the controller: the controller keeps its own link.
    const leaderIdx = brokers.findIndex((b) => b.brokerId !== controllerId);
    const leader = brokers[leaderIdx]!;
    const other = brokers.find((b) => b.brokerId === controllerId)!;
    const leaderAdmin = admin.get(leader.brokerId)!;
    const topic = randomName('fence');
    const ctl = await sockTo(other);
    const created = await ctl.request(ApiKey.CreateTopics, 4, {
      topics: [{ name: topic, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [leader.brokerId, other.brokerId] }], configs: [] }],
      timeoutMs: 10_000,
      validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).to.equal(ErrorCode.NONE);
    const s = await sockTo(leader);
    await waitFor(async () => (await produce(s, topic, 0, batch(['a']), -1)).errorCode === ErrorCode.NONE, `broker ${leader.brokerId} to lead ${topic}-0`, { timeoutMs: 20_000 });
    expect(await gauge(leaderAdmin, FENCED_GAUGE)).to.equal(0);
    const registration = await observer.getData(`/brokers/ids/${leader.brokerId}`);

    const cutAt = Date.now();
    proxies[leaderIdx]!.blackhole();
    let acked = 1;
    await waitFor(
      async () => {
        const r = await produce(s, topic, 0, batch([`b${acked}`]), 1);
        if (r.errorCode === ErrorCode.NONE) acked++;
        return r.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER;
      },
      'the leader to refuse produce once its ZooKeeper link is silent',
      { timeoutMs: SESSION_TIMEOUT_MS, intervalMs: 50 },
    );
    const fencedAfter = Date.now() - cutAt;
    // Everything the fenced broker must say, asked at once (the session is still alive for a
    // fifth of its timeout at most; the link is healed right after).
    const metaSock = await sockTo(leader);
    const [stillRegistered, all, meta, atHw, below, ready, gaugeValue, fencedPartitions] = await Promise.all([
      observer.exists(`/brokers/ids/${leader.brokerId}`),
      produce(s, topic, 0, batch(['refused']), -1),
      metaSock
        .request(ApiKey.Metadata, 8, { topics: [{ name: topic }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
        .then(
          () => 'answered',
          (err: Error) => err.message,
        ),
      kafkaFetch(s, topic, 0, BigInt(acked)),
      kafkaFetch(s, topic, 0, 0n),
      fetch(`${leaderAdmin}/ready`),
      gauge(leaderAdmin, FENCED_GAUGE),
      gauge(leaderAdmin, FENCED_PARTITIONS_GAUGE),
    ]);
    proxies[leaderIdx]!.heal();

    expect(stillRegistered?.czxid, 'fenced while its session (registration) still exists').to.equal(registration.stat.czxid);
    expect(fencedAfter, 'fenced before the session timeout').to.be.below(SESSION_TIMEOUT_MS);
    expect(all.errorCode, 'acks=all refused').to.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(meta, 'Metadata closes the connection').to.contain('connection closed');
    expect(metaSock.closed).to.equal(true);
    expect(atHw.errorCode, 'a consumer at the HW is sent elsewhere').to.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(below.errorCode, 'committed data below the HW is still served').to.equal(ErrorCode.NONE);
    expect(values(below.records)[0]).to.equal('a');
    expect(ready.status).to.equal(503);
    expect(JSON.stringify(await ready.json())).to.contain('fenced: no ZooKeeper contact');
    expect(gaugeValue).to.equal(1);
    expect(fencedPartitions, 'the one partition it leads').to.equal(1);

    await waitFor(async () => (await produce(s, topic, 0, batch(['c']), -1)).errorCode === ErrorCode.NONE, 'the leader to take writes again once ZooKeeper answers', { timeoutMs: 10_000, intervalMs: 100 });
    const again = await observer.getData(`/brokers/ids/${leader.brokerId}`);
    expect(again.stat.czxid, 'the same registration: the session survived').to.equal(registration.stat.czxid);
    expect(await gauge(leaderAdmin, FENCED_GAUGE)).to.equal(0);
    expect(await gauge(leaderAdmin, FENCED_PARTITIONS_GAUGE)).to.equal(0);
    expect((await fetch(`${leaderAdmin}/ready`)).status).to.equal(200);
    const read = await kafkaFetch(s, topic, 0, 0n);
    const expected = ['a', ...Array.from({ length: acked - 1 }, (_, i) => `b${i + 1}`), 'c'];
    expect(values(read.records), 'only acknowledged records: the refused ones were never written').to.deep.equal(expected);
    const log = leader.log();
    expect(log).to.contain('fenced: no ZooKeeper contact within the session timeout minus the margin');
    expect(log).to.contain('unfenced: ZooKeeper answers again');
    console.log(`      fenced ${fencedAfter} ms after the ZooKeeper link went silent (session timeout ${SESSION_TIMEOUT_MS} ms)`);
  });
});
