/**
 * KIP-227 fetch sessions through a real in-process broker: raw Fetch v12 requests open a
 * session, go incremental, see an idle session answer no partitions, data bring its partition
 * back, forgotten partitions leave the session, and bad session ids and epochs get Kafka's
 * errors. `max.incremental.fetch.session.cache.slots=1` shows the cache bound: a second consumer
 * gets session id 0 and full answers, a follower's fetch evicts the consumer's session.
 */
import { expect } from 'chai';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import type { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { batch, createTopic, produce, startTestBroker, type TestBroker, waitForController, waitForLeadership } from './fixture.js';

describe('broker > fetch sessions (KIP-227, one in-process broker)', function () {
  this.timeout(60_000);
  let broker: TestBroker;
  let sock: KafkaSocket;
  const topic = randomName('fs');

  const fetch12 = (s: KafkaSocket, sessionId: number, sessionEpoch: number, parts: Array<[number, bigint]>, forgotten: number[] = [], maxWaitMs = 0) =>
    s.request(ApiKey.Fetch, 12, {
      replicaId: -1, maxWaitMs, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId, sessionEpoch,
      topics: parts.length === 0 ? [] : [{ topic, partitions: parts.map(([partition, fetchOffset]) => ({ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 })) }],
      forgottenTopicsData: forgotten.length === 0 ? [] : [{ topic, partitions: forgotten }],
      rackId: '',
    }, maxWaitMs + 10_000);
  const answered = (r: Awaited<ReturnType<typeof fetch12>>) => r.responses.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p.partitionIndex}`));
  const metric = async (name: string): Promise<number> => {
    const line = (await broker.broker.metrics.metrics()).split('\n').find((l) => l.startsWith(`${name} `));
    return Number(line?.split(' ')[1]);
  };

  before(async () => {
    broker = await startTestBroker(1, testZkConnect('samsa-fetch-sessions'), { 'max.incremental.fetch.session.cache.slots': 1 });
    await waitForController([broker]);
    sock = await broker.connect();
    expect(await createTopic(sock, topic, 3)).to.equal(ErrorCode.NONE);
    for (const p of [0, 1, 2]) await waitForLeadership(broker, topic, p);
  });

  after(async () => {
    sock?.close();
    await broker?.stop();
  });

  it('full, then incremental: idle answers are empty, new data and forgotten partitions behave as Kafka, bad ids and epochs are refused', async () => {
    const full = await fetch12(sock, 0, 0, [[0, 0n], [1, 0n], [2, 0n]]);
    expect(full.errorCode).to.equal(ErrorCode.NONE);
    expect(full.sessionId).to.be.greaterThan(0);
    expect(answered(full)).to.deep.equal([`${topic}-0`, `${topic}-1`, `${topic}-2`]);
    const id = full.sessionId ?? 0;
    expect(await metric('kafka_server_fetchsessioncache_numincrementalfetchsessions')).to.equal(1);
    expect(await metric('kafka_server_fetchsessioncache_numincrementalfetchpartitionscached')).to.equal(3);

    // Idle: nothing changed since the full answer, so no partition travels.
    const idle = await fetch12(sock, id, 1, []);
    expect(idle).to.deep.include({ errorCode: ErrorCode.NONE, sessionId: id });
    expect(idle.responses).to.deep.equal([]);

    // Data on partition 1: an incremental fetch that long-polls returns just that partition.
    expect((await produce(sock, topic, 1, batch(['x', 'y']))).errorCode).to.equal(ErrorCode.NONE);
    const withData = await fetch12(sock, id, 2, [], [], 2_000);
    expect(answered(withData)).to.deep.equal([`${topic}-1`]);
    const p1 = withData.responses[0]!.partitions[0]!;
    expect(p1.highWatermark).to.equal(2n);
    expect(p1.records?.length ?? 0).to.be.greaterThan(0);

    // The fetcher moves partition 1 on and forgets partition 2: idle again, two partitions cached.
    const moved = await fetch12(sock, id, 3, [[1, 2n]], [2]);
    expect(moved.responses).to.deep.equal([]);
    expect(await metric('kafka_server_fetchsessioncache_numincrementalfetchpartitionscached')).to.equal(2);
    // Data on the forgotten partition does not travel; data on a session partition does.
    expect((await produce(sock, topic, 2, batch(['z']))).errorCode).to.equal(ErrorCode.NONE);
    expect((await fetch12(sock, id, 4, [])).responses).to.deep.equal([]);
    expect((await produce(sock, topic, 0, batch(['w']))).errorCode).to.equal(ErrorCode.NONE);
    expect(answered(await fetch12(sock, id, 5, []))).to.deep.equal([`${topic}-0`]);

    // A stale epoch and an unknown id: top-level errors, no partitions, and the session lives on.
    const stale = await fetch12(sock, id, 5, []);
    expect(stale).to.deep.include({ errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: 0 });
    expect(stale.responses).to.deep.equal([]);
    const unknown = await fetch12(sock, id + 1, 1, []);
    expect(unknown.errorCode).to.equal(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    expect((await fetch12(sock, id, 6, [[0, 1n]])).errorCode).to.equal(ErrorCode.NONE);

    // The only slot is taken by a young session: another fetcher is answered in full, session id 0.
    const other = await broker.connect();
    try {
      const second = await fetch12(other, 0, 0, [[0, 0n]]);
      expect(second).to.deep.include({ errorCode: ErrorCode.NONE, sessionId: 0 });
      expect(answered(second)).to.deep.equal([`${topic}-0`]);
    } finally {
      other.close();
    }

    // A follower's session (replica id ≥ 0) is privileged: it evicts the young consumer session.
    const follower = await broker.connect();
    try {
      const opened = await follower.request(ApiKey.Fetch, 12, {
        replicaId: 7, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: 0,
        topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
        forgottenTopicsData: [], rackId: '',
      });
      expect(opened.sessionId).to.be.greaterThan(0);
      expect(await metric('kafka_server_fetchsessioncache_incrementalfetchsessionevictions_total')).to.equal(1);
      expect((await fetch12(sock, id, 7, [])).errorCode).to.equal(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
      // Epoch -1 closes a session.
      expect((await fetch12(sock, opened.sessionId ?? 0, -1, [[0, 0n]])).sessionId).to.equal(0);
      expect(await metric('kafka_server_fetchsessioncache_numincrementalfetchsessions')).to.equal(0);
    } finally {
      follower.close();
    }
  });
});
