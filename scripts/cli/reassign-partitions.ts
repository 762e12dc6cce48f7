/**
 * reassign-partitions.sh — Kafka's kafka-reassign-partitions.sh in its ZooKeeper mode:
 * --generate proposes a round-robin placement of topics on a broker list, --execute writes
 * /admin/reassign_partitions (Kafka's JSON) for the controller to carry out, --verify reports
 * each partition as in progress (still in the znode, or adding replicas), completed (the replica
 * list is the target) or failed. (AlterPartitionReassignments is not in protocol/.) A plan's
 * `log_dirs` move replicas between the log directories of their brokers (reassign-log-dirs.ts).
 */
import { tpKey } from '../../common/index.js';
import { readFileSync } from 'node:fs';
import {
  encodeReassignPartitions,
  getDataOrNull,
  decodeReassignPartitions,
  readBrokerIds,
  readTopicAssignment,
  REASSIGN_PARTITIONS_PATH,
  type PartitionReassignment,
  type ZkSession,
} from '../../coordination/index.js';
import type { Admin } from '../../client/index.js';
import { UsageError, type ParsedArgs, type ToolSpec } from './args.js';
import { BOOTSTRAP_FLAG, bootstrapList, connectAdmin, out, runTool, ToolError } from './common.js';
import { preferLogDirs, replicaDirs, startLogDirMoves, verifyLogDirs, type ReplicaDir } from './reassign-log-dirs.js';
import { isNodeExists, openZk, ZOOKEEPER_FLAG } from './zk.js';

const spec: ToolSpec = {
  name: 'reassign-partitions.sh',
  summary: 'Move partition replicas between brokers (generate a plan, execute it, verify it).',
  flags: [
    ZOOKEEPER_FLAG,
    { name: 'generate', help: 'Propose a reassignment of --topics-to-move-json-file onto --broker-list (prints current and proposed JSON).' },
    { name: 'execute', help: 'Start the reassignment in --reassignment-json-file.' },
    { name: 'verify', help: 'Report the status of the reassignment in --reassignment-json-file.' },
    { name: 'topics-to-move-json-file', arg: '<String: path>', help: 'With --generate: {"topics":[{"topic":"t"}],"version":1}.' },
    { name: 'broker-list', arg: '<String: 1,2,3>', help: 'With --generate: the brokers to place replicas on.' },
    { name: 'reassignment-json-file', arg: '<String: path>', help: 'With --execute/--verify: {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["/data/a","any"]}]} (log_dirs optional).' },
    { ...BOOTSTRAP_FLAG, help: 'Required when the plan names log_dirs: the broker(s) to send the log directory moves through, host:port[,host:port...].' },
    { name: 'timeout', arg: '<Long: ms>', help: 'With --execute and log_dirs: how long to wait for every replica to start its log directory move (default 10000).' },
  ],
  usageTail: 'Example:\n  reassign-partitions.sh --zookeeper 127.0.0.1:2181 --reassignment-json-file plan.json --execute',
};

runTool(spec, async (args) => {
  const actions = ['generate', 'execute', 'verify'].filter((a) => args.has(a));
  if (actions.length !== 1) throw new UsageError('exactly one of --generate, --execute or --verify is required');
  const zk = await openZk(args.require('zookeeper'));
  try {
    if (actions[0] === 'generate') return await generate(zk, args);
    const { plan, dirs } = readPlan(args.require('reassignment-json-file'));
    let moves: LogDirMoves | undefined;
    if (dirs.length > 0) {
      if (args.get('bootstrap-server') === undefined) throw new UsageError('--bootstrap-server is required when the plan names log_dirs');
      moves = { admin: await connectAdmin(bootstrapList(args)), dirs, timeoutMs: args.int('timeout', 10_000)! };
    }
    try {
      return actions[0] === 'execute' ? await execute(zk, plan, moves) : await verify(zk, plan, moves);
    } finally {
      moves?.admin.close();
    }
  } finally {
    await zk.close();
  }
});

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ToolError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

interface LogDirMoves {
  readonly admin: Admin;
  readonly dirs: readonly ReplicaDir[];
  readonly timeoutMs: number;
}

function readPlan(path: string): { plan: PartitionReassignment[]; dirs: ReplicaDir[] } {
  const list = (readJson(path) as { partitions?: unknown }).partitions;
  const ok = Array.isArray(list) && list.every((p) => typeof p?.topic === 'string' && Number.isInteger(p?.partition) && Array.isArray(p?.replicas) && p.replicas.length > 0 && p.replicas.every(Number.isInteger));
  if (!ok) throw new ToolError(`${path} must be {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2]},...]}`);
  const plan = (list as PartitionReassignment[]).map((p) => ({ topic: p.topic, partition: p.partition, replicas: [...p.replicas] }));
  for (const p of plan) if (new Set(p.replicas).size !== p.replicas.length) throw new ToolError(`duplicate replicas for ${p.topic}-${p.partition}`);
  return { plan, dirs: replicaDirs(list as { log_dirs?: unknown }[], plan) };
}

const planJson = (list: readonly PartitionReassignment[]) =>
  JSON.stringify({ version: 1, partitions: list.map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas, log_dirs: p.replicas.map(() => 'any') })) });

