import { expect } from 'chai';
import {
  GroupCoordinatorError,
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeOffsetsKey,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
} from '../../../broker/group/index.js';

const str = (s: string): Buffer => {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeInt16BE(b.length);
  return Buffer.concat([len, b]);
};
const i16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
};
const i32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const i64 = (v: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
};
const bytes = (v: Buffer): Buffer => Buffer.concat([i32(v.length), v]);

const group: GroupMetadataValue = {
  protocolType: 'consumer',
  generationId: 7,
  protocolName: 'range',
  leader: 'm1',
  currentStateTimestamp: 1_700_000_000_000n,
  members: [
    { memberId: 'm1', groupInstanceId: 'i1', clientId: 'c1', clientHost: '/127.0.0.1', rebalanceTimeoutMs: 300000, sessionTimeoutMs: 45000, subscription: Buffer.from([0, 1, 2]), assignment: Buffer.from([9]) },
    { memberId: 'm2', groupInstanceId: null, clientId: 'c2', clientHost: '/127.0.0.2', rebalanceTimeoutMs: 60000, sessionTimeoutMs: 10000, subscription: Buffer.alloc(0), assignment: Buffer.alloc(0) },
  ],
};

describe('group > __consumer_offsets codec (Kafka GroupMetadataManager layouts)', () => {
  it('writes offset commit keys as version 1 (group, topic, partition)', () => {
    const key = encodeOffsetCommitKey('g', 'topic', 3);
    expect(key).to.deep.equal(Buffer.concat([i16(1), str('g'), str('topic'), i32(3)]));
    expect(decodeOffsetsKey(key)).to.deep.equal({ type: 'offset', version: 1, groupId: 'g', topic: 'topic', partition: 3 });
    // Version 0 keys (older brokers) read the same way.
    expect(decodeOffsetsKey(Buffer.concat([i16(0), str('g'), str('t'), i32(0)]))).to.include({ type: 'offset', version: 0 });
  });

  it('writes group metadata keys as version 2 (group)', () => {
    const key = encodeGroupMetadataKey('my-group');
    expect(key).to.deep.equal(Buffer.concat([i16(2), str('my-group')]));
    expect(decodeOffsetsKey(key)).to.deep.equal({ type: 'group', version: 2, groupId: 'my-group' });
  });

  it('writes offset values as v3, or v1 when an expire timestamp is set', () => {
    const v3 = encodeOffsetCommitValue({ offset: 42n, leaderEpoch: 5, metadata: 'meta', commitTimestamp: 1000n, expireTimestamp: null });
    expect(v3).to.deep.equal(Buffer.concat([i16(3), i64(42n), i32(5), str('meta'), i64(1000n)]));
    expect(decodeOffsetCommitValue(v3)).to.deep.equal({ version: 3, offset: 42n, leaderEpoch: 5, metadata: 'meta', commitTimestamp: 1000n, expireTimestamp: null });
    const v1 = encodeOffsetCommitValue({ offset: 1n, leaderEpoch: -1, metadata: '', commitTimestamp: 10n, expireTimestamp: 20n });
    expect(v1).to.deep.equal(Buffer.concat([i16(1), i64(1n), str(''), i64(10n), i64(20n)]));
    expect(decodeOffsetCommitValue(v1)).to.include({ version: 1, expireTimestamp: 20n });
  });

  it('reads offset values v0 and v2 written by older brokers', () => {
    expect(decodeOffsetCommitValue(Buffer.concat([i16(0), i64(8n), str('x'), i64(99n)]))).to.deep.equal({ version: 0, offset: 8n, leaderEpoch: -1, metadata: 'x', commitTimestamp: 99n, expireTimestamp: null });
    expect(decodeOffsetCommitValue(Buffer.concat([i16(2), i64(8n), str('x'), i64(99n)]))).to.include({ version: 2, offset: 8n });
    expect(decodeOffsetCommitValue(Buffer.concat([i16(1), i64(8n), str(''), i64(99n), i64(-1n)])).expireTimestamp).to.equal(null);
  });

  it('writes group values as v3 with static member ids and reads them back', () => {
    const buf = encodeGroupMetadataValue(group);
    const m1 = group.members[0]!;
    const expectedStart = Buffer.concat([i16(3), str('consumer'), i32(7), str('range'), str('m1'), i64(1_700_000_000_000n), i32(2), str('m1'), str('i1'), str('c1'), str('/127.0.0.1'), i32(300000), i32(45000), bytes(m1.subscription), bytes(m1.assignment)]);
    expect(buf.subarray(0, expectedStart.length)).to.deep.equal(expectedStart);
    // The dynamic member's instance id is a null string (-1 length).
    expect(buf.includes(Buffer.concat([str('m2'), i16(-1), str('c2')]))).to.equal(true);
    expect(decodeGroupMetadataValue(buf)).to.deep.equal({ version: 3, ...group });
  });

  it('reads group values v0–v2 (no instance ids; v0 without rebalance timeout or state timestamp)', () => {
    for (const version of [0, 1, 2]) {
      const decoded = decodeGroupMetadataValue(encodeGroupMetadataValue(group, version));
      expect(decoded.version).to.equal(version);
      expect(decoded.members.map((m) => m.groupInstanceId)).to.deep.equal([null, null]);
      expect(decoded.currentStateTimestamp).to.equal(version >= 2 ? group.currentStateTimestamp : null);
      expect(decoded.members[0]!.rebalanceTimeoutMs).to.equal(version >= 1 ? 300000 : 45000);
      expect(decoded.members[0]!.assignment).to.deep.equal(Buffer.from([9]));
    }
    const empty = encodeGroupMetadataValue({ protocolType: 'consumer', generationId: 2, protocolName: null, leader: null, currentStateTimestamp: null, members: [] });
    expect(decodeGroupMetadataValue(empty)).to.deep.include({ protocolName: null, leader: null, currentStateTimestamp: null, members: [] });
  });

  it('refuses truncated, unknown or absurd input with a codec error', () => {
    const full = encodeGroupMetadataValue(group);
    for (let cut = 0; cut < full.length; cut += 7) {
      expect(() => decodeGroupMetadataValue(full.subarray(0, cut)), `cut at ${cut}`).to.throw(GroupCoordinatorError);
    }
    expect(() => decodeOffsetsKey(Buffer.concat([i16(9), str('g')]))).to.throw(GroupCoordinatorError, /key version 9/);
    expect(() => decodeOffsetCommitValue(Buffer.concat([i16(4), i64(1n)]))).to.throw(GroupCoordinatorError);
    const hugeArray = Buffer.concat([i16(3), str('consumer'), i32(1), str('r'), str('l'), i64(0n), i32(0x7fffffff)]);
    expect(() => decodeGroupMetadataValue(hugeArray)).to.throw(GroupCoordinatorError);
    try {
      decodeOffsetsKey(Buffer.alloc(1));
    } catch (err) {
      expect(err).to.include({ code: 'BRK_GROUP_CODEC', retriable: false });
    }
  });
});
