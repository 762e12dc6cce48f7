import { expect } from 'chai';
import { createRequire } from 'node:module';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../../protocol/index.js';

// KafkaJS is CommonJS; its AssignerProtocol is the reference for what KafkaJS members send.
const require = createRequire(import.meta.url);
const { AssignerProtocol } = require('kafkajs') as {
  AssignerProtocol: {
    MemberMetadata: { encode(m: { version: number; topics: string[]; userData?: Buffer }): Buffer; decode(b: Buffer): { version: number; topics: string[]; userData: Buffer } };
    MemberAssignment: {
      encode(a: { version: number; assignment: Record<string, number[]>; userData?: Buffer }): Buffer;
      decode(b: Buffer): { version: number; assignment: Record<string, number[]>; userData: Buffer } | null;
    };
  };
};

describe('client > assignors > ConsumerProtocol interop with KafkaJS 2.2.4', () => {
  it('reads the subscriptions KafkaJS members send', () => {
    const withData = decodeSubscription(AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['a', 'b'], userData: Buffer.from('u') }));
    expect(withData).to.deep.include({ version: 0, topics: ['a', 'b'] });
    expect(withData.userData?.toString()).to.equal('u');
    const without = decodeSubscription(AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ['a'] }));
    expect(without).to.deep.include({ version: 1, topics: ['a'], ownedPartitions: [] });
  });

  it('KafkaJS reads our subscriptions (v0)', () => {
    const ours = encodeSubscription({ topics: ['x', 'y'], userData: Buffer.from([1, 2]) }, 0);
    const theirs = AssignerProtocol.MemberMetadata.decode(ours);
    expect(theirs.version).to.equal(0);
    expect(theirs.topics).to.deep.equal(['x', 'y']);
    expect([...theirs.userData]).to.deep.equal([1, 2]);
  });

  it('assignments cross both ways', () => {
    const fromKafkaJs = decodeAssignment(AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: { t: [0, 2], u: [1] }, userData: Buffer.alloc(0) }));
    expect(fromKafkaJs.assignedPartitions).to.deep.equal([{ topic: 't', partitions: [0, 2] }, { topic: 'u', partitions: [1] }]);
    const ours = encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [3] }], userData: Buffer.alloc(0) }, 0);
    expect(AssignerProtocol.MemberAssignment.decode(ours)).to.deep.include({ version: 0, assignment: { t: [3] } });
  });
});
