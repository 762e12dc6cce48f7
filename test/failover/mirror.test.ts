/**
 * Failover of a mirror between two clusters (broker processes, each cluster in its own ZooKeeper
 * chroot; the mirror is a process of its own). Each scenario states its fault and its invariant
 * and prints one line: fault | what was mirrored | duplicates | verdict.
 *
 * Invariant (at-least-once): every record in the source log reaches the target, and the target
 * partition is the source partition in order, except for runs sent again after a restart (a
 * rewind to a record after the last commit, then in order). No record the source lacks.
 */
import { expect } from 'chai';
import { Admin } from '../../client/index.js';
import type { TestCluster } from '../helpers/cluster.js';
import { compareMirrored, Load, MirrorProcess, readAll, startTwoClusters, type MirrorCheck, type Sent } from '../helpers/mirror.js';
import { waitFor } from '../helpers/wait-for.js';

function line(name: string, fault: string, mirrored: number, c: MirrorCheck, ok: boolean): string {
  const where = c.where.length === 0 ? '' : `\n        ${c.where.join('\n        ')}`;
  return `      [${name}] fault: ${fault} | mirrored: ${mirrored} | duplicates: ${c.duplicates} (${c.rewinds} re-sent runs) | verdict: ${ok ? 'OK' : `FAIL (missing ${c.missing}, out of order ${c.gaps}, unknown ${c.unexpected})`}${where}`;
}

const mirrorConfig = (a: TestCluster, b: TestCluster, rf: number): Record<string, string | number | boolean> => ({
  clusters: 'A, B',
  'A.bootstrap.servers': a.bootstrap,
  'B.bootstrap.servers': b.bootstrap,
  'A->B.enabled': true,
  'A->B.topics': 'events',
  'replication.factor': rf,
  'offset-syncs.topic.replication.factor': rf,
  'checkpoints.topic.replication.factor': rf,
  'heartbeats.topic.replication.factor': rf,
  'offset.storage.replication.factor': rf,
  'offset.flush.interval.ms': 1000,
  'emit.checkpoints.interval.seconds': 1,
});

async function startMirror(config: Record<string, string | number | boolean>): Promise<MirrorProcess> {
  const m = await MirrorProcess.start(config);
  await waitFor(async () => (await m.health()).status === 200, 'the flow running (/health 200)', { timeoutMs: 60_000, intervalMs: 200 });
  return m;
}

/** Two clusters of `size` brokers each; `events` on A with `partitions` partitions of `size` replicas. */
async function eventsOnTwoClusters(size: number, partitions: number, properties?: Record<string, string | number | boolean>): Promise<{ a: TestCluster; b: TestCluster }> {
  const clusters = await startTwoClusters(size, properties === undefined ? {} : { properties });
  const admin = new Admin({ brokers: [clusters.a.bootstrap] });
  try {
    await admin.createTopics([{ topic: 'events', numPartitions: partitions, replicationFactor: size }]);
  } finally {
    admin.close();
  }
  return clusters;
}

/**
 * The kill -9 fault: 1500 records/s on A (3 partitions of `events`); once 3000 are mirrored and
 * positions were committed twice (`committed` names how), the mirror dies; 1500 records are
 * produced while it is down; it restarts, runs again (/health 200), and 1500 more are produced.
 */
