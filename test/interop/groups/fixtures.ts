/**
 * What the group interop tests share: a cluster with small group timings, a KafkaJS admin and
 * producer (records get unique values `<prefix>-<n>` on explicit partitions), exactly-once
 * accounting across members, and committed-versus-end offsets.
 */
import { expect } from 'chai';
import { Kafka, logLevel, type Admin, type LogEntry, type Producer } from 'kafkajs';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { waitFor } from '../../helpers/wait-for.js';
import { kcat } from '../kcat.js';
import type { ConsumedRecord, GroupMember } from './members.js';

export const INITIAL_REBALANCE_DELAY_MS = 300;
export const OFFSETS_PARTITIONS = 6;

export function groupClusterProperties(extra: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  return {
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': OFFSETS_PARTITIONS,
    'group.initial.rebalance.delay.ms': INITIAL_REBALANCE_DELAY_MS,
    'default.replication.factor': 1,
    'auto.create.topics.enable': false,
    ...extra,
  };
}

export interface GroupFixture {
  cluster: TestCluster;
  kafka: Kafka;
  admin: Admin;
  /** The current producer (renewProducer replaces it). */
  producer: Producer;
  /** Replaces `stale` by a fresh producer (a fresh KafkaJS broker pool); concurrent callers share one. */
  renewProducer(stale: Producer): Promise<void>;
  stop(): Promise<void>;
}

export interface GroupFixtureOptions {
  size?: number;
  zookeeperConnect?: string;
  /** Every log entry of the fixture's KafkaJS client (admin + producer) at DEBUG: requests and parsed responses. */
  clientLog?: (entry: LogEntry) => void;
}

export async function startGroupFixture(properties: Record<string, string | number | boolean> = {}, options: GroupFixtureOptions = {}): Promise<GroupFixture> {
  const { size = 3, zookeeperConnect, clientLog } = options;
  const cluster = await startCluster({ size, properties: groupClusterProperties(properties), ...(zookeeperConnect === undefined ? {} : { zookeeperConnect }) });
  const logging = clientLog === undefined ? { logLevel: logLevel.NOTHING } : { logLevel: logLevel.DEBUG, logCreator: () => clientLog };
  const kafka = new Kafka({ clientId: 'samsa-groups-test', brokers: cluster.bootstrap.split(','), ...logging, retry: { retries: 10, initialRetryTime: 100 } });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await admin.connect();
    await producer.connect();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  let renewing: Promise<void> | undefined;
  const f: GroupFixture = {
    cluster,
    kafka,
    admin,
    producer,
    renewProducer(stale) {
      if (f.producer !== stale) return renewing ?? Promise.resolve();
      renewing = (async () => {
        const fresh = kafka.producer({ allowAutoTopicCreation: false });
        await fresh.connect();
        f.producer = fresh;
        await stale.disconnect().catch(() => undefined);
      })().finally(() => (renewing = undefined));
      return renewing;
    },
    async stop() {
      await renewing?.catch(() => undefined);
      await f.producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      await cluster.stop();
    },
  };
  return f;
}

export async function createTopic(f: GroupFixture, topic: string, partitions: number, replicationFactor = 1): Promise<void> {
  // KafkaJS asks the broker to wait 5 s for the leaders; on a loaded machine the election can take
  // longer and the answer is REQUEST_TIMED_OUT for a topic that was created (the loop saw it at load 30).
  const created = await f.admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor }], waitForLeaders: true, timeout: 30_000 });
  expect(created, `topic ${topic} created`).to.equal(true);
  // As Kafka's own TestUtils.createTopic: wait until EVERY live broker's metadata has the leaders,
  // since a client's next Metadata request may go to a broker the UpdateMetadata has not reached.
  await waitFor(
    async () => {
      for (const b of f.cluster.brokers.filter((x) => x.isAlive())) {
        const t = (await f.cluster.metadata(b.brokerId, [topic])).topics[0];
        if (t === undefined || t.errorCode !== 0 || t.leaders.length !== partitions || t.leaders.some((l) => l < 0)) return false;
      }
      return true;
    },
    `every broker's metadata to show the leaders of ${topic}`,
    { timeoutMs: 15_000, intervalMs: 50 },
  );
}

