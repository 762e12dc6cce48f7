/**
 * Transactions under faults, on 3 broker processes with KafkaJS 2.2.4 transactional producers and
 * kcat (librdkafka) read_committed consumers.
 * - Zombie producer. Fault: a producer PROCESS (harness/zombie-producer.ts, Samsa client) with an
 *   open transaction is frozen with SIGSTOP past its transaction timeout while a second
 *   incarnation of its transactional.id (KafkaJS) commits, then thawed with SIGCONT. Invariant:
 *   its next write is refused (INVALID_PRODUCER_EPOCH / PRODUCER_FENCED), its commit fails, its
 *   abort (KIP-360: the refused write is abortable) is refused as fenced and leaves it fatal
 *   without fencing the new incarnation back, and no record of it ever becomes visible to
 *   read_committed; the new incarnation's committed records are.
 * - Stale markers. Fault: WriteTxnMarkers sent to a partition leader process over its
 *   inter-broker listener as a coordinator that is no longer current would send them: for the
 *   producer's previous epoch, and from an older coordinator epoch. Invariant: the leader refuses
 *   them (INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED) and appends nothing.
 * - KIP-360 epoch bump. Fault: the leader of a partition a Samsa transactional producer writes to
 *   is frozen (SIGSTOP) until the producer gives up a sent batch (delivery timeout), then thawed.
 *   Invariant: the transaction is abortable, not fatal; the abort's InitProducerId (v4, with the
 *   producer's id and epoch) bumps the epoch of the same producer id; the next transaction
 *   commits and read_committed shows only it.
 * - Coordinator kill -9. Fault: the coordinator of an open transaction dies without a word.
 *   Invariant: the new coordinator loads `__transaction_state`, aborts the transaction at its
 *   timeout, so the partition's last stable offset reaches the high watermark again (readers are
 *   not stuck), later transactions commit, and the open transaction's records stay invisible.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { silentLogger } from '../../broker/index.js';
import { InterBrokerClient } from '../../broker/network/index.js';
import { WRITE_TXN_MARKERS_API } from '../../broker/txn/index.js';
import { Producer, stringSerde } from '../../client/index.js';
import { ApiKey, ErrorCode, iterateBatches, isControlBatch } from '../../protocol/index.js';
import { KafkaSocket } from '../helpers/kafka-socket.js';
import { randomName } from '../helpers/random.js';
import { waitFor } from '../helpers/wait-for.js';
import { REPO_ROOT } from '../helpers/zookeeper.js';
import { kcat } from '../interop/kcat.js';
import { FailoverCluster } from './harness/failover-cluster.js';

const TXN_STATE = '__transaction_state';

/** One line of harness/zombie-producer.ts. */
interface ZombieEvent {
  acked?: number;
  refused?: string;
  commit?: string;
  abort?: string;
  state?: string;
}

