/**
 * Produce throughput of one broker process (RF 1) with kcat as the load generator:
 * `kcat -P -l <file>` of 1,000,000 × 100-byte messages (acks=all, librdkafka defaults otherwise).
 * Target ≥ 500,000 msg/s. Options: --messages <n>, --partitions <n>, --zk <host:port> (default:
 * a ZooKeeper of its own), --codec <none|gzip|snappy|lz4|zstd>, --runs <n>, --cpu-prof (brokers
 * write a .cpuprofile into data/profiles/). Also exports the helpers the consume suite shares.
 *
 * `--partitions 1,8`: each partition count on the same broker, runs interleaved; reports the ratio
 * of the last to the first (target: 8 partitions ≥ 1.0× of 1).
 *
 * `--replicated`: in the same run, the single broker (RF 1, acks=all) and then 3 broker processes
 * with RF 3, min.insync.replicas 2 and acks=all; reports both rates and their ratio (target:
 * replicated ≥ 0.7× of single-broker acks=all, issue 18).
 *
 * `--cpu-prof` (any mode): after the brokers stop, a summary of each broker's main-thread profile
 * while kcat ran (start-up excluded): the share of its CPU in garbage collection (target < 10 %)
 * and the top self-time functions.
 *
 * `--transactional [--commit-every N] [--messages N]`: the Samsa client into one broker, idempotent
 * then transactional (a commit every N records), in the same run (bench/txn-produce.ts).
 *
 * `--secured [--messages N] [--runs N]`: kcat into one broker over PLAINTEXT, SSL and SASL_SSL
 * (PLAIN) listeners, runs interleaved, in the same run; reports each rate and TLS / plaintext
 * (target ≥ 0.6) (bench/secured-produce.ts).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiKey } from '../../protocol/index.js';
import { BrokerProcess } from '../../test/helpers/broker-process.js';
import { KafkaSocket } from '../../test/helpers/kafka-socket.js';
import { tmpDir } from '../../test/helpers/tmp.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { REPO_ROOT, startZooKeeper, type ZooKeeperNode } from '../../test/helpers/zookeeper.js';
import type { BenchContext } from '../suites.js';
import { runSecured } from '../secured-produce.js';
import { runTransactional } from '../txn-produce.js';
import { describeProfiles, summarizeProfiles, type LoadWindow, type ProfileSummary } from '../cpu-profile-summary.js';

export const describe = 'kcat -P of 1,000,000 × 100-byte messages into one broker process (RF 1): msg/s and MB/s';

export const MESSAGE_BYTES = 100;

export function arg(args: readonly string[], name: string, dflt: string): string {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : dflt;
}

/** A file of `count` lines of exactly MESSAGE_BYTES bytes each (plus the newline). */
export async function prepareMessageFile(count: number): Promise<string> {
  const file = join(tmpDir('samsa-bench-msgs-'), 'messages.txt');
  const out = createWriteStream(file);
  const filler = 'x'.repeat(MESSAGE_BYTES);
  const chunk: string[] = [];
  for (let i = 0; i < count; i++) {
    const head = `m${i}-`;
    chunk.push(head + filler.slice(head.length));
    if (chunk.length === 10_000 || i === count - 1) {
      if (!out.write(chunk.join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk.length = 0;
    }
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return file;
}

export interface BenchBroker {
  readonly broker: BrokerProcess;
  readonly bootstrap: string;
  /** Where the broker writes its CPU profile on stop (--cpu-prof). */
  readonly profileDir?: string;
  stop(): Promise<void>;
}

/** Where `--cpu-prof` brokers of this bench write their profiles (outside the temporary dirs, which go when the bench exits). */
function profileDir(ctx: BenchContext, name: string): string | undefined {
  if (!ctx.args.includes('--cpu-prof')) return undefined;
  const dir = join(REPO_ROOT, 'data', 'profiles', `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The profiles' summary (GC share, top self time) while the load ran, into the log; the figures for the JSON line. */
export function reportProfiles(ctx: BenchContext, what: string, dir: string | undefined, windows: readonly LoadWindow[]): ProfileSummary[] | undefined {
  if (dir === undefined) return undefined;
  const summaries = summarizeProfiles(dir, 10, windows);
  for (const line of describeProfiles(what, summaries)) ctx.log(line);
  return summaries;
}

/**
 * One broker process on its own (or the given) ZooKeeper; resolves once it is the controller. A
 * broker that fails to start or to become controller is stopped with the ZooKeeper started for it.
 */
export async function startBenchBroker(ctx: BenchContext, properties: Record<string, string | number | boolean> = {}, chroot = 'samsa-bench', extraListeners: string[] = []): Promise<BenchBroker> {
  let zk: ZooKeeperNode | undefined;
  let connect = arg(ctx.args, '--zk', process.env['SAMSA_TEST_ZK'] ?? '');
  if (connect === '') {
    zk = await startZooKeeper();
    connect = zk.connectString;
  }
  connect = `${connect}/${chroot}-${Date.now().toString(36)}`;
  let broker: BrokerProcess | undefined;
  const stop = async (): Promise<void> => {
    if (broker?.isAlive() === true) await broker.stop();
    await zk?.stop();
  };
  try {
    broker = await BrokerProcess.create({ brokerId: 1, zookeeperConnect: connect, extraListeners, properties: { 'num.partitions': 1, 'default.replication.factor': 1, ...properties } });
    const profDir = profileDir(ctx, chroot);
    const saved = { ...process.env };
    // The broker gets its own Node flags; the bench runner's NODE_OPTIONS are not for it, and Node 20
    // refuses --cpu-prof there, so profiling goes on node's command line (SAMSA_NODE_OPTS).
    delete process.env['NODE_OPTIONS'];
    Object.assign(process.env, { SAMSA_LOG_LEVEL: 'warn' }, profDir !== undefined ? { SAMSA_NODE_OPTS: `--cpu-prof --cpu-prof-dir=${profDir}` } : {});
    const started = await broker.start();
    process.env = saved;
    if (started.code !== 0) throw new Error(`broker did not start: ${started.stderr}`);
    const b = broker;
    await waitFor(async () => {
      const s = await KafkaSocket.connect(b.host, b.port);
      try {
        const m = await s.request(ApiKey.Metadata, 8, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
        return m.controllerId === 1 && m.brokers.length === 1;
      } finally {
        s.close();
      }
    }, 'the bench broker to be its own controller', { timeoutMs: 30_000, intervalMs: 100 });
    if (profDir !== undefined) ctx.log(`the broker writes its CPU profile to ${profDir} when it stops`);
    return { broker: b, bootstrap: `${b.host}:${b.port}`, ...(profDir === undefined ? {} : { profileDir: profDir }), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Creates a topic through the broker (it is the controller) and waits for its leaders. */
export async function createBenchTopic(b: BenchBroker, topic: string, partitions: number): Promise<void> {
  const s = await KafkaSocket.connect(b.broker.host, b.broker.port);
  try {
    const r = await s.request(ApiKey.CreateTopics, 4, {
      topics: [{ name: topic, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 30_000,
      validateOnly: false,
    }, 40_000);
    if (r.topics[0]!.errorCode !== 0) throw new Error(`CreateTopics ${topic} failed with error ${r.topics[0]!.errorCode}`);
  } finally {
    s.close();
  }
}

/** Sum of the partitions' high watermarks (what a consumer can read), to check a load really landed. */
export async function topicEndOffset(b: BenchBroker, topic: string, partitions: number): Promise<number> {
  const s = await KafkaSocket.connect(b.broker.host, b.broker.port);
  try {
    const r = await s.request(ApiKey.ListOffsets, 5, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp: -1n })) }],
    });
    return r.topics[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
  } finally {
    s.close();
  }
}

export interface TimedRun {
  seconds: number;
  stderr: string;
  /** process.hrtime of spawn and exit: the load's window in a broker's CPU profile. */
  window: LoadWindow;
}

/** Runs kcat with stdout discarded; its wall time from spawn to exit. */
export function timedKcat(args: string[], timeoutMs = 600_000): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('kcat', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${stderr}`));
      else {
        const ended = process.hrtime.bigint();
        resolve({ seconds: Number(ended - started) / 1e9, stderr, window: { startNs: started, endNs: ended } });
      }
    });
  });
}