/**
 * Where produceIds reports each send (the scenario history of the failover runs): the offset the
 * broker answered for the partition, or none when send() resolved without an answer for it.
 */
export interface ProduceHistory {
  send(e: { topic: string; partition: number; values: string[]; startedMs: number; baseOffset?: string | undefined; error?: string }): void;
}

/**
 * Produces `count` records valued `<prefix>-<i>` (record i to partition i % partitions), acks=all;
 * returns the values. Two KafkaJS 2.2.4 bugs are worked around here:
 * - One send() per partition. KafkaJS keeps the answers of a send per broker, and when a leader
 *   dies mid-send its partitions move to a broker that already answered for other partitions of
 *   the SAME send, so they are never resent yet the send resolves (sendMessages.js,
 *   `brokersWithoutResponse`). Seen as acknowledged records missing from every replica after a
 *   SIGKILL; with one partition per send the retry always goes out.
 * - A send() that resolves without an answer for its partition was not acknowledged by anyone:
 *   KafkaJS's broker pool can relabel a broker with the id of a broker that shuts down
 *   (BrokerPool.refreshMetadata racing removeBroker; test/unit/client/kafkajs-broker-pool-race
 *   .test.ts), after which every Produce for the partitions that broker leads goes out empty and
 *   "succeeds". Such a producer stays broken, so it is replaced and the records are sent again
 *   (they may already be in the log from an earlier attempt: at least once).
 */
export async function produceIds(f: GroupFixture, topic: string, prefix: string, count: number, partitions: number, history?: ProduceHistory): Promise<string[]> {
  const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await Promise.all(
    Array.from({ length: partitions }, async (_, partition) => {
      const mine = values.filter((_, i) => i % partitions === partition);
      for (let attempt = 1; ; attempt++) {
        const producer = f.producer;
        const startedMs = Date.now();
        let answer: { baseOffset?: string } | undefined;
        try {
          const r = await producer.send({ topic, acks: -1, messages: mine.map((value) => ({ value, partition })) });
          answer = r.find((x) => x.partition === partition);
        } catch (err) {
          history?.send({ topic, partition, values: mine, startedMs, error: (err as Error).message });
          throw err;
        }
        history?.send({ topic, partition, values: mine, startedMs, baseOffset: answer?.baseOffset });
        if (answer !== undefined) return;
        if (attempt >= 5) throw new Error(`KafkaJS resolved ${attempt} sends to ${topic}-${partition} without an answer for the partition`);
        await f.renewProducer(producer);
      }
    }),
  );
  return values;
}

export function allRecords(members: GroupMember[]): ConsumedRecord[] {
  return members.flatMap((m) => m.records);
}

/** Waits until the members together have seen every expected value at least once. */
export async function waitConsumed(members: GroupMember[], expected: string[], timeoutMs = 30_000): Promise<void> {
  const want = new Set(expected);
  await waitFor(
    () => {
      const seen = new Set<string>();
      for (const r of allRecords(members)) if (want.has(r.value)) seen.add(r.value);
      return seen.size === want.size;
    },
    `${expected.length} records consumed across ${members.length} members`,
    { timeoutMs, intervalMs: 50 },
  ).catch((err: Error) => {
    const have = new Set(allRecords(members).map((r) => r.value));
    const missing = expected.filter((v) => !have.has(v));
    throw new Error(`${err.message}; missing ${missing.length} (e.g. ${missing.slice(0, 5).join(', ')})\n${members.map((m) => m.diagnostics()).join('\n')}`);
  });
}

