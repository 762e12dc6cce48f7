import { expect } from 'chai';
import { silentLogger } from '../../../broker/index.js';
import type { BrokerEndpoint, InterBrokerTransport } from '../../../broker/network/index.js';
import { backgroundScheduler, sleep } from '../../../common/index.js';
import {
  LEADER_EPOCH_END_OFFSET_API,
  Partition,
  REPLICA_FETCH_API,
  ReplicaFetcher,
  type EpochEndOffsetRequest,
  type ReplicaFetchRequest,
} from '../../../broker/replica/index.js';
import type { PartitionLog } from '../../../storage/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import { batch, openLog, readAll } from '../storage/helpers.js';

/** A leader reduced to its log: answers the two replication apis the way the broker does. */
function leaderTransport(leader: PartitionLog, calls: string[]): InterBrokerTransport {
  return {
    async send(_b: BrokerEndpoint, api: string, body: unknown): Promise<unknown> {
      calls.push(api);
      if (api === LEADER_EPOCH_END_OFFSET_API) {
        const req = body as EpochEndOffsetRequest;
        return { partitions: req.partitions.map((q) => ({ topic: q.topic, partition: q.partition, errorCode: 0, ...leader.endOffsetForEpoch(q.leaderEpoch) })) };
      }
      if (api === REPLICA_FETCH_API) {
        const req = body as ReplicaFetchRequest;
        const fp = req.partitions[0]!;
        if (fp.fetchOffset > leader.logEndOffset) {
          return { partitions: [{ topic: fp.topic, partition: fp.partition, errorCode: 1, highWatermark: leader.highWatermark, logStartOffset: leader.logStartOffset, logEndOffset: leader.logEndOffset, records: Buffer.alloc(0) }] };
        }
        const records = fp.fetchOffset < leader.logEndOffset ? (await leader.read(fp.fetchOffset, fp.partitionMaxBytes, { minOneBatch: true })).records : Buffer.alloc(0);
        if (records.length === 0) await sleep(backgroundScheduler, 20); // a leader's long poll
        return { partitions: [{ topic: fp.topic, partition: fp.partition, errorCode: 0, highWatermark: leader.highWatermark, logStartOffset: leader.logStartOffset, logEndOffset: leader.logEndOffset, records }] };
      }
      throw new Error(`unexpected api ${api}`);
    },
  };
}

describe('replica > follower fetcher against a leader log', function () {
  this.timeout(10_000);
  let fetcher: ReplicaFetcher | undefined;
  afterEach(async () => {
    await fetcher?.shutdown();
    fetcher = undefined;
  });

  function start(leader: PartitionLog, calls: string[]): ReplicaFetcher {
    return new ReplicaFetcher(1, {
      brokerId: 2,
      brokerEpoch: () => 10n,
      transport: leaderTransport(leader, calls),
      endpoint: (id) => ({ id, host: '127.0.0.1', port: 1 }),
      scheduler: backgroundScheduler,
      logger: silentLogger(),
      settings: { maxWaitMs: 50, minBytes: 1, maxBytes: 1 << 20, partitionMaxBytes: 1 << 20, backoffMs: 20, socketTimeoutMs: 1_000 },
      onFollowerProgress: () => {},
    });
  }

  it('truncates a divergent suffix at the leader epoch boundary, then copies the leader verbatim and takes min(leader HW, own LEO)', async () => {
    const leader = await openLog();
    await leader.appendAsLeader(batch({ values: ['a', 'b'] }), 0);
    await leader.assignEpochStartOffset(2, 2n);
    await leader.appendAsLeader(batch({ values: ['y', 'z'] }), 2);
    leader.updateHighWatermark(3n);
    const follower = await openLog();
    await follower.appendAsLeader(batch({ values: ['a', 'b'] }), 0);
    await follower.appendAsLeader(batch({ values: ['x1', 'x2', 'x3'] }), 1);
    follower.updateHighWatermark(5n);

    const calls: string[] = [];
    fetcher = start(leader, calls);
    const p = new Partition('t', 0, 2, follower);
    p.applyState({ leader: 1, leaderEpoch: 2, isr: [1, 2], replicas: [1, 2], zkVersion: 1, controllerEpoch: 1 }, 0);
    fetcher.addPartition(p, 2);
    await waitFor(() => follower.logEndOffset === 4n && follower.highWatermark === 3n, 'the follower to catch up');
    expect((await readAll(follower)).map((r) => `${r.offset}:${r.value}@${r.leaderEpoch}`)).to.deep.equal(['0:a@0', '1:b@0', '2:y@2', '3:z@2']);
    expect(calls[0]).to.equal(LEADER_EPOCH_END_OFFSET_API);
    expect(follower.epochEntries.map((e) => `${e.epoch}:${e.startOffset}`)).to.deep.equal(['0:0', '2:2']);
  });

  it('an empty follower starts at the leader\'s end without truncating; removal stops all writes', async () => {
    const leader = await openLog();
    await leader.appendAsLeader(batch({ values: ['a'] }), 3);
    leader.updateHighWatermark(1n);
    const follower = await openLog();
    const calls: string[] = [];
    fetcher = start(leader, calls);
    const p = new Partition('t', 0, 2, follower);
    p.applyState({ leader: 1, leaderEpoch: 3, isr: [1, 2], replicas: [1, 2], zkVersion: 1, controllerEpoch: 1 }, 0);
    fetcher.addPartition(p, 3);
    await waitFor(() => follower.logEndOffset === 1n, 'the first record copied');
    await fetcher.removePartitions([p.key]);
    await leader.appendAsLeader(batch({ values: ['b'] }), 3);
    // Several fetch rounds' worth of time: nothing more may arrive.
    await sleep(backgroundScheduler, 150);
    expect(follower.logEndOffset).to.equal(1n);
    expect(calls).to.not.include(LEADER_EPOCH_END_OFFSET_API);
  });

  it('a follower ahead of the leader (unclean election) truncates to the leader\'s end', async () => {
    const leader = await openLog();
    await leader.appendAsLeader(batch({ values: ['a'] }), 0);
    const follower = await openLog();
    await follower.appendAsLeader(batch({ values: ['a', 'b', 'c'] }), 0);
    // Their shared epoch ends at the leader's log end offset: everything after it goes.
    fetcher = start(leader, []);
    const p = new Partition('t', 0, 2, follower);
    p.applyState({ leader: 1, leaderEpoch: 0, isr: [1], replicas: [1, 2], zkVersion: 1, controllerEpoch: 1 }, 0);
    fetcher.addPartition(p, 0);
    await waitFor(() => follower.logEndOffset === 1n, 'the follower cut to the leader end');
  });
});