async function killMirrorUnderLoad(a: TestCluster, m: MirrorProcess, committed: string): Promise<Sent[]> {
  const load = new Load(a.bootstrap, [{ topic: 'events', partitions: () => 3 }], 1500);
  // Mid-run: records mirrored and positions committed more than once.
  await waitFor(
    async () => (await m.metric('kafka_connect_mirror_mirrorsourceconnector_record_count')) >= 3000 && (await m.metric('samsa_mirror_flow_events_total', { event: 'offsetCommits' })) >= 2,
    `3000 records mirrored ${committed}`,
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  await m.kill9();
  const sentAtKill = load.sent.length;
  await waitFor(() => load.sent.length >= sentAtKill + 1500, '1500 records produced while the mirror is down', { timeoutMs: 30_000 });
  await m.restart();
  await waitFor(async () => (await m.health()).status === 200, 'the flow running again', { timeoutMs: 60_000, intervalMs: 200 });
  await waitFor(() => load.sent.length >= sentAtKill + 3000, '1500 more records after the restart', { timeoutMs: 30_000 });
  const sent = await load.stop();
  expect(load.failed, 'failed sends on A').to.equal(0);
  return sent;
}

/**
 * The broker fault: the leader of `topic`-0 in `cluster` is killed (-9); 1500 more records must
 * be mirrored without it; then it starts again. Returns the victim and the count mirrored at the kill.
 */
async function killLeaderWhileMirroring(cluster: TestCluster, topic: string, mirrored: () => Promise<number>, which: string): Promise<{ leader: number; atKill: number }> {
  const leader = (await cluster.metadata(cluster.brokers[0]!.brokerId, [topic])).topics[0]!.leaders[0]!;
  const victim = cluster.broker(leader);
  const atKill = await mirrored();
  victim.signal('SIGKILL');
  await victim.waitExited();
  const at = await mirrored();
  await waitFor(async () => (await mirrored()) >= at + 1500, `1500 more records mirrored with the ${which} leader dead`, { timeoutMs: 60_000, intervalMs: 200 });
  expect((await victim.start([], 60_000)).code).to.equal(0);
  return { leader, atKill };
}

describe('failover > mirror', function () {
  this.timeout(240_000);
  let clusters: { a: TestCluster; b: TestCluster } | undefined;
  let m: MirrorProcess | undefined;

  afterEach(async () => {
    if (m?.isAlive()) await m.kill9();
    m = undefined;
    await Promise.all([clusters?.a.stop(), clusters?.b.stop()]);
    clusters = undefined;
  });

  it('kill -9 of the mirror under load, then a restart: nothing lost, order kept, duplicates only from the crash (counted)', async () => {
    clusters = await eventsOnTwoClusters(1, 3);
    const { a, b } = clusters;
    m = await startMirror(mirrorConfig(a, b, 1));
    const sent = await killMirrorUnderLoad(a, m, 'and two commits');
    const c = await compareMirrored(a.bootstrap, b.bootstrap, 'events', 'A.events');
    const ok = c.missing === 0 && c.gaps === 0 && c.unexpected === 0 && c.rewinds <= 3;
    console.log(line('mirror-kill9', 'kill -9 of the mirror after 3000 records, restart 1 s later', sent.length, c, ok));
    expect(c, c.where.join('; ')).to.deep.include({ missing: 0, gaps: 0, unexpected: 0 });
    // One re-sent run per partition at most: from the last commit before the crash.
    expect(c.rewinds).to.be.at.most(3);
  });

  it('exactly-once (exactly.once.source.support = enabled): kill -9 of the mirror under load, then a restart: read_committed consumers of the target see every record once, in order', async () => {
    clusters = await eventsOnTwoClusters(1, 3);
    const { a, b } = clusters;
    m = await startMirror({ ...mirrorConfig(a, b, 1), 'exactly.once.source.support': 'enabled' });
    const sent = await killMirrorUnderLoad(a, m, 'in committed transactions');
    const c = await compareMirrored(a.bootstrap, b.bootstrap, 'events', 'A.events', { isolationLevel: 'read_committed' });
    // read_uncommitted also sees what the killed incarnation sent in its open transaction (aborted at the restart).
    const uncommitted = [...(await readAll(b.bootstrap, 'A.events')).values()].reduce((n, r) => n + r.length, 0);
    const ok = c.missing === 0 && c.duplicates === 0 && c.rewinds === 0 && c.gaps === 0 && c.unexpected === 0;
    console.log(line('mirror-eos-kill9', `kill -9 of the mirror (exactly-once) after 3000 records, restart; aborted copies visible read_uncommitted: ${uncommitted - c.total}`, sent.length, c, ok));
    expect(c, c.where.join('; ')).to.deep.include({ missing: 0, duplicates: 0, rewinds: 0, gaps: 0, unexpected: 0 });
  });

  it('a leader kill -9 in the source cluster, then one in the target cluster, under load: nothing lost, order kept', async () => {
    clusters = await eventsOnTwoClusters(2, 2, { 'zookeeper.session.timeout.ms': 4000, 'replica.lag.time.max.ms': 3000, 'min.insync.replicas': 1 });
    const { a, b } = clusters;
    m = await startMirror(mirrorConfig(a, b, 2));
    const load = new Load(a.bootstrap, [{ topic: 'events', partitions: () => 2 }], 800);
    const mirrored = (): Promise<number> => m!.metric('kafka_connect_mirror_mirrorsourceconnector_record_count');
    await waitFor(async () => (await mirrored()) >= 1500, '1500 records mirrored', { timeoutMs: 60_000, intervalMs: 100 });
    // Source: the leader of events-0 on A dies and comes back; then target: the leader of A.events-0 on B.
    const { leader: leaderA, atKill: atKillA } = await killLeaderWhileMirroring(a, 'events', mirrored, 'source');
    const { leader: leaderB, atKill: atKillB } = await killLeaderWhileMirroring(b, 'A.events', mirrored, 'target');
    const sent = await load.stop();

    const c = await compareMirrored(a.bootstrap, b.bootstrap, 'events', 'A.events');
    const ok = c.missing === 0 && c.gaps === 0 && c.unexpected === 0;
    console.log(line('mirror-broker-failover', `kill -9 of broker ${leaderA} (leader) in A after ${atKillA} mirrored, restart; kill -9 of broker ${leaderB} (leader) in B after ${atKillB}, restart`, sent.length, c, ok));
    if (!ok) console.log(m.log().slice(-4000));
    expect(c, c.where.join('; ')).to.deep.include({ missing: 0, gaps: 0, unexpected: 0 });
    expect(await m.metric('samsa_mirror_flow_events_total', { event: 'taskRestarts' }), 'task restarts').to.equal(0);
  });
});
