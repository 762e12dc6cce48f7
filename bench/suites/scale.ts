/**
 * Scale: many partitions at RF 3 on 3 broker processes and a ZooKeeper of their own.
 *   npm run bench -- scale [--partitions 10000] [--topics 100] [--session-timeout-ms 6000]
 *                          [--zk host:port] [--cpu-prof] [--stop-after <phase>]
 * Partitions are spread as Kafka users usually have them: `--topics` topics of partitions/topics
 * partitions each, all created by one CreateTopics request. Phases, each bounded (the run aborts
 * with the phase's name when one exceeds its bound, and stops everything it started):
 *  1. create: CreateTopics sent → every partition led in every broker's Metadata and every leader
 *     answering ListOffsets for it (target < 60 s at 10,000 partitions);
 *  2. footprint: RSS and open file descriptors of each broker (/proc/<pid>);
 *  3. Metadata of all topics from one broker: median and max of 10 requests;
 *  4. leader move: a follower-only broker is SIGSTOPped; from its /brokers/ids znode going (its
 *     session expired) until every partition has a live leader in ZooKeeper and every survivor's
 *     Metadata names it and the leader answers ListOffsets (target < 2 s); then SIGCONT and the
 *     time until it is back in every ISR;
 *  5. controller failover: the controller is SIGKILLed; from /controller going (session expiry)
 *     until another broker is controller and every partition is led by a live broker and served;
 *  6. restart: the killed broker starts again (unclean shutdown, so its logs are recovered):
 *     start → listening, and start → back in the ISR of every partition (target < 30 s).
 * `--stop-after create|metadata|leader-move|rejoin|controller-failover` ends the run after that
 * phase with a clean shutdown of every broker, so each writes its --cpu-prof profile (a SIGKILLed
 * broker writes none, and phase 5 kills the controller).
 */
import { mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ApiKey } from '../../protocol/index.js';
import { ZkSession, readPartitionStates, type TopicPartitionKey } from '../../coordination/index.js';
import { BrokerProcess } from '../../test/helpers/broker-process.js';
import { KafkaSocket } from '../../test/helpers/kafka-socket.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { REPO_ROOT, startZooKeeper, type ZooKeeperNode } from '../../test/helpers/zookeeper.js';
import { describeProfiles, summarizeProfiles, type LoadWindow } from '../cpu-profile-summary.js';
import type { BenchContext } from '../suites.js';
import { arg } from './produce.js';

export const describe = 'scale: 10,000 partitions × RF 3 on 3 broker processes: create time, RSS, fds, Metadata time, leader move on session expiry, controller failover, restart';

type PartitionView = { topic: string; partition: number; leader: number; isr: readonly number[] };

interface Cluster {
  brokers: BrokerProcess[];
  zkConnect: string;
}

async function withSocket<T>(b: BrokerProcess, fn: (s: KafkaSocket) => Promise<T>): Promise<T> {
  const s = await KafkaSocket.connect(b.host, b.port);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

async function metadataAll(b: BrokerProcess): Promise<{ controllerId: number; brokers: number[]; partitions: PartitionView[] }> {
  return withSocket(b, async (s) => {
    const m = await s.request(ApiKey.Metadata, 8, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 30_000);
    const partitions: PartitionView[] = [];
    for (const t of m.topics) for (const p of t.partitions) partitions.push({ topic: t.name!, partition: p.partitionIndex, leader: p.leaderId, isr: p.isrNodes });
    return { controllerId: m.controllerId ?? -1, brokers: m.brokers.map((x) => x.nodeId), partitions };
  });
}

/** Every partition answers ListOffsets (latest) on the broker that leads it. */
async function leadersServe(brokers: readonly BrokerProcess[], view: readonly PartitionView[]): Promise<boolean> {
  const results = await Promise.all(brokers.map(async (b) => {
    const mine = view.filter((p) => p.leader === b.brokerId);
    if (mine.length === 0) return true;
    const byTopic = new Map<string, number[]>();
    for (const p of mine) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    const r = await withSocket(b, (s) => s.request(ApiKey.ListOffsets, 5, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp: -1n })) })),
    }, 30_000));
    return r.topics.every((t) => t.partitions.every((p) => p.errorCode === 0));
  }));
  return results.every(Boolean);
}

