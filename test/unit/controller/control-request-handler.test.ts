import { expect } from 'chai';
import { silentLogger } from '../../../broker/logging.js';
import {
  ControlRequestHandler,
  type LeaderAndIsrPartitionState,
  type LeaderAndIsrResponse,
  MetadataCache,
  type StopReplicaPartition,
  type StopReplicaResponse,
  type UpdateMetadataResponse,
} from '../../../broker/metadata/index.js';

function setup(brokerEpoch = 100n) {
  const cache = new MetadataCache();
  const applied: LeaderAndIsrPartitionState[] = [];
  const stopped: StopReplicaPartition[] = [];
  let epoch = brokerEpoch;
  const handler = new ControlRequestHandler({
    brokerId: 1,
    brokerEpoch: () => epoch,
    cache,
    logger: silentLogger(),
    listener: { onLeaderAndIsr: (s) => void applied.push(...s), onStopReplica: (p) => void stopped.push(...p) },
  });
  return { handler, cache, applied, stopped, setEpoch: (e: bigint) => (epoch = e) };
}

const part = (partition: number, leaderEpoch: number, replicas = [1, 2]): LeaderAndIsrPartitionState => ({
  topic: 't',
  partition,
  controllerEpoch: 1,
  leader: replicas[0]!,
  leaderEpoch,
  isr: replicas,
  zkVersion: 0,
  replicas,
  addingReplicas: [],
  removingReplicas: [],
  isNew: false,
});

const lai = (controllerEpoch: number, brokerEpoch: bigint, states: LeaderAndIsrPartitionState[]) => ({ controllerId: 9, controllerEpoch, brokerEpoch, partitionStates: states, liveLeaders: [] });

