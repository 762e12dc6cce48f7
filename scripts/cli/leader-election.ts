/**
 * leader-election.sh — Kafka's kafka-leader-election.sh (preferred elections) through ZooKeeper,
 * as Kafka's old kafka-preferred-replica-election.sh --zookeeper did: write the partitions to
 * /admin/preferred_replica_election, wait until the controller has processed and deleted the
 * node, then compare each partition's leader (its state znode) with its preferred replica.
 * (ElectLeaders is not in protocol/, and ZooKeeper needs no HTTP listener on the controller.)
 */
import { readFileSync } from 'node:fs';
import {
  encodePreferredReplicaElection,
  PREFERRED_REPLICA_ELECTION_PATH,
  readPartitionStates,
  readTopicAssignment,
  readTopicNames,
  type TopicPartitionRef,
  type ZkSession,
} from '../../coordination/index.js';
import { UsageError, type ParsedArgs, type ToolSpec } from './args.js';
import { out, err, runTool, ToolError } from './common.js';
import { isNodeExists, openZk, ZOOKEEPER_FLAG } from './zk.js';
import { backoffMs, sleep, systemScheduler, tpKey } from '../../common/index.js';

const spec: ToolSpec = {
  name: 'leader-election.sh',
  summary: 'Move leadership of partitions back to their preferred replica (the first of the replica list).',
  flags: [
    ZOOKEEPER_FLAG,
    { name: 'election-type', arg: '<String: PREFERRED>', help: 'REQUIRED: PREFERRED (UNCLEAN is not supported).' },
    { name: 'topic', arg: '<String: topic>', help: 'The topic (all its partitions unless --partition).' },
    { name: 'partition', arg: '<Integer: partition>', help: 'With --topic: only this partition.' },
    { name: 'all-topic-partitions', help: 'Every partition of every topic.' },
    { name: 'path-to-json-file', arg: '<String: path>', help: 'A JSON file {"partitions":[{"topic":"t","partition":0}]}.' },
    { name: 'timeout-ms', arg: '<Integer: ms>', help: 'How long to wait for the controller (default 30000).' },
  ],
  usageTail: 'Example:\n  leader-election.sh --zookeeper 127.0.0.1:2181 --election-type PREFERRED --all-topic-partitions',
};

runTool(spec, async (args) => {
  const type = args.require('election-type').toUpperCase();
  if (type === 'UNCLEAN') throw new ToolError('unclean elections are not supported; set unclean.leader.election.enable on the topic instead');
  if (type !== 'PREFERRED') throw new UsageError(`--election-type must be PREFERRED, got "${args.get('election-type')}"`);
  const sources = ['topic', 'all-topic-partitions', 'path-to-json-file'].filter((f) => args.has(f));
  if (sources.length !== 1) throw new UsageError('exactly one of --topic, --all-topic-partitions or --path-to-json-file is required');
  if (args.has('partition') && !args.has('topic')) throw new UsageError('--partition needs --topic');
  const timeoutMs = args.int('timeout-ms', 30_000)!;
  const zk = await openZk(args.require('zookeeper'));
  try {
    return await elect(zk, await partitionsOf(zk, args), timeoutMs);
  } finally {
    await zk.close();
  }
});

async function partitionsOf(zk: ZkSession, args: ParsedArgs): Promise<TopicPartitionRef[]> {
  const file = args.get('path-to-json-file');
  if (file !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ToolError(`cannot read ${file}: ${(e as Error).message}`);
    }
    const list = (parsed as { partitions?: unknown }).partitions;
    if (!Array.isArray(list) || !list.every((p) => typeof p?.topic === 'string' && Number.isInteger(p?.partition))) {
      throw new ToolError(`${file} must be {"partitions":[{"topic":"t","partition":0},...]}`);
    }
    return list.map((p: { topic: string; partition: number }) => ({ topic: p.topic, partition: p.partition }));
  }
  const topics = args.has('all-topic-partitions') ? await readTopicNames(zk) : [args.get('topic')!];
  const out: TopicPartitionRef[] = [];
  for (const topic of topics) {
    const a = await readTopicAssignment(zk, topic);
    if (a === null) throw new ToolError(`Topic '${topic}' does not exist`);
    const wanted = args.int('partition');
    for (const p of [...a.assignment.partitions.keys()].sort((x, y) => x - y)) if (wanted === undefined || p === wanted) out.push({ topic, partition: p });
    if (wanted !== undefined && !a.assignment.partitions.has(wanted)) throw new ToolError(`Partition ${topic}-${wanted} does not exist`);
  }
  return out;
}

async function preferredOf(zk: ZkSession, tps: readonly TopicPartitionRef[]): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (const topic of new Set(tps.map((t) => t.topic))) {
    const a = await readTopicAssignment(zk, topic);
    for (const [p, replicas] of a?.assignment.partitions ?? []) if (replicas[0] !== undefined) m.set(tpKey(topic, p), replicas[0]);
  }
  return m;
}

async function elect(zk: ZkSession, tps: TopicPartitionRef[], timeoutMs: number): Promise<number> {
  const preferred = await preferredOf(zk, tps);
  const before = await readPartitionStates(zk, tps);
  const already = tps.filter((tp) => before.get(tpKey(tp.topic, tp.partition))?.state.leader === preferred.get(tpKey(tp.topic, tp.partition)));
  const todo = tps.filter((tp) => !already.includes(tp));
  if (todo.length > 0) {
    try {
      await zk.create(PREFERRED_REPLICA_ELECTION_PATH, encodePreferredReplicaElection(todo), 'persistent');
    } catch (e) {
      if (isNodeExists(e)) throw new ToolError('Preferred replica leader election already in progress (/admin/preferred_replica_election exists); try again later');
      throw e;
    }
    // The controller deletes the node once it has run the elections.
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; (await zk.exists(PREFERRED_REPLICA_ELECTION_PATH)) !== null; attempt++) {
      if (Date.now() >= deadline) throw new ToolError(`the controller did not process ${PREFERRED_REPLICA_ELECTION_PATH} within ${timeoutMs} ms (is a controller running?)`);
      await sleep(systemScheduler, backoffMs({ initialMs: 50, maxMs: 500 }, attempt));
    }
  }
  const after = await readPartitionStates(zk, todo);
  const done: string[] = [];
  const failed: string[] = [];
  for (const tp of todo) {
    const k = tpKey(tp.topic, tp.partition);
    const s = after.get(k)?.state;
    if (s !== undefined && s.leader === preferred.get(k)) done.push(k);
    else failed.push(`${k}: preferred replica ${preferred.get(k) ?? '?'} is ${s === undefined ? 'unknown' : s.isr.includes(preferred.get(k) ?? -2) ? 'in the ISR but was not elected' : 'not in the ISR'} (leader ${s?.leader ?? 'none'})`);
  }
  if (done.length > 0) out(`Successfully completed leader election (PREFERRED) for partitions ${done.join(', ')}`);
  if (already.length > 0) out(`Valid replica already elected for partitions ${already.map((tp) => tpKey(tp.topic, tp.partition)).join(', ')}`);
  if (failed.length > 0) {
    err(`Error completing leader election (PREFERRED) for partitions:`);
    for (const f of failed) err(`  ${f}`);
    return 1;
  }
  return 0;
}
