/**
 * Transactions under faults, on 3 broker processes with KafkaJS 2.2.4 transactional producers and
 * kcat (librdkafka) read_committed consumers.
 * - Zombie producer. Fault: a producer PROCESS (harness/zombie-producer.ts, Samsa client) with an
 *   open transaction is frozen with SIGSTOP past its transaction timeout while a second
 *   incarnation of its transactional.id (KafkaJS) commits, then thawed with SIGCONT. Invariant:
 *   its next write is refused (INVALID_PRODUCER_EPOCH / PRODUCER_FENCED), its commit fails, and no
 *   record of it ever becomes visible to read_committed; the new incarnation's committed records are.
 * - Coordinator kill -9. Fault: the coordinator of an open transaction dies without a word.
 *   Invariant: the new coordinator loads `__transaction_state`, aborts the transaction at its
 *   timeout, so the partition's last stable offset reaches the high watermark again (readers are
 *   not stuck), later transactions commit, and the open transaction's records stay invisible.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { ApiKey, ErrorCode } from '../../protocol/index.js';
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

  /** The leader's high watermark and last stable offset of partition 0 (Fetch v4, read_committed). */
  async function offsets(topic: string): Promise<{ highWatermark: bigint; lastStableOffset: bigint }> {
    const leader = cluster.broker(await cluster.leaderOf(topic, 0));
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
      await waitFor(() => events.some((e) => e.commit !== undefined), 'the zombie process to report its late write and commit', { timeoutMs: 30_000 });
      const refused = events.find((e) => e.refused !== undefined)?.refused;
      expect(refused, 'the zombie\'s first write after SIGCONT').to.be.oneOf(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);
      expect(events.find((e) => e.commit !== undefined)?.commit, 'the zombie\'s commit').to.not.equal('committed');
      expect(await readCommitted(topic)).to.deep.equal(['live-1']);
      // Its records did reach the log, all before the abort marker: nothing it sent after SIGCONT
      // was appended (a reply in flight at SIGSTOP may still be read after SIGCONT: acks are not counted).
      const zombieOffsets = (await read(topic, 'read_uncommitted', '%o %s\n')).filter((l) => l.includes(' zombie-')).map((l) => BigInt(l.split(' ')[0]!));
      expect(zombieOffsets.length, 'the zombie\'s aborted records in the log').to.be.at.least(ackedWhileStopped);
      for (const o of zombieOffsets) expect(o < abortedAt, `zombie record at offset ${o}, the abort marker below ${abortedAt}`).to.equal(true);
      console.log(`      zombie stopped after ${ackedWhileStopped} acknowledged records (${zombieOffsets.length} in the log); its transaction aborted ${abortedMs} ms later (timeout 3000 ms); after SIGCONT: ${refused}`);
    } finally {
      if (!exited) child.kill('SIGKILL');
      await live.disconnect().catch(() => undefined);
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