describe('broker metadata > control request fencing', () => {
  const table: Array<[string, number, bigint, string]> = [
    ['current epochs: applied', 5, 100n, 'NONE'],
    ['higher controller epoch: applied', 6, 100n, 'NONE'],
    ['unknown broker epoch (-1): applied', 5, -1n, 'NONE'],
    ['newer broker epoch than ours: applied', 5, 200n, 'NONE'],
    ['older controller epoch', 4, 100n, 'STALE_CONTROLLER_EPOCH'],
    ['older broker epoch', 5, 99n, 'STALE_BROKER_EPOCH'],
  ];
  for (const [name, controllerEpoch, brokerEpoch, expected] of table) {
    it(`LeaderAndIsr: ${name}`, async () => {
      const { handler } = setup();
      await handler.handle('UpdateMetadata', { controllerId: 9, controllerEpoch: 5, brokerEpoch: 100n, partitionStates: [], liveBrokers: [] });
      const r = (await handler.handle('LeaderAndIsr', lai(controllerEpoch, brokerEpoch, [part(0, 0)]))) as LeaderAndIsrResponse;
      expect(r.errorCode).to.equal(expected);
      const u = (await handler.handle('UpdateMetadata', { controllerId: 9, controllerEpoch, brokerEpoch, partitionStates: [], liveBrokers: [] })) as UpdateMetadataResponse;
      expect(u.errorCode).to.equal(expected);
      const s = (await handler.handle('StopReplica', { controllerId: 9, controllerEpoch, brokerEpoch, partitions: [] })) as StopReplicaResponse;
      expect(s.errorCode).to.equal(expected);
    });
  }

  it('per partition: only a leader epoch that moves forward is applied', async () => {
    const { handler, applied } = setup();
    await handler.handle('LeaderAndIsr', lai(1, 100n, [part(0, 3), part(1, 0)]));
    const r = (await handler.handle('LeaderAndIsr', lai(1, 100n, [part(0, 3), part(1, 1), part(2, 0, [2, 3])]))) as LeaderAndIsrResponse;
    expect(r.errorCode).to.equal('NONE');
    expect(r.partitionErrors.map((e) => `${e.partition}:${e.errorCode}`)).to.deep.equal(['0:STALE_CONTROLLER_EPOCH', '1:NONE', '2:UNKNOWN_TOPIC_OR_PARTITION']);
    expect(applied.map((s) => `${s.partition}@${s.leaderEpoch}`)).to.deep.equal(['0@3', '1@0', '1@1']);
    expect(handler.leaderEpochOf('t', 1)).to.equal(1);
  });

  it('StopReplica: old epochs are fenced, delete sentinels always apply', async () => {
    const { handler, stopped } = setup();
    await handler.handle('LeaderAndIsr', lai(1, 100n, [part(0, 3), part(1, 3)]));
    const r = (await handler.handle('StopReplica', {
      controllerId: 9,
      controllerEpoch: 1,
      brokerEpoch: 100n,
      partitions: [
        { topic: 't', partition: 0, leaderEpoch: 2, deletePartition: false },
        { topic: 't', partition: 1, leaderEpoch: -2, deletePartition: true },
      ],
    })) as StopReplicaResponse;
    expect(r.partitionErrors.map((e) => e.errorCode)).to.deep.equal(['FENCED_LEADER_EPOCH', 'NONE']);
    expect(stopped.map((p) => p.partition)).to.deep.equal([1]);
    expect(handler.leaderEpochOf('t', 1)).to.equal(-1);
  });

  it('a re-registered broker (new epoch) refuses requests addressed to its previous incarnation', async () => {
    const { handler, setEpoch } = setup(100n);
    setEpoch(150n);
    const r = (await handler.handle('LeaderAndIsr', lai(1, 100n, [part(0, 0)]))) as LeaderAndIsrResponse;
    expect(r.errorCode).to.equal('STALE_BROKER_EPOCH');
  });

  it('UpdateMetadata fills the cache: brokers, endpoints per listener, racks, partitions; -2 removes', async () => {
    const { handler, cache } = setup();
    await handler.handle('UpdateMetadata', {
      controllerId: 2,
      controllerEpoch: 4,
      brokerEpoch: 100n,
      liveBrokers: [
        { id: 1, rack: 'r1', endpoints: [{ listener: 'PLAINTEXT', host: 'h1', port: 9092, securityProtocol: 'PLAINTEXT' }] },
        { id: 2, rack: null, endpoints: [{ listener: 'PLAINTEXT', host: 'h2', port: 9093, securityProtocol: 'PLAINTEXT' }] },
      ],
      partitionStates: [
        { topic: 'a', partition: 0, controllerEpoch: 4, leader: 1, leaderEpoch: 2, isr: [1, 2], zkVersion: 3, replicas: [1, 2, 3], offlineReplicas: [3] },
        { topic: 'a', partition: 1, controllerEpoch: 4, leader: 2, leaderEpoch: 0, isr: [2], zkVersion: 0, replicas: [2], offlineReplicas: [] },
      ],
    });
    expect(cache.controllerId).to.equal(2);
    expect(cache.endpoint(1, 'PLAINTEXT')).to.deep.equal({ host: 'h1', port: 9092, securityProtocol: 'PLAINTEXT' });
    expect(cache.getBroker(1)!.rack).to.equal('r1');
    expect(cache.getPartition('a', 0)).to.deep.include({ leader: 1, leaderEpoch: 2, offlineReplicas: [3] });
    expect(cache.topicNames()).to.deep.equal(['a']);
    await handler.handle('UpdateMetadata', {
      controllerId: 2,
      controllerEpoch: 4,
      brokerEpoch: 100n,
      liveBrokers: [],
      partitionStates: [
        { topic: 'a', partition: 0, controllerEpoch: 4, leader: -2, leaderEpoch: 2, isr: [], zkVersion: 3, replicas: [], offlineReplicas: [] },
        { topic: 'a', partition: 1, controllerEpoch: 4, leader: -2, leaderEpoch: 0, isr: [], zkVersion: 0, replicas: [], offlineReplicas: [] },
      ],
    });
    expect(cache.hasTopic('a')).to.equal(false);
    expect(cache.aliveBrokers()).to.deep.equal([]);
  });

  it('tells the replica manager which brokers an UpdateMetadata dropped, so per-partition sweeps run only then', async () => {
    const cache = new MetadataCache();
    const seen: Array<{ deleted: readonly string[]; left: readonly number[] }> = [];
    const handler = new ControlRequestHandler({
      brokerId: 1,
      brokerEpoch: () => 100n,
      cache,
      logger: silentLogger(),
      listener: { onLeaderAndIsr: () => undefined, onStopReplica: () => undefined, onMetadataUpdate: (deleted, left) => void seen.push({ deleted, left }) },
    });
    const broker = (id: number) => ({ id, rack: null, endpoints: [{ listener: 'PLAINTEXT', host: 'h', port: 9000 + id, securityProtocol: 'PLAINTEXT' }] });
    const update = (ids: number[]) => handler.handle('UpdateMetadata', { controllerId: 1, controllerEpoch: 1, brokerEpoch: 100n, liveBrokers: ids.map(broker), partitionStates: [] });
    await update([1, 2, 3]);
    await update([1, 2, 3]); // an ISR change: same brokers
    await update([1, 3]); // broker 2's session expired
    await update([1, 2, 3]); // it came back
    expect(seen.map((s) => s.left)).to.deep.equal([[], [], [2], []]);
  });
});