export function rates(messages: number, seconds: number): { msgPerSec: number; mbPerSec: number } {
  return { msgPerSec: Math.round(messages / seconds), mbPerSec: Math.round(((messages * MESSAGE_BYTES) / seconds / 1e6) * 10) / 10 };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  if (ctx.args.includes('--replicated')) return runReplicated(ctx);
  if (ctx.args.includes('--transactional')) return runTransactional(ctx);
  if (ctx.args.includes('--secured')) return runSecured(ctx);
  const messages = Number(arg(ctx.args, '--messages', '1000000'));
  // A list (`--partitions 1,8`) compares partition counts in the same run, on the same broker.
  const partitionCounts = arg(ctx.args, '--partitions', '1').split(',').map(Number);
  const codec = arg(ctx.args, '--codec', 'none');
  const runs = Number(arg(ctx.args, '--runs', '3'));
  ctx.log(`preparing ${messages} × ${MESSAGE_BYTES}-byte messages...`);
  const file = await prepareMessageFile(messages);
  const b = await startBenchBroker(ctx);
  const results: { partitions: number; msgPerSec: number; mbPerSec: number; seconds: number }[] = [];
  const windows: LoadWindow[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      for (const partitions of partitionCounts) {
        const topic = `bench-produce-${partitions}p-${i}`;
        await createBenchTopic(b, topic, partitions);
        const t = await timedKcat(['-P', '-b', b.bootstrap, '-t', topic, '-z', codec, '-l', file, '-X', 'queue.buffering.max.messages=1000000', '-X', 'queue.buffering.max.kbytes=1048576']);
        windows.push(t.window);
        const landed = await topicEndOffset(b, topic, partitions);
        if (landed !== messages) throw new Error(`only ${landed} of ${messages} messages reached ${topic}: ${t.stderr}`);
        const r = { partitions, ...rates(messages, t.seconds), seconds: Math.round(t.seconds * 1000) / 1000 };
        results.push(r);
        ctx.log(`run ${i + 1}, ${partitions} partition(s): ${messages} messages in ${r.seconds} s = ${r.msgPerSec.toLocaleString('en')} msg/s, ${r.mbPerSec} MB/s`);
      }
    }
  } finally {
    await b.stop();
  }
  const profiles = reportProfiles(ctx, 'broker profile', b.profileDir, windows);
  const bestOf = (partitions: number): { msgPerSec: number; mbPerSec: number } =>
    results.filter((r) => r.partitions === partitions).reduce((a, c) => (c.msgPerSec > a.msgPerSec ? c : a));
  const best = bestOf(partitionCounts[0]!);
  ctx.log(`best: ${best.msgPerSec.toLocaleString('en')} msg/s (target ≥ 500,000), ${best.mbPerSec} MB/s`);
  const byPartitions = partitionCounts.map((partitions) => ({ partitions, bestMsgPerSec: bestOf(partitions).msgPerSec }));
  let partitionRatio: number | undefined;
  if (partitionCounts.length > 1) {
    partitionRatio = Math.round((byPartitions.at(-1)!.bestMsgPerSec / byPartitions[0]!.bestMsgPerSec) * 100) / 100;
    ctx.log(`${partitionCounts.at(-1)} partitions / ${partitionCounts[0]} partition(s): ${partitionRatio} (target ≥ 1.0)`);
  }
  return {
    messages,
    messageBytes: MESSAGE_BYTES,
    partitions: partitionCounts.length === 1 ? partitionCounts[0] : partitionCounts,
    codec,
    runs: results,
    bestMsgPerSec: best.msgPerSec,
    bestMbPerSec: best.mbPerSec,
    targetMsgPerSec: 500_000,
    ...(partitionCounts.length > 1 ? { byPartitions, partitionRatio, targetPartitionRatio: 1.0 } : {}),
    ...(profiles === undefined ? {} : { profiles: profiles.map((p) => ({ file: p.file, cpuMs: p.cpuMs, gcPercent: p.gcPercent, top: p.top.slice(0, 5) })) }),
  };
}

