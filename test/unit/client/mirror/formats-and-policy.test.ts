/**
 * MirrorMaker 2's record formats byte for byte (Kafka's Struct encoding, as its OffsetSync,
 * Checkpoint and Heartbeat classes write them; Connect's JSON offsets) and its naming rules:
 * remote topic names, cycle detection, which topics a flow replicates.
 */
import { expect } from 'chai';
import { mirror } from '../../../../client/index.js';

const { replicationPolicy, isCycle, shouldReplicateTopic, compilePatternList } = mirror;

describe('client > mirror > formats', () => {
  it('offset sync: key = int16-length topic + int32 partition, value = two int64', () => {
    const { key, value } = mirror.encodeOffsetSync({ topic: 'orders', partition: 3, upstreamOffset: 10n, downstreamOffset: 7n });
    expect(key.toString('hex')).to.equal('00066f726465727300000003');
    expect(value.toString('hex')).to.equal('000000000000000a' + '0000000000000007');
    expect(mirror.decodeOffsetSync(key, value)).to.deep.equal({ topic: 'orders', partition: 3, upstreamOffset: 10n, downstreamOffset: 7n });
  });

  it('checkpoint: key (group, topic, partition), value version 0 + upstream, downstream, metadata', () => {
    const cp = { group: 'g', topic: 'A.t', partition: 1, upstreamOffset: 5n, downstreamOffset: 4n, metadata: '' };
    const { key, value } = mirror.encodeCheckpoint(cp);
    expect(key.toString('hex')).to.equal('0001' + '67' + '0003' + '412e74' + '00000001');
    expect(value.toString('hex')).to.equal('0000' + '0000000000000005' + '0000000000000004' + '0000');
    expect(mirror.decodeCheckpoint(key, value)).to.deep.equal(cp);
  });

  it('heartbeat: key (source, target), value version 0 + timestamp', () => {
    const { key, value } = mirror.encodeHeartbeat({ sourceClusterAlias: 'A', targetClusterAlias: 'B', timestamp: 1000n });
    expect(key.toString('hex')).to.equal('000141' + '000142');
    expect(value.toString('hex')).to.equal('0000' + '00000000000003e8');
    expect(mirror.decodeHeartbeat(key, value)).to.deep.equal({ sourceClusterAlias: 'A', targetClusterAlias: 'B', timestamp: 1000n });
  });

  it("source offsets in Kafka Connect's JSON; other connectors' keys are skipped; offsets above 2^53 stay exact", () => {
    const key = mirror.encodeSourceOffsetKey({ cluster: 'A', topic: 'orders', partition: 2 });
    expect(key.toString()).to.equal('["MirrorSourceConnector",{"cluster":"A","partition":2,"topic":"orders"}]');
    expect(mirror.decodeSourceOffsetKey(key)).to.deep.equal({ cluster: 'A', topic: 'orders', partition: 2 });
    expect(mirror.decodeSourceOffsetKey(Buffer.from('["MirrorCheckpointConnector",{"group":"g"}]'))).to.equal(undefined);
    expect(mirror.decodeSourceOffsetValue(mirror.encodeSourceOffsetValue(2n ** 60n + 1n))).to.equal(2n ** 60n + 1n);
    expect(mirror.decodeSourceOffsetValue(Buffer.from('{ "offset" : 41 }'))).to.equal(41n);
    expect(mirror.decodeSourceOffsetValue(null)).to.equal(null);
  });

  it('malformed records are a CLI_PROTOCOL error naming the record kind, never an over-read', () => {
    expect(() => mirror.decodeOffsetSync(Buffer.from([0, 9, 1]), Buffer.alloc(16))).to.throw(/malformed offset sync/).with.property('code', 'CLI_PROTOCOL');
    expect(() => mirror.decodeCheckpoint(Buffer.alloc(8), Buffer.from([0, 1]))).to.throw(/checkpoint version 1/);
    expect(() => mirror.decodeHeartbeat(null, Buffer.alloc(10))).to.throw(/malformed heartbeat/);
    expect(() => mirror.decodeSourceOffsetKey(Buffer.from('{nope'))).to.throw(/malformed source offset/);
    expect(() => mirror.decodeSourceOffsetValue(Buffer.from('{"offset":"x"}'))).to.throw(/malformed source offset/);
  });
});