/** True once every survivor's Metadata has all `expected` partitions led by a live broker that serves them. */
async function allLedBy(live: readonly BrokerProcess[], expected: number): Promise<boolean> {
  const ids = new Set(live.map((b) => b.brokerId));
  const views = await Promise.all(live.map((b) => metadataAll(b)));
  if (!views.every((v) => v.partitions.length === expected && v.partitions.every((p) => ids.has(p.leader)))) return false;
  return leadersServe(live, views[0]!.partitions);
}

function procFootprint(b: BrokerProcess): { rssMb: number; fds: number; logFds: number; sockets: number } {
  const pid = b.pid!;
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  let fds = 0;
  let logFds = 0;
  let sockets = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    fds++;
    let target = '';
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (target.endsWith('.log')) logFds++;
    else if (target.startsWith('socket:')) sockets++;
  }
  return { rssMb: Math.round(rssKb / 1024), fds, logFds, sockets };
}

/** Resolves when `path` is deleted (or already gone); the Date.now() of the watch event. */
async function deletionOf(zk: ZkSession, path: string): Promise<() => number> {
  let at = 0;
  const stat = await zk.exists(path, (e) => {
    if (e.type === 'deleted') at = Date.now();
  });
  if (stat === null) at = Date.now();
  return () => at;
}

function stats(xs: number[]): { median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
}

async function startCluster(ctx: BenchContext, zk: string, sessionTimeoutMs: number): Promise<Cluster> {
  const zkConnect = `${zk}/samsa-bench-scale-${Date.now().toString(36)}`;
  const brokers: BrokerProcess[] = [];
  for (let id = 1; id <= 3; id++) {
    brokers.push(await BrokerProcess.create({
      brokerId: id,
      zookeeperConnect: zkConnect,
      properties: { 'zookeeper.session.timeout.ms': sessionTimeoutMs, 'auto.leader.rebalance.enable': false, 'num.partitions': 1, 'default.replication.factor': 3 },
    }));
  }
  return { brokers, zkConnect };
}

/** With --cpu-prof, each broker start writes its profile under data/profiles/scale-<time>/broker-<id>. */
const PROFILE_RUN = new Date().toISOString().replace(/[:.]/g, '-');
const profileDir = (brokerId: number): string => join(REPO_ROOT, 'data', 'profiles', `scale-${PROFILE_RUN}`, `broker-${brokerId}`);
function profileEnv(ctx: BenchContext, brokerId: number): Record<string, string> {
  if (!ctx.args.includes('--cpu-prof')) return {};
  const dir = profileDir(brokerId);
  mkdirSync(dir, { recursive: true });
  return { SAMSA_NODE_OPTS: `--cpu-prof --cpu-prof-dir=${dir}` };
}

/**
 * Each phase's span on the monotonic clock V8 stamps profile samples with, so --cpu-prof can
 * name what the brokers did during that phase alone (profiles are written when a broker exits:
 * a SIGKILLed broker leaves none).
 */
class PhaseWindows {
  readonly spans = new Map<string, LoadWindow>();
  private open = new Map<string, bigint>();
  begin(phase: string): void {
    this.open.set(phase, process.hrtime.bigint());
  }
  end(phase: string): void {
    const startNs = this.open.get(phase);
    if (startNs !== undefined) this.spans.set(phase, { startNs, endNs: process.hrtime.bigint() });
  }
}

function logPhaseProfiles(ctx: BenchContext, phases: PhaseWindows): void {
  for (const [phase, w] of phases.spans) {
    for (const id of [1, 2, 3]) {
      for (const line of describeProfiles(`${phase}: broker ${id}`, summarizeProfiles(profileDir(id), 12, [w]))) ctx.log(line);
    }
  }
}