async function currentOf(zk: ZkSession, topics: Iterable<string>): Promise<Map<string, PartitionReassignment[]>> {
  const m = new Map<string, PartitionReassignment[]>();
  for (const topic of topics) {
    const a = await readTopicAssignment(zk, topic);
    if (a === null) throw new ToolError(`Topic '${topic}' does not exist`);
    m.set(topic, [...a.assignment.partitions].sort(([x], [y]) => x - y).map(([partition, replicas]) => ({ topic, partition, replicas: [...replicas] })));
  }
  return m;
}

async function generate(zk: ZkSession, args: ParsedArgs): Promise<number> {
  const doc = readJson(args.require('topics-to-move-json-file')) as { topics?: Array<{ topic?: unknown }> };
  if (!Array.isArray(doc.topics) || !doc.topics.every((t) => typeof t?.topic === 'string')) throw new ToolError('the topics file must be {"topics":[{"topic":"t"}],"version":1}');
  const brokers = args.require('broker-list').split(',').map((s) => s.trim());
  if (!brokers.every((b) => /^\d+$/.test(b))) throw new UsageError('--broker-list wants broker ids like 1,2,3');
  const ids = [...new Set(brokers.map(Number))];
  const live = new Set(await readBrokerIds(zk));
  const unknown = ids.filter((b) => !live.has(b));
  if (unknown.length > 0) throw new ToolError(`brokers ${unknown.join(',')} are not registered (live: ${[...live].join(',') || 'none'})`);
  const current = await currentOf(zk, doc.topics.map((t) => t.topic as string));
  const proposed: PartitionReassignment[] = [];
  let start = 0;
  for (const parts of current.values()) {
    for (const p of parts) {
      const rf = p.replicas.length;
      if (rf > ids.length) throw new ToolError(`${p.topic}-${p.partition} has ${rf} replicas but only ${ids.length} brokers were given`);
      // Kafka's rack-unaware placement in spirit: consecutive brokers from a rotating start.
      proposed.push({ ...p, replicas: Array.from({ length: rf }, (_, i) => ids[(start + i) % ids.length]!) });
      start++;
    }
  }
  out('Current partition replica assignment');
  out(planJson([...current.values()].flat()));
  out('');
  out('Proposed partition reassignment configuration');
  out(planJson(proposed));
  return 0;
}

async function execute(zk: ZkSession, plan: PartitionReassignment[], moves?: LogDirMoves): Promise<number> {
  const live = new Set(await readBrokerIds(zk));
  const current = await currentOf(zk, new Set(plan.map((p) => p.topic)));
  for (const p of plan) {
    if (!current.get(p.topic)!.some((c) => c.partition === p.partition)) throw new ToolError(`Partition ${p.topic}-${p.partition} does not exist`);
    const dead = p.replicas.filter((r) => !live.has(r));
    if (dead.length > 0) throw new ToolError(`${p.topic}-${p.partition}: brokers ${dead.join(',')} are not registered`);
  }
  const wanted = new Set(plan.map((p) => tpKey(p.topic, p.partition)));
  out('Current partition replica assignment');
  out('');
  out(planJson([...current.values()].flat().filter((c) => wanted.has(tpKey(c.topic, c.partition)))));
  out('');
  out('Save this to use as the --reassignment-json-file option during rollback');
  if (moves) await preferLogDirs(moves.admin, moves.dirs);
  try {
    await zk.create(REASSIGN_PARTITIONS_PATH, encodeReassignPartitions(plan), 'persistent');
  } catch (e) {
    if (isNodeExists(e)) throw new ToolError('There is an existing assignment running (/admin/reassign_partitions exists); wait for it or verify it');
    throw e;
  }
  out(`Successfully started partition reassignment${plan.length === 1 ? '' : 's'} for ${plan.map((p) => tpKey(p.topic, p.partition)).join(',')}`);
  if (moves) await startLogDirMoves(moves.admin, moves.dirs, moves.timeoutMs);
  return 0;
}

async function verify(zk: ZkSession, plan: PartitionReassignment[], moves?: LogDirMoves): Promise<number> {
  const node = await getDataOrNull(zk, REASSIGN_PARTITIONS_PATH);
  const pending = new Set(node === null ? [] : decodeReassignPartitions(node.data, REASSIGN_PARTITIONS_PATH).map((p) => tpKey(p.topic, p.partition)));
  const assignments = new Map<string, Awaited<ReturnType<typeof readTopicAssignment>>>();
  for (const t of new Set(plan.map((p) => p.topic))) assignments.set(t, await readTopicAssignment(zk, t));
  out('Status of partition reassignment:');
  let failed = 0;
  for (const p of plan) {
    const k = tpKey(p.topic, p.partition);
    const a = assignments.get(p.topic)?.assignment;
    const replicas = a?.partitions.get(p.partition);
    const adding = a?.addingReplicas.get(p.partition) ?? [];
    if (pending.has(k) || adding.length > 0) {
      out(`Reassignment of partition ${k} is still in progress.`);
    } else if (replicas !== undefined && replicas.length === p.replicas.length && replicas.every((r, i) => r === p.replicas[i])) {
      out(`Reassignment of partition ${k} is completed.`);
    } else {
      out(`Reassignment of partition ${k} failed (replicas are ${replicas?.join(',') ?? 'unknown'}, wanted ${p.replicas.join(',')}).`);
      failed++;
    }
  }
  // A log directory move still going is progress, not failure (Kafka's verify says the same).
  if (moves) await verifyLogDirs(moves.admin, moves.dirs);
  return failed > 0 ? 1 : 0;
}
