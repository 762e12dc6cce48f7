import { expect } from 'chai';
import { ApiKey, ErrorCode, iterateBatches, iterateRecords } from '../../../protocol/index.js';
import type { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { batch, createTopic, fetch, produce, startTestBroker, type TestBroker, waitForController, waitForLeadership } from './fixture.js';

function values(records: Buffer | null): string[] {
  const out: string[] = [];
  if (records === null) return out;
  for (const b of iterateBatches(records)) for (const r of iterateRecords(records.subarray(b.start, b.end))) out.push(r.value!.toString());
  return out;
}

describe('broker > data path (one in-process broker)', function () {
  this.timeout(30_000);
  let b: TestBroker;
  let sock: KafkaSocket;
  const sockets: KafkaSocket[] = [];

  before(async () => {
    b = await startTestBroker(1, testZkConnect('samsa-dp'), { 'message.max.bytes': 2000 });
    await waitForController([b]);
    sock = await b.connect();
    sockets.push(sock);
  });

  after(async () => {
    for (const s of sockets) s.close();
    await b?.stop();
  });

  async function topicWithLeader(configs: Record<string, string> = {}): Promise<string> {
    const topic = randomName('t');
    expect(await createTopic(sock, topic, 1, configs)).to.equal(ErrorCode.NONE);
    await waitForLeadership(b, topic, 0);
    return topic;
  }

  it('produces with acks=-1 (RF 1 completes at once) and fetches the same records back', async () => {
    const topic = await topicWithLeader();
    const first = await produce(sock, topic, 0, batch(['a', 'b', 'c']));
    expect(first.errorCode).to.equal(ErrorCode.NONE);
    expect(first.baseOffset).to.equal(0n);
    const second = await produce(sock, topic, 0, batch(['d']), 1);
    expect(second.baseOffset).to.equal(3n);
    const f = await fetch(sock, topic, 0, 0n);
    expect(f.errorCode).to.equal(ErrorCode.NONE);
    expect(f.highWatermark).to.equal(4n);
    expect(f.lastStableOffset).to.equal(4n);
    expect(f.logStartOffset).to.equal(0n);
    expect(values(f.records)).to.deep.equal(['a', 'b', 'c', 'd']);
    // A fetch from the middle of a batch returns the whole batch that holds the offset.
    expect(values((await fetch(sock, topic, 0, 1n)).records)).to.deep.equal(['a', 'b', 'c', 'd']);
    expect((await fetch(sock, topic, 0, 99n)).errorCode).to.equal(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('partition_max_bytes: the first batch always comes whole (KIP-74), later ones only if they fit', async () => {
    const topic = await topicWithLeader();
    await produce(sock, topic, 0, batch(['x'.repeat(500)]));
    await produce(sock, topic, 0, batch(['y'.repeat(500)]));
    expect(values((await fetch(sock, topic, 0, 0n, { partitionMaxBytes: 10 })).records)).to.have.length(1);
    expect(values((await fetch(sock, topic, 0, 0n, { partitionMaxBytes: 1500 })).records)).to.have.length(2);
    expect(values((await fetch(sock, topic, 0, 1n, { partitionMaxBytes: 10 })).records)[0]).to.match(/^y/);
  });

  it('a long-poll fetch is woken by a produce', async () => {
    const topic = await topicWithLeader();
    const other = await b.connect();
    sockets.push(other);
    const started = Date.now();
    const pending = fetch(other, topic, 0, 0n, { maxWaitMs: 10_000, minBytes: 1 });
    // The fetch parks (nothing to read); the produce on another connection must wake it.
    await new Promise((r) => setImmediate(r));
    expect((await produce(sock, topic, 0, batch(['wake']))).errorCode).to.equal(ErrorCode.NONE);
    const f = await pending;
    expect(values(f.records)).to.deep.equal(['wake']);
    expect(Date.now() - started).to.be.below(5_000);
  });

  it('an empty long poll answers after max_wait_ms with no records', async () => {
    const topic = await topicWithLeader();
    const started = Date.now();
    const f = await fetch(sock, topic, 0, 0n, { maxWaitMs: 300 });
    expect(f.errorCode).to.equal(ErrorCode.NONE);
    expect(f.records?.length ?? 0).to.equal(0);
    expect(Date.now() - started).to.be.at.least(250);
  });

  it('unknown topic → UNKNOWN_TOPIC_OR_PARTITION for produce and fetch', async () => {
    const topic = randomName('missing');
    expect((await produce(sock, topic, 0, batch(['x']))).errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await fetch(sock, topic, 0, 0n)).errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('MESSAGE_TOO_LARGE, CORRUPT_MESSAGE (flipped byte) and INVALID_REQUIRED_ACKS; nothing is written', async () => {
    const topic = await topicWithLeader();
    expect((await produce(sock, topic, 0, batch(['x'.repeat(3000)]))).errorCode).to.equal(ErrorCode.MESSAGE_TOO_LARGE);
    const corrupt = batch(['hello world']);
    corrupt[corrupt.length - 3] = corrupt[corrupt.length - 3]! ^ 0xff;
    expect((await produce(sock, topic, 0, corrupt)).errorCode).to.equal(ErrorCode.CORRUPT_MESSAGE);
    expect((await produce(sock, topic, 0, batch(['y']), 2)).errorCode).to.equal(ErrorCode.INVALID_REQUIRED_ACKS);
    const f = await fetch(sock, topic, 0, 0n);
    expect(f.highWatermark).to.equal(0n);
  });

  it('acks=0 success writes silently; acks=0 failure closes the connection', async () => {
    const topic = await topicWithLeader();
    const s = await b.connect();
    sockets.push(s);
    s.writeRaw(
      (await import('../../../protocol/index.js')).encodeRequest(ApiKey.Produce, 7, 99, 'test', {
        transactionalId: null,
        acks: 0,
        timeoutMs: 1000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records: batch(['silent']) }] }],
      }),
    );
    // The next request on the same connection is answered: nothing was written for acks=0.
    const f = await s.request(ApiKey.Metadata, 8, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(f.brokers.length).to.equal(1);
    expect(values((await fetch(sock, topic, 0, 0n)).records)).to.deep.equal(['silent']);
    s.writeRaw(
      (await import('../../../protocol/index.js')).encodeRequest(ApiKey.Produce, 7, 100, 'test', {
        transactionalId: null,
        acks: 0,
        timeoutMs: 1000,
        topicData: [{ name: randomName('missing'), partitionData: [{ index: 0, records: batch(['lost']) }] }],
      }),
    );
    await s.waitClosed();
  });

  it('ListOffsets earliest/latest/by timestamp (v1+ and v0), DeleteRecords moves the log start', async () => {
    const topic = await topicWithLeader();
    for (let i = 0; i < 5; i++) await produce(sock, topic, 0, batch([`m${i}`]));
    const list = async (timestamp: bigint, version = 5) =>
      (await sock.request(ApiKey.ListOffsets, version, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 10 }] }] })).topics[0]!
        .partitions[0]!;
    expect((await list(-2n)).offset).to.equal(0n);
    expect((await list(-1n)).offset).to.equal(5n);
    expect((await list(0n)).offset).to.equal(0n);
    expect((await list(BigInt(Date.now() + 3_600_000))).offset).to.equal(-1n);
    expect((await list(-1n, 0)).oldStyleOffsets![0]).to.equal(5n);
    const del = await sock.request(ApiKey.DeleteRecords, 1, { topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 3n }] }], timeoutMs: 5000 });
    expect(del.topics[0]!.partitions[0]).to.include({ errorCode: ErrorCode.NONE, lowWatermark: 3n });
    expect((await list(-2n)).offset).to.equal(3n);
    expect((await fetch(sock, topic, 0, 0n)).errorCode).to.equal(ErrorCode.OFFSET_OUT_OF_RANGE);
    const beyond = await sock.request(ApiKey.DeleteRecords, 1, { topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 99n }] }], timeoutMs: 5000 });
    expect(beyond.topics[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('OffsetForLeaderEpoch answers the end offset of the leader epoch', async () => {
    const topic = await topicWithLeader();
    await produce(sock, topic, 0, batch(['a', 'b']));
    const r = await sock.request(ApiKey.OffsetForLeaderEpoch, 3, { replicaId: -1, topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] });
    expect(r.topics[0]!.partitions[0]).to.include({ errorCode: ErrorCode.NONE, leaderEpoch: 0, endOffset: 2n });
  });

  it('compacted topics refuse keyless records (INVALID_RECORD)', async () => {
    const topic = await topicWithLeader({ 'cleanup.policy': 'compact' });
    expect((await produce(sock, topic, 0, batch(['v'], [null]))).errorCode).to.equal(ErrorCode.INVALID_RECORD);
    expect((await produce(sock, topic, 0, batch(['v'], ['k']))).errorCode).to.equal(ErrorCode.NONE);
  });
});
