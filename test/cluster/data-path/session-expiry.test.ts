/**
 * A broker whose ZooKeeper session expires (its process "paused" past the session timeout):
 * the other broker takes over as controller, the expired one re-registers with a new broker
 * epoch when it resumes, gets its partitions back and serves the data it had.
 */
import { expect } from 'chai';
import { ApiKey, ErrorCode, iterateBatches, iterateRecords } from '../../../protocol/index.js';
import type { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { waitFor } from '../../helpers/wait-for.js';
import { batch, fetch, produce, startTestBroker, type TestBroker, waitForController, waitForLeadership } from '../../integration/broker/fixture.js';

function values(records: Buffer | null): string[] {
  const out: string[] = [];
  if (records === null) return out;
  for (const b of iterateBatches(records)) for (const r of iterateRecords(records.subarray(b.start, b.end))) out.push(r.value!.toString());
  return out;
}

describe('data path > ZooKeeper session expiry of the controller broker', function () {
  this.timeout(60_000);
  let brokers: TestBroker[];
  const sockets: KafkaSocket[] = [];

  before(async () => {
    const zk = testZkConnect('samsa-expiry');
    brokers = await Promise.all([1, 2].map((id) => startTestBroker(id, zk, { 'zookeeper.session.timeout.ms': 2000 })));
  });

  after(async () => {
    for (const s of sockets) s.close();
    await Promise.all((brokers ?? []).map((b) => b.stop()));
  });

  it('re-registers, loses and regains controllership and leadership, and keeps serving its data', async () => {
    const controllerId = await waitForController(brokers);
    const victim = brokers.find((b) => b.id === controllerId)!;
    const other = brokers.find((b) => b.id !== controllerId)!;
    const topic = randomName('exp');
    const ctl = await victim.connect();
    sockets.push(ctl);
    const created = await ctl.request(ApiKey.CreateTopics, 4, {
      topics: [{ name: topic, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [victim.id] }], configs: [] }],
      timeoutMs: 10_000,
      validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).to.equal(ErrorCode.NONE);
    await waitForLeadership(victim, topic, 0);
    expect((await produce(ctl, topic, 0, batch(['before']))).errorCode).to.equal(ErrorCode.NONE);
    const epochBefore = victim.broker.controller.brokerEpoch;

    victim.broker.session.freezeForTest();
    await waitFor(() => other.broker.controller.isActive, `broker ${other.id} to take over as controller`, { timeoutMs: 20_000 });
    victim.broker.session.thawForTest();

    await waitFor(() => victim.broker.controller.brokerEpoch > epochBefore, 'the expired broker to re-register with a new broker epoch', { timeoutMs: 20_000 });
    expect(victim.broker.controller.isActive).to.equal(false);
    await waitFor(
      () => victim.broker.metadataCache.controllerId === other.id && victim.broker.metadataCache.aliveBrokers().length === 2,
      'the resumed broker to learn the new controller and both brokers',
      { timeoutMs: 20_000 },
    );
    const s = await victim.connect();
    sockets.push(s);
    await waitFor(async () => (await produce(s, topic, 0, batch(['after']))).errorCode === ErrorCode.NONE, 'the resumed broker to lead its partition again', { timeoutMs: 20_000 });
    expect(values((await fetch(s, topic, 0, 0n)).records)).to.deep.equal(['before', 'after']);
  });
});
