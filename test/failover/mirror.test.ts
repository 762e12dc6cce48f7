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
import { checkMirrored, Load, MirrorProcess, readAll, startTwoClusters, waitForRecords, type MirrorCheck } from '../helpers/mirror.js';
import { waitFor } from '../helpers/wait-for.js';

function values(records: Map<number, Array<{ value: Buffer | null }>>, partition: number): string[] {
  return (records.get(partition) ?? []).map((r) => r.value!.toString('utf8'));
}

/** Source log vs target log, per partition, after everything was mirrored. */
async function compare(a: TestCluster, b: TestCluster, topic: string, remote: string): Promise<MirrorCheck> {
  const source = await readAll(a.bootstrap, topic);
  const total = [...source.values()].reduce((n, r) => n + r.length, 0);
  await waitForRecords(b.bootstrap, remote, total, 90_000);
  const target = await readAll(b.bootstrap, remote);
  const sum: MirrorCheck = { missing: 0, duplicates: 0, rewinds: 0, gaps: 0, unexpected: 0, where: [] };
  for (const p of source.keys()) {
    const c = checkMirrored(values(source, p), values(target, p));
    for (const k of ['missing', 'duplicates', 'rewinds', 'gaps', 'unexpected'] as const) sum[k] += c[k];
    sum.where.push(...c.where.map((w) => `${remote}-${p} ${w}`));
  }
  return sum;
}

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
    clusters = await startTwoClusters(1);
    const { a, b } = clusters;
    const admin = new Admin({ brokers: [a.bootstrap] });
    await admin.createTopics([{ topic: 'events', numPartitions: 3, replicationFactor: 1 }]);
    admin.close();
    m = await startMirror(mirrorConfig(a, b, 1));
    const load = new Load(a.bootstrap, [{ topic: 'events', partitions: () => 3 }], 1500);
    // Mid-run: records mirrored and positions committed more than once.
    await waitFor(
      async () => (await m!.metric('kafka_connect_mirror_mirrorsourceconnector_record_count')) >= 3000 && (await m!.metric('samsa_mirror_flow_events_total', { event: 'offsetCommits' })) >= 2,
      '3000 records mirrored and two commits',
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    await m.kill9();
    const sentAtKill = load.sent.length;
    await waitFor(() => load.sent.length >= sentAtKill + 1500, '1500 records produced while the mirror is down', { timeoutMs: 30_000 });
    await m.restart();
    await waitFor(async () => (await m!.health()).status === 200, 'the flow running again', { timeoutMs: 60_000, intervalMs: 200 });
    await waitFor(() => load.sent.length >= sentAtKill + 3000, '1500 more records after the restart', { timeoutMs: 30_000 });
    const sent = await load.stop();
    const c = await compare(a, b, 'events', 'A.events');
    const ok = c.missing === 0 && c.gaps === 0 && c.unexpected === 0 && c.rewinds <= 3;
    console.log(line('mirror-kill9', 'kill -9 of the mirror after 3000 records, restart 1 s later', sent.length, c, ok));
    expect(c, c.where.join('; ')).to.deep.include({ missing: 0, gaps: 0, unexpected: 0 });
    // One re-sent run per partition at most: from the last commit before the crash.
    expect(c.rewinds).to.be.at.most(3);
    expect(load.failed).to.equal(0);
  });

  it('exactly-once (exactly.once.source.support = enabled): kill -9 of the mirror under load, then a restart: read_committed consumers of the target see every record once, in order', async () => {
    clusters = await startTwoClusters(1);
    const { a, b } = clusters;
    const admin = new Admin({ brokers: [a.bootstrap] });
    await admin.createTopics([{ topic: 'events', numPartitions: 3, replicationFactor: 1 }]);
    admin.close();
    m = await startMirror({ ...mirrorConfig(a, b, 1), 'exactly.once.source.support': 'enabled' });
    const load = new Load(a.bootstrap, [{ topic: 'events', partitions: () => 3 }], 1500);
    await waitFor(
      async () => (await m!.metric('kafka_connect_mirror_mirrorsourceconnector_record_count')) >= 3000 && (await m!.metric('samsa_mirror_flow_events_total', { event: 'offsetCommits' })) >= 2,
      '3000 records mirrored in committed transactions',
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    await m.kill9();
    const sentAtKill = load.sent.length;
    await waitFor(() => load.sent.length >= sentAtKill + 1500, '1500 records produced while the mirror is down', { timeoutMs: 30_000 });
    await m.restart();
    await waitFor(async () => (await m!.health()).status === 200, 'the flow running again', { timeoutMs: 60_000, intervalMs: 200 });
    await waitFor(() => load.sent.length >= sentAtKill + 3000, '1500 more records after the restart', { timeoutMs: 30_000 });
    const sent = await load.stop();

    const source = await readAll(a.bootstrap, 'events');
    const total = [...source.values()].reduce((n, r) => n + r.length, 0);
    let committed = new Map<number, Array<{ value: Buffer | null }>>();
    await waitFor(
      async () => {
        committed = await readAll(b.bootstrap, 'A.events', { isolationLevel: 'read_committed' });
        return [...committed.values()].reduce((n, r) => n + r.length, 0) >= total;
      },
      `${total} records read_committed on A.events`,
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    const c: MirrorCheck = { missing: 0, duplicates: 0, rewinds: 0, gaps: 0, unexpected: 0, where: [] };
    for (const p of source.keys()) {
      const one = checkMirrored(values(source, p), values(committed, p));
      for (const k of ['missing', 'duplicates', 'rewinds', 'gaps', 'unexpected'] as const) c[k] += one[k];
      c.where.push(...one.where.map((w) => `A.events-${p} ${w}`));
    }
    // read_uncommitted also sees what the killed incarnation sent in its open transaction (aborted at the restart).
    const uncommitted = [...(await readAll(b.bootstrap, 'A.events')).values()].reduce((n, r) => n + r.length, 0);
    const ok = c.missing === 0 && c.duplicates === 0 && c.rewinds === 0 && c.gaps === 0 && c.unexpected === 0;
    console.log(line('mirror-eos-kill9', `kill -9 of the mirror (exactly-once) after 3000 records, restart; aborted copies visible read_uncommitted: ${uncommitted - total}`, sent.length, c, ok));
    expect(c, c.where.join('; ')).to.deep.include({ missing: 0, duplicates: 0, rewinds: 0, gaps: 0, unexpected: 0 });
    expect(load.failed).to.equal(0);
  });

  it('a leader kill -9 in the source cluster, then one in the target cluster, under load: nothing lost, order kept', async () => {
    clusters = await startTwoClusters(2, { properties: { 'zookeeper.session.timeout.ms': 4000, 'replica.lag.time.max.ms': 3000, 'min.insync.replicas': 1 } });
    const { a, b } = clusters;
    const admin = new Admin({ brokers: [a.bootstrap] });
    await admin.createTopics([{ topic: 'events', numPartitions: 2, replicationFactor: 2 }]);
    admin.close();
    m = await startMirror(mirrorConfig(a, b, 2));
    const load = new Load(a.bootstrap, [{ topic: 'events', partitions: () => 2 }], 800);
    const mirrored = (): Promise<number> => m!.metric('kafka_connect_mirror_mirrorsourceconnector_record_count');
    await waitFor(async () => (await mirrored()) >= 1500, '1500 records mirrored', { timeoutMs: 60_000, intervalMs: 100 });

    // Source: the leader of events-0 on A dies and comes back.
    const leaderA = (await a.metadata(a.brokers[0]!.brokerId, ['events'])).topics[0]!.leaders[0]!;
    const victimA = a.broker(leaderA);
    const atKillA = await mirrored();
    victimA.signal('SIGKILL');
    await victimA.waitExited();
    let at = await mirrored();
    await waitFor(async () => (await mirrored()) >= at + 1500, '1500 more records mirrored with the source leader dead', { timeoutMs: 60_000, intervalMs: 200 });
    expect((await victimA.start([], 60_000)).code).to.equal(0);

    // Target: the leader of A.events-0 on B dies and comes back.
    const other = b.brokers[0]!.brokerId;
    const leaderB = (await b.metadata(other, ['A.events'])).topics[0]!.leaders[0]!;
    const victimB = b.broker(leaderB);
    const atKillB = await mirrored();
    victimB.signal('SIGKILL');
    await victimB.waitExited();
    at = await mirrored();
    await waitFor(async () => (await mirrored()) >= at + 1500, '1500 more records mirrored with the target leader dead', { timeoutMs: 60_000, intervalMs: 200 });
    expect((await victimB.start([], 60_000)).code).to.equal(0);
    const sent = await load.stop();

    const c = await compare(a, b, 'events', 'A.events');
    const ok = c.missing === 0 && c.gaps === 0 && c.unexpected === 0;
    console.log(line('mirror-broker-failover', `kill -9 of broker ${leaderA} (leader) in A after ${atKillA} mirrored, restart; kill -9 of broker ${leaderB} (leader) in B after ${atKillB}, restart`, sent.length, c, ok));
    if (!ok) console.log(m.log().slice(-4000));
    expect(c, c.where.join('; ')).to.deep.include({ missing: 0, gaps: 0, unexpected: 0 });
    expect(await m.metric('samsa_mirror_flow_events_total', { event: 'taskRestarts' }), 'task restarts').to.equal(0);
  });
});
