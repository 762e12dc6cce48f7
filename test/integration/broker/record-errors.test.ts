/**
 * What a client is told when records are refused, on a real in-process broker (real ZooKeeper,
 * real logs): Produce v8/v9 name each failing record (KIP-467 record_errors + error_message) for a
 * keyless record on a compacted topic and a CreateTime stamp beyond
 * message.timestamp.difference.max.ms, and nothing of the refused set is appended; old clients'
 * magic 0/1 message sets are taken on Produce v0–2 only, CRC-checked, and read back by Fetch v0–3
 * as magic 0/1.
 */
import { expect } from 'chai';
import { ApiKey, decodeLegacyMessageSet, encodeLegacyMessageSet, encodeRecordBatch, ErrorCode } from '../../../protocol/index.js';
import type { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { createTopic, fetch, produce, startTestBroker, type TestBroker, waitForController, waitForLeadership } from './fixture.js';

const v = (s: string): Buffer => Buffer.from(s);

describe('broker > record errors (Produce v8) and old message formats (one in-process broker)', function () {
  this.timeout(60_000);
  let broker: TestBroker;
  let sock: KafkaSocket;

  before(async () => {
    broker = await startTestBroker(1, testZkConnect('samsa-record-errors'));
    await waitForController([broker]);
    sock = await broker.connect();
  });

  after(async () => {
    sock?.close();
    await broker?.stop();
  });

  async function topicWith(configs: Record<string, string>): Promise<string> {
    const topic = randomName('rec-err');
    expect(await createTopic(sock, topic, 1, configs)).to.equal(ErrorCode.NONE);
    await waitForLeadership(broker, topic, 0);
    return topic;
  }

  for (const version of [8, 9]) {
    it(`Produce v${version}: keyless records on a compacted topic are named (INVALID_RECORD) and nothing is appended`, async () => {
      const topic = await topicWith({ 'cleanup.policy': 'compact' });
      const records = encodeRecordBatch([{ key: v('a'), value: v('1') }, { key: null, value: v('2') }, { key: v('c'), value: v('3') }, { key: null, value: v('4') }]);
      const r = await produce(sock, topic, 0, records, -1, 5_000, version);
      expect(r.errorCode).to.equal(ErrorCode.INVALID_RECORD);
      expect(r.errorMessage).to.equal('One or more records have been rejected');
      expect(r.recordErrors?.map((e) => e.batchIndex)).to.deep.equal([1, 3]);
      expect(r.recordErrors?.[0]?.batchIndexErrorMessage).to.equal(`Compacted topic cannot accept message without key in topic partition ${topic}-0.`);
      const ok = await produce(sock, topic, 0, encodeRecordBatch([{ key: v('a'), value: v('1') }]), -1, 5_000, version);
      expect(ok.errorCode).to.equal(ErrorCode.NONE);
      expect(ok.baseOffset, 'the refused records took no offsets').to.equal(0n);
      expect(ok.recordErrors).to.deep.equal([]);
      expect(ok.errorMessage).to.equal(null);
    });
  }

  it('Produce v8: CreateTime stamps beyond message.timestamp.difference.max.ms are named (INVALID_TIMESTAMP); LogAppendTime topics do not check', async () => {
    const topic = await topicWith({ 'message.timestamp.difference.max.ms': '60000' });
    const now = BigInt(Date.now());
    const records = encodeRecordBatch([{ value: v('ok'), timestamp: now }, { value: v('old'), timestamp: now - 3_600_000n }]);
    const r = await produce(sock, topic, 0, records, -1, 5_000, 8);
    expect(r.errorCode).to.equal(ErrorCode.INVALID_TIMESTAMP);
    expect(r.errorMessage).to.equal('One or more records have been rejected due to invalid timestamp');
    expect(r.recordErrors).to.have.length(1);
    expect(r.recordErrors?.[0]?.batchIndex).to.equal(1);
    expect(r.recordErrors?.[0]?.batchIndexErrorMessage).to.match(new RegExp(`^Timestamp ${now - 3_600_000n} of message with offset 1 is out of range`));
    const f = await fetch(sock, topic, 0, 0n);
    expect(f.highWatermark).to.equal(0n);
    // v7 has no record_errors: the same refusal, the error code alone.
    expect((await produce(sock, topic, 0, records, -1, 5_000, 7)).errorCode).to.equal(ErrorCode.INVALID_TIMESTAMP);

    const appendTime = await topicWith({ 'message.timestamp.difference.max.ms': '60000', 'message.timestamp.type': 'LogAppendTime' });
    expect((await produce(sock, appendTime, 0, records, -1, 5_000, 8)).errorCode).to.equal(ErrorCode.NONE);
  });

  it('magic 0/1 message sets: taken on Produce v2 (CRC checked), refused on v3+, read back as magic 0 by Fetch v1 and magic 1 by Fetch v3', async () => {
    const topic = await topicWith({});
    const set = encodeLegacyMessageSet(
      [
        { offset: 0n, timestamp: 1_000n, key: v('k1'), value: v('one') },
        { offset: 1n, timestamp: 2_000n, key: null, value: v('two') },
      ],
      { magic: 1 },
    );
    const corrupt = Buffer.from(set);
    corrupt[corrupt.length - 1] = corrupt[corrupt.length - 1]! ^ 0xff;
    expect((await produce(sock, topic, 0, corrupt, -1, 5_000, 2)).errorCode).to.equal(ErrorCode.CORRUPT_MESSAGE);
    expect((await produce(sock, topic, 0, set, -1, 5_000, 3)).errorCode).to.equal(ErrorCode.INVALID_RECORD);
    const ok = await produce(sock, topic, 0, set, -1, 5_000, 2);
    expect(ok.errorCode).to.equal(ErrorCode.NONE);
    expect(ok.baseOffset).to.equal(0n);

    const v3 = decodeLegacyMessageSet((await fetch(sock, topic, 0, 0n, { version: 3 })).records ?? Buffer.alloc(0));
    expect(v3.magic).to.equal(1);
    expect(v3.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString()])).to.deep.equal([
      [0n, 1_000n, 'k1', 'one'],
      [1n, 2_000n, null, 'two'],
    ]);
    const v1 = decodeLegacyMessageSet((await fetch(sock, topic, 0, 0n, { version: 1 })).records ?? Buffer.alloc(0));
    expect(v1.magic).to.equal(0);
    expect(v1.records.map((r) => [r.offset, r.timestamp, r.value?.toString()])).to.deep.equal([
      [0n, -1n, 'one'],
      [1n, -1n, 'two'],
    ]);
  });

  it('zstd: Fetch below v10 on a compression.type=zstd topic answers UNSUPPORTED_COMPRESSION_TYPE; with compression.type=producer the batch goes out (v4) or uncompressed (v3)', async () => {
    const zstdTopic = await topicWith({ 'compression.type': 'zstd' });
    const zstd = encodeRecordBatch([{ value: v('z') }], { compression: 4 });
    expect((await produce(sock, zstdTopic, 0, zstd, -1, 5_000, 8)).errorCode).to.equal(ErrorCode.NONE);
    expect((await fetch(sock, zstdTopic, 0, 0n, { version: 9 })).errorCode).to.equal(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect((await fetch(sock, zstdTopic, 0, 0n, { version: 10 })).records?.length).to.be.greaterThan(0);

    const producerTopic = await topicWith({});
    expect((await produce(sock, producerTopic, 0, zstd, -1, 5_000, 8)).errorCode).to.equal(ErrorCode.NONE);
    const v4 = await fetch(sock, producerTopic, 0, 0n, { version: 4 });
    expect(v4.errorCode).to.equal(ErrorCode.NONE);
    expect(v4.records?.length).to.be.greaterThan(0);
    const v3 = decodeLegacyMessageSet((await fetch(sock, producerTopic, 0, 0n, { version: 3 })).records ?? Buffer.alloc(0));
    expect(v3.compression).to.equal(0);
    expect(v3.records.map((r) => r.value?.toString())).to.deep.equal(['z']);
  });
});