/** Three broker processes on their own chroot; resolves once all serve and a controller exists. */
export async function startReplicatedCluster(ctx: BenchContext): Promise<{ brokers: BrokerProcess[]; bootstrap: string; profileDir?: string; stop(): Promise<void> }> {
  let zk: ZooKeeperNode | undefined;
  let connect = arg(ctx.args, '--zk', process.env['SAMSA_TEST_ZK'] ?? '');
  if (connect === '') {
    zk = await startZooKeeper();
    connect = zk.connectString;
  }
  connect = `${connect}/samsa-bench-rf3-${Date.now().toString(36)}`;
  const brokers: BrokerProcess[] = [];
  for (let id = 1; id <= 3; id++) brokers.push(await BrokerProcess.create({ brokerId: id, zookeeperConnect: connect, properties: { 'num.partitions': 1, 'default.replication.factor': 3 } }));
  const profDir = profileDir(ctx, 'samsa-bench-rf3');
  const saved = { ...process.env };
  delete process.env['NODE_OPTIONS'];
  Object.assign(process.env, { SAMSA_LOG_LEVEL: 'warn' }, profDir !== undefined ? { SAMSA_NODE_OPTS: `--cpu-prof --cpu-prof-dir=${profDir}` } : {});
  const started = await Promise.all(brokers.map((b) => b.start()));
  process.env = saved;
  const stop = async (): Promise<void> => {
    await Promise.all(brokers.map((b) => (b.isAlive() ? b.stop() : Promise.resolve())));
    await zk?.stop();
  };
  const bad = started.find((r) => r.code !== 0);
  if (bad !== undefined) {
    await stop();
    throw new Error(`broker did not start: ${bad.stderr}`);
  }
  await waitFor(async () => {
    const s = await KafkaSocket.connect(brokers[0]!.host, brokers[0]!.port);
    try {
      const m = await s.request(ApiKey.Metadata, 8, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      return (m.controllerId ?? -1) > 0 && m.brokers.length === 3;
    } finally {
      s.close();
    }
  }, 'three brokers and a controller', { timeoutMs: 30_000, intervalMs: 100 });
  return { brokers, bootstrap: brokers.map((b) => `${b.host}:${b.port}`).join(','), ...(profDir === undefined ? {} : { profileDir: profDir }), stop };
}

export async function createRf3Topic(brokers: BrokerProcess[], topic: string, partitions: number): Promise<void> {
  const first = brokers[0]!;
  const meta = await (async () => {
    const s = await KafkaSocket.connect(first.host, first.port);
    try {
      return await s.request(ApiKey.Metadata, 8, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    } finally {
      s.close();
    }
  })();
  const controller = brokers.find((b) => b.brokerId === meta.controllerId) ?? first;
  const s = await KafkaSocket.connect(controller.host, controller.port);
  try {
    const r = await s.request(ApiKey.CreateTopics, 4, {
      topics: [{ name: topic, numPartitions: partitions, replicationFactor: 3, assignments: [], configs: [{ name: 'min.insync.replicas', value: '2' }] }],
      timeoutMs: 30_000,
      validateOnly: false,
    }, 40_000);
    if (r.topics[0]!.errorCode !== 0) throw new Error(`CreateTopics ${topic} failed with error ${r.topics[0]!.errorCode}`);
  } finally {
    s.close();
  }
  // Every partition led and its ISR full before the clock starts.
  await waitFor(async () => {
    const c = await KafkaSocket.connect(first.host, first.port);
    try {
      const m = await c.request(ApiKey.Metadata, 8, { topics: [{ name: topic }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      const ps = m.topics[0]?.partitions ?? [];
      return ps.length === partitions && ps.every((p) => p.leaderId >= 0 && p.isrNodes.length === 3);
    } finally {
      c.close();
    }
  }, `${topic} led with a full ISR`, { timeoutMs: 30_000, intervalMs: 100 });
}

async function runReplicated(ctx: BenchContext): Promise<Record<string, unknown>> {
  const messages = Number(arg(ctx.args, '--messages', '1000000'));
  const partitions = Number(arg(ctx.args, '--partitions', '1'));
  const runs = Number(arg(ctx.args, '--runs', '2'));
  ctx.log(`preparing ${messages} × ${MESSAGE_BYTES}-byte messages...`);
  const file = await prepareMessageFile(messages);
  const kcatArgs = (bootstrap: string, topic: string, acks: string): string[] => ['-P', '-b', bootstrap, '-t', topic, '-l', file, '-X', `acks=${acks}`, '-X', 'queue.buffering.max.messages=1000000', '-X', 'queue.buffering.max.kbytes=1048576'];
  const single: number[] = [];
  const singleWindows: LoadWindow[] = [];
  const replicatedWindows: LoadWindow[] = [];
  const b = await startBenchBroker(ctx);
  try {
    for (let i = 0; i < runs; i++) {
      const topic = `bench-rf1-${i}`;
      await createBenchTopic(b, topic, partitions);
      const t = await timedKcat(kcatArgs(b.bootstrap, topic, 'all'));
      singleWindows.push(t.window);
      const landed = await topicEndOffset(b, topic, partitions);
      if (landed !== messages) throw new Error(`only ${landed} of ${messages} messages reached ${topic}: ${t.stderr}`);
      single.push(rates(messages, t.seconds).msgPerSec);
      ctx.log(`single broker, RF 1, acks=all, run ${i + 1}: ${single.at(-1)!.toLocaleString('en')} msg/s`);
    }
  } finally {
    await b.stop();
  }
  const replicated: number[] = [];
  const c = await startReplicatedCluster(ctx);
  try {
    for (let i = 0; i < runs; i++) {
      const topic = `bench-rf3-${i}`;
      await createRf3Topic(c.brokers, topic, partitions);
      const t = await timedKcat(kcatArgs(c.bootstrap, topic, 'all'));
      replicatedWindows.push(t.window);
      replicated.push(rates(messages, t.seconds).msgPerSec);
      ctx.log(`3 brokers, RF 3, min ISR 2, acks=all, run ${i + 1}: ${replicated.at(-1)!.toLocaleString('en')} msg/s`);
    }
  } finally {
    await c.stop();
  }
  const singleProfiles = reportProfiles(ctx, 'single broker profile', b.profileDir, singleWindows);
  const replicatedProfiles = reportProfiles(ctx, 'RF 3 broker profile', c.profileDir, replicatedWindows);
  const bestSingle = Math.max(...single);
  const bestReplicated = Math.max(...replicated);
  const ratio = Math.round((bestReplicated / bestSingle) * 100) / 100;
  ctx.log(`replicated / single acks=all: ${ratio} (target ≥ 0.7)`);
  const short = (ps: ProfileSummary[] | undefined): unknown => ps?.map((p) => ({ file: p.file, cpuMs: p.cpuMs, gcPercent: p.gcPercent, top: p.top.slice(0, 5) }));
  return {
    mode: 'replicated',
    messages,
    messageBytes: MESSAGE_BYTES,
    partitions,
    singleAcksAllMsgPerSec: single,
    replicatedAcksAllMsgPerSec: replicated,
    bestSingle,
    bestReplicated,
    ratio,
    targetRatio: 0.7,
    ...(singleProfiles === undefined ? {} : { singleProfiles: short(singleProfiles), replicatedProfiles: short(replicatedProfiles) }),
  };
}