/** Every expected value consumed exactly once across all members, nothing else. */
export function expectExactlyOnce(members: GroupMember[], expected: string[]): void {
  const counts = new Map<string, number>();
  for (const r of allRecords(members)) counts.set(r.value, (counts.get(r.value) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1);
  const wanted = new Set(expected);
  const unexpected = [...counts.keys()].filter((v) => !wanted.has(v));
  const missing = expected.filter((v) => !counts.has(v));
  expect(missing.length, `missing records (e.g. ${missing.slice(0, 5).join(', ')})`).to.equal(0);
  expect(duplicates.length, `records consumed more than once (e.g. ${duplicates.slice(0, 5).map(([v, n]) => `${v}×${n}`).join(', ')})`).to.equal(0);
  expect(unexpected.length, `unexpected records (e.g. ${unexpected.slice(0, 5).join(', ')})`).to.equal(0);
}

/** A partition's records were consumed in offset order by whichever member held it. */
export function expectPartitionOrder(members: GroupMember[]): void {
  for (const m of members) {
    const last = new Map<number, number>();
    for (const r of m.records) {
      const prev = last.get(r.partition);
      if (prev !== undefined) expect(r.offset, `${m.name} partition ${r.partition} offsets increase`).to.be.greaterThan(prev);
      last.set(r.partition, r.offset);
    }
  }
}

export async function endOffsets(f: GroupFixture, topic: string): Promise<Map<number, number>> {
  const offsets = await f.admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}

export async function committedOffsets(f: GroupFixture, groupId: string, topic: string): Promise<Map<number, number>> {
  const r = await f.admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(r[0]!.partitions.map((p) => [p.partition, Number(p.offset)]));
}

/** Waits until the group's committed offsets equal the topic's end offsets on every partition. */
export async function waitCommittedToEnd(f: GroupFixture, groupId: string, topic: string, timeoutMs = 15_000): Promise<Map<number, number>> {
  const end = await endOffsets(f, topic);
  let last = new Map<number, number>();
  return waitFor(
    async () => {
      last = await committedOffsets(f, groupId, topic);
      for (const [p, o] of end) if (last.get(p) !== o) return false;
      return last;
    },
    `group ${groupId} to commit the end offsets ${JSON.stringify([...end])}`,
    { timeoutMs, intervalMs: 100 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; committed ${JSON.stringify([...last])}`);
  });
}

/**
 * For a failure message: where the missing values are in the topic's log (read with kcat from
 * the beginning), so a broker that lost records is told apart from a consumer that skipped them.
 */
export async function locateInLog(f: GroupFixture, topic: string, values: string[]): Promise<string> {
  const log = await readTopic(f, topic).catch((): TopicContents => ({ records: new Map(), at: new Map(), unreadable: [] }));
  const found = values.map((v) => {
    const at = log.records.get(v);
    return `${v}: ${at === undefined ? 'NOT IN LOG' : `${at.partition}@${at.offset}`}`;
  });
  return found.join(', ') + (log.unreadable.length > 0 ? ` (partitions not readable: ${log.unreadable.join(',')})` : '');
}

export interface TopicContents {
  /** value → where it sits (the last occurrence when a retry wrote it twice). */
  records: Map<string, { partition: number; offset: number }>;
  /** `partition@offset` → value. */
  at: Map<string, string>;
  /** Partitions kcat could not read to their end (no leader, or it timed out). */
  unreadable: number[];
}

/**
 * Every record of the topic (up to each partition's high watermark) by value, read with kcat one
 * partition at a time, so that a partition without a leader does not hide the others.
 */
export async function readTopic(f: GroupFixture, topic: string, timeoutMs = 15_000): Promise<TopicContents> {
  const meta = await f.admin.fetchTopicMetadata({ topics: [topic] });
  const ids = (meta.topics[0]?.partitions ?? []).map((p) => p.partitionId).sort((a, b) => a - b);
  const out: TopicContents = { records: new Map(), at: new Map(), unreadable: [] };
  await Promise.all(
    ids.map(async (id) => {
      const r = await kcat(['-C', '-b', f.cluster.bootstrap, '-t', topic, '-p', String(id), '-o', 'beginning', '-e', '-q', '-f', '%p|%o|%s\n'], undefined, timeoutMs).catch(() => undefined);
      if (r === undefined || r.code !== 0) out.unreadable.push(id);
      for (const line of r?.stdout.split('\n') ?? []) {
        const [p, o, v] = line.split('|');
        if (v === undefined) continue;
        out.records.set(v, { partition: Number(p), offset: Number(o) });
        out.at.set(`${p}@${o}`, v);
      }
    }),
  );
  return out;
}