describe('failover > transactions (zombie producer, coordinator kill -9)', function () {
  this.timeout(150_000);
  let cluster: FailoverCluster;

  before(async () => {
    cluster = await FailoverCluster.start({
      properties: {
        'transaction.state.log.num.partitions': 1,
        'transaction.state.log.replication.factor': 3,
        'transaction.state.log.min.isr': 2,
        'transaction.abort.timed.out.transaction.cleanup.interval.ms': 500,
      },
    });
  });

  after(async () => {
    await cluster?.stop();
  });

  function producer(transactionalId: string, transactionTimeout: number) {
    return cluster.kafka(`txn-${transactionalId}`).producer({ transactionalId, maxInFlightRequests: 1, idempotent: true, transactionTimeout, allowAutoTopicCreation: false });
  }

  /** What a librdkafka consumer sees of partition 0 (kcat -f format), from the beginning (to the last stable offset with read_committed). */
  async function read(topic: string, isolation: 'read_committed' | 'read_uncommitted', format = '%s\n'): Promise<string[]> {
    const r = await kcat(['-C', '-b', cluster.bootstrap.join(','), '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', format, '-X', `isolation.level=${isolation}`], undefined, 30_000);
    expect(r.code, r.stderr).to.equal(0);
    return r.stdout.split('\n').filter((l) => l !== '');
  }

  const readCommitted = (topic: string): Promise<string[]> => read(topic, 'read_committed');

  /** Every batch header of partition 0 as its leader holds it (Fetch v4, read_uncommitted). */
  async function batches(topic: string): Promise<{ control: boolean; producerId: bigint; producerEpoch: number }[]> {
    const leader = cluster.broker(await cluster.leaderOf(topic, 0));
    const sock = await KafkaSocket.connect(leader.host, leader.port);
    try {
      const r = await sock.request(ApiKey.Fetch, 4, {
        replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0,
        topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
      });
      const p = r.responses[0]!.partitions[0]!;
      expect(p.errorCode).to.equal(ErrorCode.NONE);
      return [...iterateBatches(p.records!)].map(({ header: b }) => ({ control: isControlBatch(b.attributes), producerId: b.producerId, producerEpoch: b.producerEpoch }));
    } finally {
      sock.close();
    }
  }

  /** The leader's (or broker `from`'s) high watermark and last stable offset of partition 0 (Fetch v4, read_committed). */
  /**
   * The transaction coordinator (leader of __transaction_state-0), and the two other brokers in
   * the order a fault should take them: a partition leader to freeze that is neither the
   * coordinator nor, where possible, the controller, and its successor.
   */
  async function victimBesideCoordinator(): Promise<{ coordinator: number; victim: number; successor: number }> {
    const coordinator = await waitFor(async () => {
      const l = await cluster.leaderOf(TXN_STATE, 0);
      return l > 0 ? l : undefined;
    }, `a leader of ${TXN_STATE}-0`, { timeoutMs: 15_000, intervalMs: 100 });
    const controller = await cluster.controllerId();
    const others = [1, 2, 3].filter((b) => b !== coordinator).sort((a, b) => Number(a === controller) - Number(b === controller));
    return { coordinator, victim: others[0]!, successor: others[1]! };
  }

  async function offsets(topic: string, from?: number): Promise<{ highWatermark: bigint; lastStableOffset: bigint }> {
    const leader = cluster.broker(from ?? (await cluster.leaderOf(topic, 0)));
    const sock = await KafkaSocket.connect(leader.host, leader.port);
    try {
      const r = await sock.request(ApiKey.Fetch, 4, {
        replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1024, isolationLevel: 1,
        topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024 }] }],
      });
      const p = r.responses[0]!.partitions[0]!;
      expect(p.errorCode).to.equal(ErrorCode.NONE);
      return { highWatermark: p.highWatermark, lastStableOffset: p.lastStableOffset ?? -1n };
    } finally {
      sock.close();
    }
  }

  it('zombie producer process: SIGSTOP past its transaction timeout while a new incarnation commits, after SIGCONT its writes are fenced and none of its records is ever read_committed', async () => {
    const topic = randomName('txn-zombie');
    await cluster.createTopic(topic, [[1, 2, 3]]);
    const id = randomName('tx-zombie');
    const events: ZombieEvent[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'harness', 'zombie-producer.ts'), cluster.bootstrap.join(','), topic, id, '3000'], { stdio: ['ignore', 'pipe', 'inherit'], cwd: REPO_ROOT });
    let exited = false;
    child.once('exit', () => (exited = true));
    createInterface({ input: child.stdout! }).on('line', (l) => events.push(JSON.parse(l) as ZombieEvent));
    const live = producer(id, 30_000);
    try {
      const acked = (): number => events.filter((e) => e.acked !== undefined).length;
      await waitFor(() => acked() >= 3, 'the zombie process to write 3 records in its open transaction', { timeoutMs: 60_000 });
      // Frozen for real: no timer, no heartbeat, no socket activity of its own until SIGCONT.
      child.kill('SIGSTOP');
      const stoppedAt = Date.now();
      // The coordinator aborts the silent transaction at its timeout: the LSO is released.
      const abortedAt = await waitFor(async () => {
        const o = await offsets(topic);
        return o.highWatermark > BigInt(acked()) && o.lastStableOffset === o.highWatermark ? o.highWatermark : undefined;
      }, 'the timed-out transaction aborted (marker written, LSO = HW)', { timeoutMs: 20_000, intervalMs: 200 });
      const abortedMs = Date.now() - stoppedAt;
      await live.connect();
      const t = await live.transaction();
      await t.send({ topic, acks: -1, messages: [{ partition: 0, value: 'live-1' }] });
      await t.commit();
      const ackedWhileStopped = acked();
      child.kill('SIGCONT');
      await waitFor(() => events.some((e) => e.abort !== undefined), 'the zombie process to report its late write, commit and abort', { timeoutMs: 30_000 });
      const refused = events.find((e) => e.refused !== undefined)?.refused;
      expect(refused, 'the zombie\'s first write after SIGCONT').to.be.oneOf(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);
      expect(events.find((e) => e.commit !== undefined)?.commit, 'the zombie\'s commit').to.not.equal('committed');
      const abort = events.find((e) => e.abort !== undefined)!;
      expect(abort.abort, 'the zombie\'s abort: its EndTxn at the old epoch is fenced').to.be.oneOf(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);
      expect(abort.state).to.equal('FATAL_ERROR');
      // The new incarnation was not fenced back by the zombie's abort.
      const t2 = await live.transaction();
      await t2.send({ topic, acks: -1, messages: [{ partition: 0, value: 'live-2' }] });
      await t2.commit();
      expect(await readCommitted(topic)).to.deep.equal(['live-1', 'live-2']);
      // Its records did reach the log, all before the abort marker: nothing it sent after SIGCONT
      // was appended (a reply in flight at SIGSTOP may still be read after SIGCONT: acks are not counted).
      const zombieOffsets = (await read(topic, 'read_uncommitted', '%o %s\n')).filter((l) => l.includes(' zombie-')).map((l) => BigInt(l.split(' ')[0]!));
      expect(zombieOffsets.length, 'the zombie\'s aborted records in the log').to.be.at.least(ackedWhileStopped);
      for (const o of zombieOffsets) expect(o < abortedAt, `zombie record at offset ${o}, the abort marker below ${abortedAt}`).to.equal(true);
      console.log(`      zombie stopped after ${ackedWhileStopped} acknowledged records (${zombieOffsets.length} in the log); its transaction aborted ${abortedMs} ms later (timeout 3000 ms); after SIGCONT: ${refused}, abort: ${abort.abort}`);
    } finally {
      if (!exited) child.kill('SIGKILL');
      await live.disconnect().catch(() => undefined);
    }
  });

  it('stale markers sent to a partition leader process (previous producer epoch, older coordinator epoch) are refused and append nothing', async () => {
    const topic = randomName('txn-markers');
    await cluster.createTopic(topic, [[1, 2, 3]]);
    const id = randomName('tx-markers');
    // Two incarnations, one committed transaction each: the partition knows the producer at epoch 1.
    for (const value of ['m-1', 'm-2']) {
      const p = producer(id, 30_000);
      await p.connect();
      try {
        const t = await p.transaction();
        await t.send({ topic, acks: -1, messages: [{ partition: 0, value }] });
        await t.commit();
      } finally {
        await p.disconnect();
      }
    }
    await waitFor(async () => (await batches(topic)).filter((b) => b.control).length === 2, 'both COMMIT markers in the log', { timeoutMs: 15_000, intervalMs: 100 });
    const before = await batches(topic);
    const { producerId, producerEpoch } = before.at(-1)!;
    expect(producerEpoch, 'the second incarnation\'s epoch').to.be.greaterThan(0);
    const coordinatorEpoch = (await cluster.partitionState(TXN_STATE, 0)).leaderEpoch;
    const leader = cluster.broker(await cluster.leaderOf(topic, 0)).process;
    const client = new InterBrokerClient({ logger: silentLogger(), requestTimeoutMs: 10_000, reconnectBackoffMs: 50, reconnectBackoffMaxMs: 500 });
    try {
      const send = async (marker: { producerEpoch: number; coordinatorEpoch: number }): Promise<number> => {
        const res = (await client.send({ id: leader.brokerId, host: leader.host, port: leader.interBrokerPort }, WRITE_TXN_MARKERS_API, {
          markers: [{ producerId, commit: true, partitions: [{ topic, partition: 0 }], ...marker }],
        })) as { markers: { partitions: { errorCode: number }[] }[] };
        return res.markers[0]!.partitions[0]!.errorCode;
      };
      expect(await send({ producerEpoch: producerEpoch - 1, coordinatorEpoch }), 'a marker for the fenced epoch').to.equal(ErrorCode.INVALID_PRODUCER_EPOCH);
      expect(await send({ producerEpoch, coordinatorEpoch: coordinatorEpoch - 1 }), 'a marker from an older coordinator').to.equal(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    } finally {
      await client.close();
    }
    expect(await batches(topic), 'nothing appended').to.deep.equal(before);
    const o = await offsets(topic);
    expect(o.lastStableOffset).to.equal(o.highWatermark);
    expect(await readCommitted(topic)).to.deep.equal(['m-1', 'm-2']);
  });

  it('markers in flight to a frozen partition leader go to its successor at the election: the commit completes within seconds of it, the old leader still frozen', async () => {
    const p = producer(randomName('tx-reroute'), 60_000);
    await p.connect();
    // The producer's FindCoordinator creates __transaction_state when no earlier test did.
    const t = await p.transaction();
    const { coordinator, victim, successor } = await victimBesideCoordinator();
    const topic = randomName('txn-reroute');
    await cluster.createTopic(topic, [[victim, successor, coordinator]]);
    const frozen = cluster.broker(victim);
    try {
      await t.send({ topic, acks: -1, messages: [{ partition: 0, value: 'rerouted-1' }] });
      frozen.pause();
      const frozenAt = Date.now();
      // PrepareCommit is durable once the coordinator drops the frozen broker from its ISR; the
      // markers then go to the frozen leader if the coordinator does not know of an election yet.
      const committing = t.commit();
      committing.catch(() => undefined); // awaited below; not unhandled while the election is awaited
      const electedAt = await waitFor(async () => ((await cluster.partitionState(topic, 0)).leader === successor ? Date.now() : undefined), `broker ${successor} elected leader of ${topic}-0`, { timeoutMs: 20_000, intervalMs: 100 });
      await committing;
      const completedAt = await waitFor(async () => {
        const o = await offsets(topic, successor);
        return o.highWatermark >= 2n && o.lastStableOffset === o.highWatermark ? Date.now() : undefined;
      }, 'the COMMIT marker written by the new leader (LSO = HW)', { timeoutMs: 45_000, intervalMs: 100 });
      expect(frozen.isPaused, 'the old leader is still frozen').to.equal(true);
      // A request stuck at the frozen leader would hold the markers request.timeout.ms + 5 s (35 s).
      expect(completedAt - electedAt, 'commit completed within seconds of the election').to.be.below(10_000);
      frozen.resume();
      expect(await readCommitted(topic)).to.deep.equal(['rerouted-1']);
      const rerouted = cluster.broker(coordinator).log().includes('re-sending them to the new leader');
      console.log(`      leader ${victim} frozen, ${successor} elected ${electedAt - frozenAt} ms later; COMMIT marker written ${completedAt - electedAt} ms after the election (${rerouted ? 'in-flight markers re-routed' : 'markers sent to the new leader first'})`);
    } finally {
      if (frozen.isPaused) frozen.resume();
      await p.disconnect().catch(() => undefined);
      await cluster.waitHealthy(60_000);
    }
  });

  it('KIP-360 on processes: a batch lost to a frozen partition leader makes the transaction abortable; the abort bumps the epoch of the same producer id and the next transaction commits', async () => {
    const { coordinator, victim, successor } = await victimBesideCoordinator();
    const topic = randomName('txn-bump');
    await cluster.createTopic(topic, [[victim, successor, coordinator]]);
    const p = new Producer<string, string>({
      brokers: cluster.bootstrap,
      transactionalId: randomName('tx-bump'),
      transactionTimeoutMs: 60_000,
      requestTimeoutMs: 1_000,
      deliveryTimeoutMs: 2_500,
      valueSerializer: stringSerde.serialize,
    });
    const frozen = cluster.broker(victim);
    try {
      const t1 = await p.transaction();
      await t1.send({ topic, partition: 0, value: 'aborted-1' });
      const first = (await batches(topic)).at(-1)!;
      frozen.pause();
      const frozenAt = Date.now();
      const err = await t1.send({ topic, partition: 0, value: 'lost' }).then(() => undefined, (e: unknown) => e as { code?: string });
      expect(err, 'the write to the frozen leader fails').to.not.equal(undefined);
      expect(p.transactionState, 'a lost batch is abortable, not fatal').to.equal('ABORTABLE_ERROR');
      // EndTxn(abort), the markers (to the leader elected once the frozen one's session expired), then the bump.
      await t1.abort();
      const abortedMs = Date.now() - frozenAt;
      expect(p.transactionState).to.equal('READY');
      frozen.resume();
      const t2 = await p.transaction();
      await t2.send({ topic, partition: 0, value: 'committed-1' });
      await t2.commit();
      expect(await readCommitted(topic)).to.deep.equal(['committed-1']);
      const data = (await batches(topic)).filter((b) => !b.control);
      expect(data.at(-1), 'same producer id, the next epoch').to.deep.include({ producerId: first.producerId, producerEpoch: first.producerEpoch + 1 });
      console.log(`      leader ${victim} frozen: ${err?.code ?? String(err)} on the write; abort with epoch bump ${first.producerEpoch} → ${first.producerEpoch + 1} done ${abortedMs} ms after the freeze`);
    } finally {
      if (frozen.isPaused) frozen.resume();
      await p.close({ timeoutMs: 2_000 }).catch(() => undefined);
      await cluster.waitHealthy(60_000);
    }
  });

  it('coordinator kill -9 with a transaction open: the new coordinator loads __transaction_state and aborts it at its timeout, the LSO reaches the HW again, later transactions commit', async () => {
    const id = randomName('tx-orphan');
    const orphan = producer(id, 5_000);
    await orphan.connect();
    const coordinator = await waitFor(async () => {
      const l = await cluster.leaderOf(TXN_STATE, 0);
      return l > 0 ? l : undefined;
    }, `a leader of ${TXN_STATE}-0`, { timeoutMs: 15_000, intervalMs: 100 });
    const others = [1, 2, 3].filter((b) => b !== coordinator);
    const topic = randomName('txn-orphan');
    // The data partition's leader survives the fault: only the coordinator dies.
    await cluster.createTopic(topic, [[others[0]!, others[1]!, coordinator]]);
    const after = producer(randomName('tx-after'), 30_000);
    try {
      const open = await orphan.transaction();
      await open.send({ topic, acks: -1, messages: [{ partition: 0, value: 'orphan-1' }] });
      const held = await offsets(topic);
      expect(held.lastStableOffset < held.highWatermark, `the open transaction holds the LSO (${held.lastStableOffset} < ${held.highWatermark})`).to.equal(true);
      const killedAt = Date.now();
      await cluster.broker(coordinator).kill9();
      await waitFor(async () => {
        const o = await offsets(topic);
        return o.lastStableOffset === o.highWatermark && o.highWatermark >= 2n;
      }, 'the new coordinator aborted the orphan (LSO = HW)', { timeoutMs: 45_000, intervalMs: 250 });
      const releasedMs = Date.now() - killedAt;
      const successor = await cluster.leaderOf(TXN_STATE, 0, others[0]);
      expect(successor, 'a surviving broker coordinates').to.be.oneOf(others);
      await after.connect();
      const t = await after.transaction();
      await t.send({ topic, acks: -1, messages: [{ partition: 0, value: 'after-1' }] });
      await t.commit();
      expect(await readCommitted(topic)).to.deep.equal(['after-1']);
      console.log(`      coordinator ${coordinator} → ${successor}; LSO released ${releasedMs} ms after the kill (transaction timeout 5000 ms, ZooKeeper session 4000 ms)`);
    } finally {
      await orphan.disconnect().catch(() => undefined);
      await after.disconnect().catch(() => undefined);
      await cluster.restartBroker(coordinator);
      await cluster.waitHealthy();
    }
  });
});
