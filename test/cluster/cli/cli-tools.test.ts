/**
 * The CLI tools end to end, each run as a child process against a live three-broker cluster:
 * create → describe → configs → produce → consume (group) → group describe shows lag 0 → reset
 * offsets → delete; perf tools; leader election and reassignment through ZooKeeper; the
 * ZooKeeper shell; transactions.sh list/describe of an open and a committed transaction. The
 * its share one cluster, but each makes its own topics and groups, so any one passes alone
 * (`--grep`) or in any order.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { freePort } from '../../helpers/ports.js';
import { randomName } from '../../helpers/random.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ok, runTool } from './run-tool.js';
import { Consumer, Producer, stringSerde } from '../../../client/index.js';

const TOOLS = [
  'topics',
  'console-producer',
  'console-consumer',
  'consumer-groups',
  'configs',
  'leader-election',
  'reassign-partitions',
  'producer-perf-test',
  'consumer-perf-test',
  'zookeeper-shell',
  'transactions',
];

// Data topics (and __consumer_offsets) use RF 1 to keep this suite light (replication has its
// own suites: test/cluster/replication, test/failover). Placement (reassignment, elections) is
// tested on an RF 3 topic.
const DATA_RF = '1';
const CLUSTER_PROPERTIES = {
  'offsets.topic.replication.factor': 1,
  'group.initial.rebalance.delay.ms': 0,
  'transaction.state.log.replication.factor': 1,
  'transaction.state.log.min.isr': 1,
  'transaction.state.log.num.partitions': 3,
};

describe('cli: Kafka-style tools against a live cluster', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let bs: string;
  const lines = ['k1:v1', 'k2:v2', 'k3:v3', 'k4:v4', 'k5:v5', 'k6:v6'];

  before(async () => {
    cluster = await startCluster({ size: 3, properties: CLUSTER_PROPERTIES });
    bs = cluster.bootstrap;
  });

  after(async () => {
    await cluster?.stop();
  });

  /** A topic of the calling test's own: 3 partitions at DATA_RF, created with topics.sh. */
  async function newTopic(prefix: string, extra: string[] = []): Promise<string> {
    const name = randomName(prefix);
    await ok('topics', ['--bootstrap-server', bs, '--create', '--topic', name, '--partitions', '3', '--replication-factor', DATA_RF, ...extra]);
    return name;
  }

  /** `lines` (key:value) written to `topic` by the client, acknowledged by every replica. */
  async function produceLines(topic: string): Promise<void> {
    const producer = new Producer<string, string>({ brokers: [bs], acks: -1, keySerializer: stringSerde.serialize, valueSerializer: stringSerde.serialize });
    try {
      await Promise.all(lines.map((l) => producer.send({ topic, key: l.split(':')[0]!, value: l.split(':')[1]! })));
    } finally {
      await producer.close();
    }
  }

  /** Every record of `topic` as key:value, read by the client (a group commits what it read). */
  async function consumeLines(topic: string, groupId?: string): Promise<string[]> {
    const consumer = new Consumer<string, string>({
      brokers: [bs], autoOffsetReset: 'earliest', keyDeserializer: stringSerde.deserialize, valueDeserializer: stringSerde.deserialize, ...(groupId === undefined ? {} : { groupId }),
    });
    const got: string[] = [];
    try {
      if (groupId === undefined) consumer.assign([0, 1, 2].map((partition) => ({ topic, partition })));
      else consumer.subscribe([topic]);
      await waitFor(async () => {
        for (const r of await consumer.poll({ timeoutMs: 500 })) got.push(`${r.key}:${r.value}`);
        return got.length >= lines.length;
      }, `${lines.length} records of ${topic}`, { timeoutMs: 30_000 });
      if (groupId !== undefined) await consumer.commitSync();
    } finally {
      await consumer.close();
    }
    return got;
  }

  it('every tool: --help exits 0 with usage; an unknown flag prints usage and exits 2', async () => {
    const help = await runTool('topics', ['--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/^Usage: topics\.sh/);
    const results = await Promise.all(TOOLS.map((t) => runTool(t, ['--no-such-flag'])));
    results.forEach((r, i) => {
      expect(r.code, `${TOOLS[i]} exit code`).to.equal(2);
      expect(r.stderr, TOOLS[i]).to.contain('Usage:');
    });
  });

  it('topics.sh: an unreachable broker is a clear error and exit 1', async () => {
    const port = await freePort();
    const r = await runTool('topics', ['--bootstrap-server', `127.0.0.1:${port}`, '--list']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^Error: cannot reach any broker at 127\.0\.0\.1:\d+/);
  });

  it('topics.sh: create, list, describe (Kafka format), refuse a duplicate', async () => {
    const topic = randomName('cli-orders');
    expect(await ok('topics', ['--bootstrap-server', bs, '--create', '--topic', topic, '--partitions', '3', '--replication-factor', DATA_RF, '--config', 'retention.ms=3600000'])).to.equal(
      `Created topic ${topic}.\n`,
    );
    expect((await ok('topics', ['--bootstrap-server', bs, '--list'])).split('\n')).to.include(topic);
    const described = (await ok('topics', ['--bootstrap-server', bs, '--describe', '--topic', topic])).trimEnd().split('\n');
    // Kafka 2.8's kafka-topics.sh line, with the topic id (KIP-516) after the name.
    expect(described[0]).to.match(new RegExp(`^Topic: ${topic}\\tTopicId: [A-Za-z0-9_-]{22}\\tPartitionCount: 3\\tReplicationFactor: ${DATA_RF}\\tConfigs: retention\\.ms=3600000$`));
    expect(described.slice(1)).to.have.length(3);
    described.slice(1).forEach((l, p) => expect(l).to.match(new RegExp(`^\\tTopic: ${topic}\\tPartition: ${p}\\tLeader: [1-3]\\tReplicas: [1-3]\\tIsr: [1-3]$`)));
    const dup = await runTool('topics', ['--bootstrap-server', bs, '--create', '--topic', topic, '--partitions', '3']);
    expect(dup.code).to.equal(1);
    expect(dup.stderr).to.contain('already exists');
    expect(await ok('topics', ['--bootstrap-server', bs, '--describe', '--under-replicated-partitions'])).to.equal('');
  });

  it('configs.sh: add, describe and delete topic overrides', async () => {
    const topic = await newTopic('cli-configs', ['--config', 'retention.ms=3600000']);
    const base = ['--bootstrap-server', bs, '--entity-type', 'topics', '--entity-name', topic];
    expect(await ok('configs', [...base, '--alter', '--add-config', 'cleanup.policy=compact,segment.ms=600000'])).to.contain(`Completed updating config for topic ${topic}.`);
    const d = await ok('configs', [...base, '--describe']);
    expect(d).to.contain(`Dynamic configs for topic ${topic} are:`);
    expect(d).to.contain('  cleanup.policy=compact sensitive=false');
    expect(d).to.contain('  retention.ms=3600000');
    await ok('configs', [...base, '--alter', '--delete-config', 'cleanup.policy,segment.ms']);
    const after = await ok('configs', [...base, '--describe']);
    expect(after).not.to.contain('cleanup.policy');
    expect(after).to.contain('retention.ms=3600000');
    const bad = await runTool('configs', [...base, '--alter', '--add-config', 'no.such.config=1']);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.contain('INVALID_CONFIG');
  });

  it('console-producer.sh: keyed lines from stdin', async () => {
    const topic = await newTopic('cli-produced');
    await ok('console-producer', ['--bootstrap-server', bs, '--topic', topic, '--property', 'parse.key=true', '--property', 'key.separator=:'], { input: lines.join('\n') + '\n' });
    expect((await consumeLines(topic)).sort()).to.deep.equal([...lines].sort());
  });

  it('console-consumer.sh: single partitions without a group, from the earliest offset, add up to everything', async () => {
    const topic = await newTopic('cli-consumed');
    await produceLines(topic);
    const results = await Promise.all(
      [0, 1, 2].map((p) =>
        runTool('console-consumer', ['--bootstrap-server', bs, '--topic', topic, '--partition', String(p), '--offset', 'earliest', '--timeout-ms', '3000', '--property', 'print.key=true', '--property', 'key.separator=:']),
      ),
    );
    const got: string[] = [];
    for (const r of results) {
      expect(r.code, r.stderr).to.equal(0);
      const mine = r.stdout.split('\n').filter((l) => l !== '');
      expect(r.stderr).to.contain(`Processed a total of ${mine.length} messages`);
      got.push(...mine);
    }
    expect(got.sort()).to.deep.equal([...lines].sort());
  });

  it('console-consumer.sh: a group reads everything from the beginning and commits it', async () => {
    const topic = await newTopic('cli-grouped');
    const group = randomName('cli-group');
    await produceLines(topic);
    const out = await ok('console-consumer', ['--bootstrap-server', bs, '--topic', topic, '--group', group, '--from-beginning', '--max-messages', String(lines.length), '--property', 'print.key=true', '--property', 'key.separator=:'], { timeoutMs: 60_000 });
    expect(out.split('\n').filter((l) => l !== '').sort()).to.deep.equal([...lines].sort());
    const committed = await ok('consumer-groups', ['--bootstrap-server', bs, '--describe', '--group', group]);
    const lag = committed.split('\n').filter((l) => l.startsWith(`${group} `)).map((l) => l.split(/\s+/));
    expect(lag.reduce((n, r) => n + Number(r[3]), 0), `committed offsets:\n${committed}`).to.equal(lines.length);
  });

  it('consumer-groups.sh: list, describe shows lag 0, reset to earliest, delete', async () => {
    const topic = await newTopic('cli-lag');
    const group = randomName('cli-group');
    await produceLines(topic);
    await consumeLines(topic, group);
    expect((await ok('consumer-groups', ['--bootstrap-server', bs, '--list'])).split('\n')).to.include(group);
    const rows = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(`${group} `))
        .map((l) => l.split(/\s+/));
    const described = await ok('consumer-groups', ['--bootstrap-server', bs, '--describe', '--group', group]);
    expect(described).to.contain(`Consumer group '${group}' has no active members.`);
    expect(described).to.match(/GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+HOST\s+CLIENT-ID/);
    // Only partitions with a committed offset are listed for a group without members.
    const before = rows(described);
    expect(before.length).to.be.within(1, 3);
    expect(before.reduce((n, r) => n + Number(r[3]), 0)).to.equal(lines.length);
    for (const r of before) expect(r[5], r.join(' ')).to.equal('0');

    const dry = await ok('consumer-groups', ['--bootstrap-server', bs, '--reset-offsets', '--group', group, '--topic', topic, '--to-earliest', '--dry-run']);
    expect(rows(dry).map((r) => r[3])).to.deep.equal(['0', '0', '0']);
    expect(rows(await ok('consumer-groups', ['--bootstrap-server', bs, '--describe', '--group', group])).every((r) => r[5] === '0')).to.equal(true);

    const executed = await ok('consumer-groups', ['--bootstrap-server', bs, '--reset-offsets', '--group', group, '--topic', topic, '--to-earliest', '--execute']);
    expect(executed).to.match(/GROUP\s+TOPIC\s+PARTITION\s+NEW-OFFSET/);
    const reset = rows(await ok('consumer-groups', ['--bootstrap-server', bs, '--describe', '--group', group]));
    expect(reset.map((r) => r[3])).to.deep.equal(['0', '0', '0']);
    expect(reset.reduce((n, r) => n + Number(r[5]), 0)).to.equal(lines.length);

    expect(await ok('consumer-groups', ['--bootstrap-server', bs, '--delete', '--group', group])).to.contain(`Deletion of requested consumer groups ('${group}') was successful.`);
    const gone = await runTool('consumer-groups', ['--bootstrap-server', bs, '--describe', '--group', group]);
    expect(gone.code).to.equal(1);
    expect(gone.stderr).to.contain(`Consumer group '${group}' does not exist.`);
  });

  it('producer-perf-test.sh and consumer-perf-test.sh: Kafka\'s lines and --json', async () => {
    const perf = randomName('cli-perf');
    await ok('topics', ['--bootstrap-server', bs, '--create', '--topic', perf, '--partitions', '2', '--replication-factor', DATA_RF]);
    const line = await ok('producer-perf-test', ['--topic', perf, '--num-records', '3000', '--record-size', '100', '--throughput', '-1', '--producer-props', `bootstrap.servers=${bs}`, 'acks=1', 'linger.ms=5']);
    expect(line).to.match(/^3000 records sent, [\d.]+ records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.\n$/);
    const json = JSON.parse(await ok('producer-perf-test', ['--topic', perf, '--num-records', '1000', '--record-size', '50', '--throughput', '2000', '--bootstrap-server', bs, '--producer-props', 'acks=1', '--json']));
    expect(json).to.include({ records: 1000, failed: 0, recordSize: 50 });
    expect(json.elapsedMs).to.be.at.least(400); // throttled to 2000 records/s

    const consumed = (await ok('consumer-perf-test', ['--bootstrap-server', bs, '--topic', perf, '--messages', '4000'])).trimEnd().split('\n');
    expect(consumed[0]).to.equal('start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
    expect(consumed[1]!.split(', ')[4]).to.equal('4000');
    const cj = JSON.parse(await ok('consumer-perf-test', ['--bootstrap-server', bs, '--topic', perf, '--messages', '4000', '--json']));
    expect(cj).to.include({ records: 4000, bytes: 3000 * 100 + 1000 * 50, timedOut: false });
    const short = await runTool('consumer-perf-test', ['--bootstrap-server', bs, '--topic', perf, '--messages', '5000', '--timeout', '500', '--hide-header']);
    expect(short.code).to.equal(1);
    expect(short.stderr).to.contain('Exiting before consuming the expected number of messages');
  });

  it('reassign-partitions.sh and leader-election.sh: reorder replicas through ZooKeeper, then elect the new preferred leader', async () => {
    const zk = ['--zookeeper', cluster.zookeeperConnect];
    const placed = randomName('cli-placed');
    await ok('topics', ['--bootstrap-server', bs, '--create', '--topic', placed, '--partitions', '1', '--replication-factor', '3']);
    const replicasOf = async () => {
      const l = (await ok('topics', ['--bootstrap-server', bs, '--describe', '--topic', placed])).split('\n')[1]!;
      return { leader: Number(/Leader: (\d+)/.exec(l)![1]), replicas: /Replicas: ([\d,]+)/.exec(l)![1]!.split(',').map(Number) };
    };
    const before = await replicasOf();
    const target = [before.replicas[1]!, before.replicas[2]!, before.replicas[0]!];
    const dir = tmpDir('samsa-cli-');
    const plan = join(dir, 'plan.json');
    writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: placed, partition: 0, replicas: target }] }));
    const executed = await ok('reassign-partitions', [...zk, '--reassignment-json-file', plan, '--execute']);
    expect(executed).to.contain('Current partition replica assignment');
    expect(executed).to.contain(`Successfully started partition reassignment for ${placed}-0`);
    await waitFor(async () => (await ok('reassign-partitions', [...zk, '--reassignment-json-file', plan, '--verify'])).includes(`Reassignment of partition ${placed}-0 is completed.`), 'reassignment completed', {
      timeoutMs: 30_000,
      intervalMs: 300,
    });
    expect((await replicasOf()).replicas).to.deep.equal(target);

    const elected = await ok('leader-election', [...zk, '--election-type', 'PREFERRED', '--topic', placed]);
    expect(elected).to.match(new RegExp(`(Successfully completed leader election \\(PREFERRED\\) for partitions ${placed}-0|Valid replica already elected for partitions ${placed}-0)`));
    expect((await replicasOf()).leader).to.equal(target[0]);
    const again = await ok('leader-election', [...zk, '--election-type', 'preferred', '--all-topic-partitions']);
    expect(again).to.contain('Valid replica already elected for partitions');
  });

  it('zookeeper-shell.sh: ls, get and stat on the cluster\'s ZooKeeper; a missing node exits 1', async () => {
    const zk = cluster.zookeeperConnect;
    const topic = await newTopic('cli-zk');
    expect(await ok('zookeeper-shell', [zk, 'ls', '/brokers/ids'])).to.equal('[1, 2, 3]\n');
    expect(JSON.parse(await ok('zookeeper-shell', [zk, 'get', `/brokers/topics/${topic}`])).partitions).to.have.keys('0', '1', '2');
    expect(await ok('zookeeper-shell', [zk, 'stat', '/controller'])).to.match(/ephemeralOwner = 0x[1-9a-f][0-9a-f]*\n/);
    const missing = await runTool('zookeeper-shell', [zk, 'get', '/no/such/node']);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain('Node does not exist: /no/such/node');
    const piped = await ok('zookeeper-shell', [zk], { input: 'ls /brokers\nget /controller\n' });
    expect(piped).to.contain('ids');
    expect(piped).to.contain('"brokerid"');
  });

  it('transactions.sh: list and describe (Kafka 3.x columns) an open transaction, then its commit; an unknown id exits 1', async () => {
    const id = randomName('cli-txn');
    const topic = await newTopic('cli-txn');
    const producer = new Producer<string, string>({ brokers: [bs], transactionalId: id, transactionTimeoutMs: 60_000 });
    // Kafka's rows: each cell padded and followed by a tab (so the last cell too).
    const cells = (line: string) => line.split('\t').slice(0, -1).map((c) => c.trim());
    const rowsOf = (text: string) => text.split('\n').filter((l) => l !== '');
    try {
      const txn = await producer.transaction();
      await txn.send({ topic, partition: 1, value: 'in-a-transaction' });
      const listed = rowsOf(await ok('transactions', ['--bootstrap-server', bs, 'list']));
      expect(cells(listed[0]!)).to.deep.equal(['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState']);
      const row = listed.map(cells).find((r) => r[0] === id);
      expect(row, listed.join('\n')).to.not.equal(undefined);
      expect(row![3]).to.equal('Ongoing');
      const coordinator = row![1];
      const described = rowsOf(await ok('transactions', ['--bootstrap-server', bs, 'describe', '--transactional-id', id])).map(cells);
      expect(described[0]).to.deep.equal(['CoordinatorId', 'TransactionalId', 'ProducerId', 'ProducerEpoch', 'TransactionState', 'TransactionTimeoutMs', 'CurrentTransactionStartTimeMs', 'TransactionDurationMs', 'TopicPartitions']);
      const [coord, tid, pid, epoch, state, timeout, start, duration, partitions] = described[1]!;
      expect([coord, tid, pid, state, timeout, partitions]).to.deep.equal([coordinator, id, row![2], 'Ongoing', '60000', `${topic}-1`]);
      expect(Number(epoch)).to.be.at.least(0);
      expect(Number(start)).to.be.within(Date.now() - 60_000, Date.now());
      expect(Number(duration)).to.be.at.least(0);
      await txn.commit();
      await waitFor(async () => (await ok('transactions', ['--bootstrap-server', bs, 'describe', '--transactional-id', id])).includes('CompleteCommit'), 'the described state to reach CompleteCommit', { timeoutMs: 15_000 });
    } finally {
      await producer.close();
    }
    const unknown = await runTool('transactions', ['--bootstrap-server', bs, 'describe', '--transactional-id', randomName('no-such-txn')]);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/^Error: Failed to describe transaction state of transactional-id `no-such-txn-[^`]+`: .*TRANSACTIONAL_ID_NOT_FOUND/);
    const bare = await runTool('transactions', ['--bootstrap-server', bs]);
    expect(bare.code, 'no command').to.equal(2);
  });

  it('topics.sh: delete removes the topic', async () => {
    const topic = await newTopic('cli-deleted');
    expect(await ok('topics', ['--bootstrap-server', bs, '--delete', '--topic', topic])).to.equal(`Topic ${topic} is marked for deletion.\n`);
    await waitFor(async () => !(await ok('topics', ['--bootstrap-server', bs, '--list'])).split('\n').includes(topic), `${topic} gone from --list`, { timeoutMs: 30_000, intervalMs: 300 });
    const r = await runTool('topics', ['--bootstrap-server', bs, '--describe', '--topic', topic]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('does not exist');
  });
});