async function startBroker(ctx: BenchContext, b: BrokerProcess, timeoutMs: number): Promise<void> {
  const saved = { ...process.env };
  delete process.env['NODE_OPTIONS'];
  Object.assign(process.env, { SAMSA_LOG_LEVEL: 'warn' }, profileEnv(ctx, b.brokerId));
  try {
    const r = await b.start([], timeoutMs);
    if (r.code !== 0) throw new Error(`broker ${b.brokerId} did not start: ${r.stderr}`);
  } finally {
    process.env = saved;
  }
}

const STOP_PHASES = ['create', 'metadata', 'leader-move', 'rejoin', 'controller-failover'] as const;

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const stopAfter = arg(ctx.args, '--stop-after', '');
  if (stopAfter !== '' && !(STOP_PHASES as readonly string[]).includes(stopAfter)) throw new Error(`--stop-after: one of ${STOP_PHASES.join(', ')}`);
  const partitions = Number(arg(ctx.args, '--partitions', '10000'));
  const topics = Math.min(partitions, Number(arg(ctx.args, '--topics', String(Math.max(1, Math.round(partitions / 100))))));
  const perTopic = Math.ceil(partitions / topics);
  const total = perTopic * topics;
  const sessionTimeoutMs = Number(arg(ctx.args, '--session-timeout-ms', '6000'));
  // Bounds grow with the size: a phase that goes past its bound aborts the run.
  const scaleBound = (msAt10k: number): number => Math.max(60_000, Math.round((msAt10k * total) / 10_000));
  ctx.log(`${topics} topics × ${perTopic} partitions = ${total} partitions × RF 3 on 3 brokers (session timeout ${sessionTimeoutMs} ms)`);

  let zkNode: ZooKeeperNode | undefined;
  let zk = arg(ctx.args, '--zk', '');
  if (zk === '') {
    zkNode = await startZooKeeper();
    zk = zkNode.connectString;
  }
  let cluster: Cluster | undefined;
  const observers: ZkSession[] = [];
  const phases = new PhaseWindows();
  const result: Record<string, unknown> = {};
  try {
    cluster = await startCluster(ctx, zk, sessionTimeoutMs);
    const { brokers } = cluster;
    await Promise.all(brokers.map((b) => startBroker(ctx, b, 120_000)));
    await waitFor(async () => (await metadataAll(brokers[0]!)).brokers.length === 3 && (await metadataAll(brokers[0]!)).controllerId > 0, 'three brokers and a controller', { timeoutMs: 30_000, intervalMs: 100 });
    const observer = new ZkSession({ connect: cluster.zkConnect, sessionTimeoutMs: 30_000, requestTimeoutMs: 60_000 });
    await observer.start();
    observers.push(observer);

    // 1. create
    const controllerId = (await metadataAll(brokers[0]!)).controllerId;
    const controller = brokers.find((b) => b.brokerId === controllerId)!;
    const names = Array.from({ length: topics }, (_, i) => `scale-${String(i).padStart(4, '0')}`);
    const createBound = scaleBound(180_000);
    const createdAt = Date.now();
    phases.begin('create');
    const created = await withSocket(controller, (s) => s.request(ApiKey.CreateTopics, 4, {
      topics: names.map((name) => ({ name, numPartitions: perTopic, replicationFactor: 3, assignments: [], configs: [] })),
      timeoutMs: 60_000,
      validateOnly: false,
    }, createBound));
    // REQUEST_TIMED_OUT (7): created, not all online within timeoutMs; the wait below has the bound.
    const failed = created.topics.filter((t) => t.errorCode !== 0 && t.errorCode !== 7);
    const late = created.topics.filter((t) => t.errorCode === 7).length;
    if (late > 0) ctx.log(`create: CreateTopics answered REQUEST_TIMED_OUT for ${late} topics (not all online within its timeout); waiting on`);
    if (failed.length > 0) throw new Error(`CreateTopics failed for ${failed.length} topics, e.g. ${failed[0]!.name}: error ${failed[0]!.errorCode}`);
    const createAnsweredMs = Date.now() - createdAt;
    await waitFor(() => allLedBy(brokers, total), `create: all ${total} partitions led and served (bound ${createBound} ms)`, { timeoutMs: createBound - (Date.now() - createdAt), intervalMs: 200 });
    const createMs = Date.now() - createdAt;
    phases.end('create');
    ctx.log(`create: CreateTopics answered in ${createAnsweredMs} ms; all ${total} partitions led and served after ${createMs} ms (target < 60,000 ms at 10,000)`);
    Object.assign(result, { partitions: total, topics, partitionsPerTopic: perTopic, replicationFactor: 3, brokers: 3, sessionTimeoutMs, createAnsweredMs, createMs });
    if (stopAfter === 'create') return result;

    // 2. footprint
    const footprint = Object.fromEntries(brokers.map((b) => [b.brokerId, procFootprint(b)]));
    for (const [id, f] of Object.entries(footprint)) ctx.log(`broker ${id}: RSS ${f.rssMb} MB, ${f.fds} open fds (${f.logFds} segment .log files, ${f.sockets} sockets)`);

    // 3. Metadata for all topics
    const metaMs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const m = await metadataAll(brokers[0]!);
      metaMs.push(Math.round((performance.now() - t0) * 10) / 10);
      if (m.partitions.length !== total) throw new Error(`Metadata listed ${m.partitions.length} of ${total} partitions`);
    }
    const metadata = stats(metaMs);
    ctx.log(`Metadata (all topics, ${total} partitions): median ${metadata.median} ms, max ${metadata.max} ms`);
    Object.assign(result, { footprint, metadataAllTopicsMs: metadata });
    if (stopAfter === 'metadata') return result;

    // 4. leader move after a session expiry
    const view = (await metadataAll(brokers[0]!)).partitions;
    const victim = brokers.find((b) => b.brokerId !== controllerId)!;
    const survivors = brokers.filter((b) => b !== victim);
    const ledByVictim = view.filter((p) => p.leader === victim.brokerId).length;
    const expired = await deletionOf(observer, `/brokers/ids/${victim.brokerId}`);
    victim.signal('SIGSTOP');
    let expiryToLeadersMs: number;
    try {
      await waitFor(() => expired() > 0, `broker ${victim.brokerId}'s session to expire`, { timeoutMs: sessionTimeoutMs + 15_000, intervalMs: 2 });
      phases.begin('leader move');
      await waitFor(() => allLedBy(survivors, total), 'leader move: every partition led by a survivor in every survivor\'s Metadata and served', { timeoutMs: 30_000, intervalMs: 5 });
      const servedAt = Date.now();
      const keys: TopicPartitionKey[] = view.map((p) => ({ topic: p.topic, partition: p.partition }));
      // The controller writes ZooKeeper before it tells the brokers; this confirms it.
      const states = await readPartitionStates(observer, keys);
      const stale = [...states.values()].filter((s) => s.state.leader === victim.brokerId || s.state.leader < 0).length;
      if (stale > 0 || states.size !== total) throw new Error(`leader move: ${stale} partition states in ZooKeeper still name no live leader (${states.size} read)`);
      expiryToLeadersMs = servedAt - expired();
      phases.end('leader move');
    } finally {
      victim.signal('SIGCONT');
    }
    ctx.log(`leader move: broker ${victim.brokerId} led ${ledByVictim}; session expiry → all led and served by survivors, in ZooKeeper too: ${expiryToLeadersMs} ms (target < 2,000 ms)`);
    result['leaderMove'] = { ledByVictim, expiryToLeadersMs };
    if (stopAfter === 'leader-move') return result;
    phases.begin('rejoin');
    const contAt = Date.now();
    await waitFor(async () => (await metadataAll(survivors[0]!)).partitions.every((p) => p.isr.length === 3), `broker ${victim.brokerId} back in every ISR`, { timeoutMs: scaleBound(120_000), intervalMs: 200 });
    const victimRejoinMs = Date.now() - contAt;
    phases.end('rejoin');
    ctx.log(`broker ${victim.brokerId} resumed: back in every ISR after ${victimRejoinMs} ms`);
    result['victimRejoinMs'] = victimRejoinMs;
    if (stopAfter === 'rejoin') return result;

    // 5. controller failover
    const ctrlNow = (await metadataAll(survivors[0]!)).controllerId;
    const oldController = brokers.find((b) => b.brokerId === ctrlNow)!;
    const others = brokers.filter((b) => b !== oldController);
    const controllerGone = await deletionOf(observer, '/controller');
    oldController.signal('SIGKILL');
    phases.begin('controller failover');
    await oldController.waitExited();
    await waitFor(() => controllerGone() > 0, 'the killed controller\'s session to expire', { timeoutMs: sessionTimeoutMs + 15_000, intervalMs: 2 });
    await waitFor(async () => {
      const m = await metadataAll(others[0]!);
      return m.controllerId > 0 && m.controllerId !== oldController.brokerId && (await allLedBy(others, total));
    }, 'controller failover: a new controller and every partition led by a live broker', { timeoutMs: 30_000, intervalMs: 5 });
    const controllerFailoverMs = Date.now() - controllerGone();
    phases.end('controller failover');
    ctx.log(`controller failover: broker ${oldController.brokerId} killed; session expiry → new controller, all partitions led and served: ${controllerFailoverMs} ms`);
    result['controllerFailoverMs'] = controllerFailoverMs;
    if (stopAfter === 'controller-failover') return result;

    // 6. restart of the killed broker (unclean: its logs are recovered)
    const restartAt = Date.now();
    phases.begin('restart');
    await startBroker(ctx, oldController, scaleBound(120_000));
    const listeningMs = Date.now() - restartAt;
    await waitFor(async () => (await metadataAll(others[0]!)).partitions.every((p) => p.isr.includes(oldController.brokerId)), `restart: broker ${oldController.brokerId} back in every ISR`, { timeoutMs: scaleBound(120_000), intervalMs: 100 });
    const restartToIsrMs = Date.now() - restartAt;
    phases.end('restart');
    const afterRestart = procFootprint(oldController);
    ctx.log(`restart after SIGKILL: listening after ${listeningMs} ms, back in all ${total} ISRs after ${restartToIsrMs} ms (target < 30,000 ms); RSS ${afterRestart.rssMb} MB, ${afterRestart.fds} fds`);

    return Object.assign(result, {
      restart: { listeningMs, restartToIsrMs, footprint: afterRestart },
      targets: { createMs: 60_000, expiryToLeadersMs: 2_000, restartToIsrMs: 30_000 },
    });
  } finally {
    for (const o of observers) await o.close().catch(() => undefined);
    if (cluster !== undefined) {
      // In parallel: a clean shutdown of thousands of logs takes a while (a flush and a marker each).
      await Promise.all(cluster.brokers.map(async (b) => {
        if (!b.isAlive()) return;
        b.signal('SIGCONT');
        const stopAt = Date.now();
        // broker-stop.sh SIGKILLs after SAMSA_BROKER_STOP_TIMEOUT s (30 by default): a kill would
        // hide the clean-shutdown time and lose the --cpu-prof profiles.
        process.env['SAMSA_BROKER_STOP_TIMEOUT'] = String(Math.ceil(scaleBound(300_000) / 1000));
        const r = await b.stop(scaleBound(300_000) + 10_000);
        ctx.log(`broker ${b.brokerId}: clean shutdown of ${total} logs took ${Date.now() - stopAt} ms${r.code === 0 ? '' : ` (exit ${r.code})`}`);
        if (r.code !== 0 && b.isAlive()) b.signal('SIGKILL');
      }));
    }
    await zkNode?.stop();
    if (ctx.args.includes('--cpu-prof')) logPhaseProfiles(ctx, phases);
  }
}
