/**
 * The consumer-group APIs at Kafka 2.8's newest versions over a socket to a real in-process
 * broker (real ZooKeeper, real __consumer_offsets log): flexible encodings everywhere, JoinGroup
 * v7's protocol type, SyncGroup v5's protocol check, DescribeGroups' authorized operations,
 * ListGroups v4's states, OffsetFetch v7's requireStable; and a member joining with rebalance
 * timeout 0 that is still there when its SyncGroup arrives.
 */
import { expect } from 'chai';
import { sleep, systemScheduler } from '../../../common/index.js';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import type { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createTopic, startTestBroker, type TestBroker, waitForController, waitForLeaders } from './fixture.js';

const GROUP_OPS = 328; // READ 3, DELETE 6, DESCRIBE 8
const INT32_MIN = -2147483648;

describe('broker > group APIs at Kafka 2.8 versions (one in-process broker)', function () {
  this.timeout(60_000);
  let broker: TestBroker;
  let sock: KafkaSocket;
  const topic = randomName('grp-topic');

  const join = (groupId: string, memberId: string, rebalanceTimeoutMs = 10_000) =>
    sock.request(ApiKey.JoinGroup, 7, {
      groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs, memberId, groupInstanceId: null, protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from('meta') }],
    }, 15_000);

  /** A one-member group through KIP-394's MEMBER_ID_REQUIRED round trip. */
  async function joined(groupId: string, rebalanceTimeoutMs?: number) {
    const first = await join(groupId, '', rebalanceTimeoutMs);
    expect(first.errorCode).to.equal(ErrorCode.MEMBER_ID_REQUIRED);
    const j = await join(groupId, first.memberId, rebalanceTimeoutMs);
    expect(j.errorCode).to.equal(ErrorCode.NONE);
    return j;
  }

  const sync = (groupId: string, generationId: number, memberId: string, protocolName: string | null = 'range') =>
    sock.request(ApiKey.SyncGroup, 5, {
      groupId, generationId, memberId, groupInstanceId: null, protocolType: 'consumer', protocolName,
      assignments: [{ memberId, assignment: Buffer.from('assigned') }],
    });

  before(async () => {
    broker = await startTestBroker(1, testZkConnect('samsa-grp28'), {
      'offsets.topic.replication.factor': 1,
      'offsets.topic.num.partitions': 1,
      'group.initial.rebalance.delay.ms': 0,
    });
    await waitForController([broker]);
    sock = await broker.connect();
    expect(await createTopic(sock, topic)).to.equal(ErrorCode.NONE);
    await waitForLeaders(broker, topic, 1);
    await waitFor(async () => (await sock.request(ApiKey.FindCoordinator, 3, { key: 'g', keyType: 0 })).errorCode === ErrorCode.NONE, 'a group coordinator', { timeoutMs: 20_000 });
  });

  after(async () => {
    sock?.close();
    await broker?.stop();
  });

  it('FindCoordinator v3, JoinGroup v7 (protocol type), SyncGroup v5 (protocol checked and echoed), Heartbeat v4', async () => {
    const fc = await sock.request(ApiKey.FindCoordinator, 3, { key: 'g', keyType: 0 });
    expect(fc).to.deep.include({ errorCode: ErrorCode.NONE, nodeId: 1, port: broker.port });
    const groupId = randomName('g7');
    const j = await joined(groupId);
    expect(j).to.deep.include({ protocolType: 'consumer', protocolName: 'range', generationId: 1, leader: j.memberId });
    expect((await sync(groupId, j.generationId, j.memberId, 'roundrobin')).errorCode).to.equal(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const s = await sync(groupId, j.generationId, j.memberId);
    expect(s).to.deep.include({ errorCode: ErrorCode.NONE, protocolType: 'consumer', protocolName: 'range' });
    expect(s.assignment.toString()).to.equal('assigned');
    const hb = await sock.request(ApiKey.Heartbeat, 4, { groupId, generationId: j.generationId, memberId: j.memberId, groupInstanceId: null });
    expect(hb.errorCode).to.equal(ErrorCode.NONE);
  });

  it('rebalance timeout 0: the member is still there when its SyncGroup arrives a second later', async () => {
    const groupId = randomName('g0');
    const j = await joined(groupId, 0);
    // The delay is the scenario, not synchronisation: a SyncGroup that arrives a while after
    // the join phase ended (the pending-sync timer used to drop the member at once).
    await sleep(systemScheduler, 1_000);
    const s = await sync(groupId, j.generationId, j.memberId);
    expect(s.errorCode).to.equal(ErrorCode.NONE);
    const d = await sock.request(ApiKey.DescribeGroups, 5, { groups: [groupId], includeAuthorizedOperations: false });
    expect(d.groups[0]).to.deep.include({ groupState: 'Stable', authorizedOperations: INT32_MIN });
    expect(d.groups[0]!.members.map((m) => m.memberId)).to.deep.equal([j.memberId]);
  });

  it('OffsetCommit v8, OffsetFetch v7 (requireStable), DescribeGroups v5, ListGroups v4 (states), LeaveGroup v4, DeleteGroups v2', async () => {
    const groupId = randomName('g8');
    const j = await joined(groupId);
    expect((await sync(groupId, j.generationId, j.memberId)).errorCode).to.equal(ErrorCode.NONE);
    const oc = await sock.request(ApiKey.OffsetCommit, 8, {
      groupId, generationIdOrMemberEpoch: j.generationId, memberId: j.memberId, groupInstanceId: null,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: 0, committedMetadata: 'm' }] }],
    });
    expect(oc.topics[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.NONE);
    const of = await sock.request(ApiKey.OffsetFetch, 7, { groupId, topics: [{ name: topic, partitionIndexes: [0] }], requireStable: true });
    expect(of.errorCode).to.equal(ErrorCode.NONE);
    expect(of.topics![0]!.partitions![0]).to.deep.include({ committedOffset: 42n, committedLeaderEpoch: 0, metadata: 'm', errorCode: ErrorCode.NONE });

    const d = await sock.request(ApiKey.DescribeGroups, 5, { groups: [groupId], includeAuthorizedOperations: true });
    expect(d.groups[0]).to.deep.include({ errorCode: ErrorCode.NONE, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range', authorizedOperations: GROUP_OPS });

    const list = async (statesFilter: string[]) => (await sock.request(ApiKey.ListGroups, 4, { statesFilter })).groups.filter((g) => g.groupId === groupId);
    expect(await list([])).to.deep.equal([{ groupId, protocolType: 'consumer', groupState: 'Stable' }]);
    expect(await list(['stable', 'Empty'])).to.have.length(1);
    expect(await list(['Empty'])).to.deep.equal([]);

    const lg = await sock.request(ApiKey.LeaveGroup, 4, { groupId, members: [{ memberId: j.memberId, groupInstanceId: null }] });
    expect(lg.errorCode).to.equal(ErrorCode.NONE);
    expect(lg.members).to.deep.equal([{ memberId: j.memberId, groupInstanceId: null, errorCode: ErrorCode.NONE }]);
    await waitFor(async () => (await list(['Empty'])).length === 1, 'the group empty after the leave');
    const dg = await sock.request(ApiKey.DeleteGroups, 2, { groupsNames: [groupId, randomName('nope')] });
    expect(dg.results.map((r) => r.errorCode)).to.deep.equal([ErrorCode.NONE, ErrorCode.GROUP_ID_NOT_FOUND]);
  });
});