describe('client > mirror > replication policy', () => {
  const def = replicationPolicy('DefaultReplicationPolicy');
  const identity = replicationPolicy('IdentityReplicationPolicy');

  it('default policy: <source>.<topic>, and back', () => {
    expect(def.formatRemoteTopic('A', 'orders')).to.equal('A.orders');
    expect(def.topicSource('A.orders')).to.equal('A');
    expect(def.upstreamTopic('B.A.orders')).to.equal('A.orders');
    expect(def.originalTopic('B.A.orders')).to.equal('orders');
    expect(def.topicSource('orders')).to.equal(null);
    expect(def.topicSource('orders.')).to.equal(null);
    const underscore = replicationPolicy('DefaultReplicationPolicy', '_');
    expect(underscore.formatRemoteTopic('A', 'orders')).to.equal('A_orders');
    expect(underscore.upstreamTopic('B_A_orders')).to.equal('A_orders');
    expect([underscore.offsetSyncsTopic('B'), underscore.checkpointsTopic('A'), underscore.offsetStorageTopic('A')]).to.deep.equal(['mm2-offset-syncs_B_internal', 'A_checkpoints_internal', 'mm2-offsets.A.internal']);
    expect(underscore.isInternalTopic('A_checkpoints_internal')).to.equal(true);
  });

  it('internal topics: MM2 names and checks', () => {
    expect(def.offsetSyncsTopic('B')).to.equal('mm2-offset-syncs.B.internal');
    expect(def.checkpointsTopic('A')).to.equal('A.checkpoints.internal');
    expect(def.offsetStorageTopic('A')).to.equal('mm2-offsets.A.internal');
    for (const t of ['A.checkpoints.internal', 'mm2-offsets.A.internal', 'x-internal', '__consumer_offsets', '.hidden']) expect(def.isInternalTopic(t), t).to.equal(true);
    expect(def.isInternalTopic('orders')).to.equal(false);
    expect(def.isHeartbeatsTopic('heartbeats')).to.equal(true);
    expect(def.isHeartbeatsTopic('B.A.heartbeats')).to.equal(true);
  });

  it('identity policy keeps names (heartbeats excepted) and so cannot see a cycle', () => {
    expect(identity.formatRemoteTopic('A', 'orders')).to.equal('orders');
    expect(identity.formatRemoteTopic('A', 'heartbeats')).to.equal('A.heartbeats');
    expect(identity.originalTopic('orders')).to.equal('orders');
    expect(isCycle(identity, 'A', 'orders')).to.equal(false);
    expect(isCycle(identity, 'A', 'A.heartbeats')).to.equal(true);
  });

  it('cycles: a topic that came from the target, at any hop, is never sent back', () => {
    const table: Array<[string, boolean]> = [
      ['orders', false],
      ['B.orders', true],
      ['C.orders', false],
      ['C.B.orders', true],
      ['C.D.orders', false],
    ];
    for (const [topic, cycle] of table) expect(isCycle(def, 'B', topic), topic).to.equal(cycle);
  });

  it('which topics the flow A->B replicates: topics/topics.exclude, heartbeats always, never internal or cyclic', () => {
    const topics = { include: compilePatternList('orders, pay.*'), exclude: compilePatternList('payments-old') };
    const table: Array<[string, boolean]> = [
      ['orders', true],
      ['orders2', false],
      ['payments', true],
      ['payments-old', false],
      ['heartbeats', true],
      ['C.heartbeats', true],
      ['B.heartbeats', false],
      ['B.orders', false],
      ['mm2-offsets.A.internal', false],
      ['__consumer_offsets', false],
    ];
    for (const [topic, yes] of table) expect(shouldReplicateTopic(def, topics, 'B', topic), topic).to.equal(yes);
  });

  it('pattern lists match whole names; an empty list matches nothing', () => {
    const p = compilePatternList(' a.c , x ')!;
    expect(p.test('abc')).to.equal(true);
    expect(p.test('abcd')).to.equal(false);
    expect(p.test('x')).to.equal(true);
    expect(compilePatternList(' , ')).to.equal(null);
  });
});
