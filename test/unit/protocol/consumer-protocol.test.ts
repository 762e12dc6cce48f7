import { expect } from 'chai';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, ProtocolError } from '../../../protocol/index.js';

describe('protocol > ConsumerProtocol (subscription and assignment payloads)', () => {
  it('subscription v0/v1/v3 round-trip', () => {
    const owned = [{ topic: 'a', partitions: [0, 2] }];
    const v0 = decodeSubscription(encodeSubscription({ topics: ['a', 'b'], userData: Buffer.from('u') }, 0));
    expect(v0).to.deep.include({ version: 0, topics: ['a', 'b'], ownedPartitions: [] });
    expect(v0.userData?.toString()).to.equal('u');
    const v1 = decodeSubscription(encodeSubscription({ topics: ['a'], ownedPartitions: owned }, 1));
    expect(v1).to.deep.include({ version: 1, topics: ['a'], userData: null, ownedPartitions: owned, generationId: -1 });
    const v3 = decodeSubscription(encodeSubscription({ topics: ['a'], ownedPartitions: owned, generationId: 7, rackId: 'r1' }, 3));
    expect(v3).to.deep.include({ version: 3, generationId: 7, rackId: 'r1' });
  });

  it('subscription v0 bytes are exactly Kafka\'s layout', () => {
    const bytes = encodeSubscription({ topics: ['t'], userData: null }, 0);
    // version 0 | 1 topic | len 1 "t" | userData null
    expect(bytes.toString('hex')).to.equal('0000' + '00000001' + '0001' + '74' + 'ffffffff');
  });

  it('reads a KafkaJS-style subscription without userData and a newer version with extra fields', () => {
    const short = Buffer.from('0000' + '00000001' + '0001' + '74', 'hex');
    expect(decodeSubscription(short)).to.deep.include({ topics: ['t'], userData: null });
    const future = Buffer.concat([encodeSubscription({ topics: ['t'], generationId: 3, rackId: null }, 3), Buffer.from('beef', 'hex')]);
    future.writeInt16BE(9, 0);
    expect(decodeSubscription(future)).to.deep.include({ version: 9, topics: ['t'], generationId: 3 });
  });

  it('assignment round-trip, empty assignment, and exact bytes', () => {
    const a = { assignedPartitions: [{ topic: 't', partitions: [1] }], userData: null };
    expect(decodeAssignment(encodeAssignment(a, 0))).to.deep.equal({ version: 0, ...a });
    expect(encodeAssignment(a, 0).toString('hex')).to.equal('0000' + '00000001' + '0001' + '74' + '00000001' + '00000001' + 'ffffffff');
    expect(decodeAssignment(Buffer.alloc(0)).assignedPartitions).to.deep.equal([]);
  });

  it('rejects truncated and absurd payloads with a ProtocolError', () => {
    const good = encodeAssignment({ assignedPartitions: [{ topic: 'topic', partitions: [1, 2, 3] }] });
    for (let cut = 1; cut < good.length - 4; cut++) {
      expect(() => decodeAssignment(good.subarray(0, cut)), `cut at ${cut}`).to.throw(ProtocolError);
    }
    const huge = Buffer.from('0000' + '7fffffff', 'hex');
    expect(() => decodeSubscription(huge)).to.throw(ProtocolError).with.property('code', 'PRT_INVALID_LENGTH');
    expect(() => decodeSubscription(Buffer.from('ffff00000000', 'hex'))).to.throw(ProtocolError).with.property('code', 'PRT_UNSUPPORTED_VERSION');
  });
});
