/**
 * The coordinator-failover scenario, shared by test/interop/groups-failover.test.ts (one run per
 * variant) and the loop runner bench/suites/groups-failover-loop.ts (many runs, evidence kept):
 * two members of one group consume a 6-partition RF 3 topic; a producer keeps writing (acks=all)
 * while the broker leading the group's `__consumer_offsets` partition goes away (SIGTERM through
 * broker-stop.sh = controlled shutdown, or SIGKILL). The group must move to the new leader of its
 * offsets partition with its committed offsets intact, and consumption must resume with no
 * skipped record: every offset of every partition handed to some member (at-least-once).
 *
 * Everything the run saw is appended to a `ScenarioHistory` (sends with their acknowledged
 * offsets, the fault, coordinator moves, partition states), so a failing run can be studied
 * afterwards and an acknowledged-but-missing record told apart from a consumer that stalled.
 */
import { expect } from 'chai';
import { OFFSETS_TOPIC_NAME, partitionFor } from '../../../broker/group/index.js';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';
import { committedOffsets, createTopic, endOffsets, locateInLog, OFFSETS_PARTITIONS, produceIds, readTopic, waitCommittedToEnd, waitConsumed, type GroupFixture, type ProduceHistory } from './fixtures.js';
import { kafkajsMember, kcatMember, waitForBalanced, type ChildMemberOptions, type GroupMember } from './members.js';

/** Broker properties of the failover cluster (startGroupFixture adds the group timings); min ISR is the caller's. */
export const FAILOVER_CLUSTER_PROPERTIES = { 'offsets.topic.replication.factor': 3, 'default.replication.factor': 3, 'unclean.leader.election.enable': false } as const;

export type MemberClient = 'kcat' | 'kafkajs';
export type StopSignal = 'term' | 'kill';

export interface CoordinatorFailoverOptions {
  client: MemberClient;
  signal: StopSignal;
  /** Members are pushed here as soon as they exist, so the caller can stop them whatever happens. */
  members: GroupMember[];
  history?: ScenarioHistory;
  partitions?: number;
}

export interface CoordinatorFailoverResult {
  topic: string;
  groupId: string;
  coordinator: number;
  newCoordinator: number;
  produced: number;
  consumed: number;
}

export interface HistoryEvent {
  /** ms since the history began. */
  t: number;
  type: string;
  [k: string]: unknown;
}

/** An append-only record of one run, written out as JSON by the loop runner. */
export class ScenarioHistory implements ProduceHistory {
  readonly startedAt = Date.now();
  readonly events: HistoryEvent[] = [];

  add(type: string, details: Record<string, unknown> = {}): void {
    this.events.push({ t: Date.now() - this.startedAt, type, ...details });
  }

  send(e: { topic: string; partition: number; values: string[]; startedMs: number; baseOffset?: string | undefined; error?: string }): void {
    const { values, startedMs, ...rest } = e;
    // 'send-unanswered': send() resolved, yet no broker answered for the partition (KafkaJS 2.2.4).
    const type = e.error !== undefined ? 'send-failed' : e.baseOffset === undefined ? 'send-unanswered' : 'send-acked';
    this.add(type, { ...rest, sentAt: startedMs - this.startedAt, first: values[0], last: values[values.length - 1], count: values.length, values });
  }

  /** Values whose send the broker acknowledged, by partition, with the offset it gave the first. */
  acknowledged(): { partition: number; baseOffset: number; values: string[] }[] {
    return this.events.filter((e) => e.type === 'send-acked').map((e) => ({ partition: e['partition'] as number, baseOffset: Number(e['baseOffset']), values: e['values'] as string[] }));
  }

  /** Values whose send() resolved without any broker answer for their partition. */
  unanswered(): string[] {
    return this.events.filter((e) => e.type === 'send-unanswered').flatMap((e) => e['values'] as string[]);
  }

  toJSON(): unknown {
    return { startedAt: new Date(this.startedAt).toISOString(), events: this.events };
  }
}

export async function coordinatorOf(f: GroupFixture, groupId: string, askBroker: number): Promise<number> {
  const m = await f.cluster.metadata(askBroker, [OFFSETS_TOPIC_NAME]);
  const leaders = m.topics.find((t) => t.name === OFFSETS_TOPIC_NAME)?.leaders ?? [];
  return leaders[partitionFor(groupId, OFFSETS_PARTITIONS)] ?? -1;
}

/** Leader and ISR of every partition of `topic`, as the cluster's metadata shows them now. */
export async function partitionStates(f: GroupFixture, topic: string): Promise<{ partition: number; leader: number; isr: number[] }[]> {
  const m = await f.admin.fetchTopicMetadata({ topics: [topic] });
  return (m.topics[0]?.partitions ?? []).map((p) => ({ partition: p.partitionId, leader: p.leader, isr: [...p.isr].sort() })).sort((a, b) => a.partition - b.partition);
}

function makeMember(client: MemberClient, o: ChildMemberOptions): Promise<GroupMember> {
  // librdkafka's reconnect backoff grows to 10 s by default: a member would sit out the failover.
  return client === 'kcat' ? Promise.resolve(kcatMember({ ...o, properties: { 'reconnect.backoff.max.ms': 500 } })) : kafkajsMember(o);
}

async function takeDown(f: GroupFixture, brokerId: number, signal: StopSignal): Promise<void> {
  const b = f.cluster.broker(brokerId);
  if (signal === 'kill') b.signal('SIGKILL');
  else {
    const r = await b.stop();
    expect(r.code, `broker-stop.sh: ${r.stderr}`).to.equal(0);
  }
  await b.waitExited();
}

export async function runCoordinatorFailover(f: GroupFixture, o: CoordinatorFailoverOptions): Promise<CoordinatorFailoverResult> {
  const partitions = o.partitions ?? 6;
  const h = o.history ?? new ScenarioHistory();
  const topic = randomName('grp-failover');
  const groupId = randomName('failover-group');
  h.add('start', { topic, groupId, client: o.client, signal: o.signal });
  await createTopic(f, topic, partitions, 3);
  const opts = { bootstrap: f.cluster.bootstrap, groupId, topic };
  const a = await makeMember(o.client, { ...opts, name: 'failover-a' });
  o.members.push(a);
  const b = await makeMember(o.client, { ...opts, name: 'failover-b' });
  o.members.push(b);
  await waitForBalanced([a, b], partitions);
  h.add('balanced', { a: a.assignment(), b: b.assignment() });
  const expected = await produceIds(f, topic, 'before', 600, partitions, h);
  await waitConsumed([a, b], expected);
  const committedBefore = await waitCommittedToEnd(f, groupId, topic);

  const coordinator = await coordinatorOf(f, groupId, f.cluster.brokers[0]!.brokerId);
  expect(coordinator, 'a coordinator broker').to.be.greaterThan(0);
  const survivor = f.cluster.brokers.find((x) => x.brokerId !== coordinator)!.brokerId;
  h.add('before-fault', { coordinator, committed: [...committedBefore], partitions: await partitionStates(f, topic) });

  // Keep producing while the coordinator goes; the producer retries through the leader moves.
  let producing = true;
  let batch = 0;
  const producer = (async () => {
    while (producing && batch < 200) expected.push(...(await produceIds(f, topic, `during-${batch++}`, 30, partitions, h)));
  })();
  let newCoordinator = -1;
  try {
    await waitFor(() => batch >= 3, 'production to be under way', { timeoutMs: 10_000 });
    h.add('fault', { broker: coordinator, signal: o.signal });
    await takeDown(f, coordinator, o.signal);
    h.add('broker-exited', { broker: coordinator });

    newCoordinator = await waitFor(
      async () => {
        const c = await coordinatorOf(f, groupId, survivor);
        return c > 0 && c !== coordinator ? c : false;
      },
      `the offsets partition of ${groupId} to get a new leader`,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    h.add('coordinator-moved', { from: coordinator, to: newCoordinator, partitions: await partitionStates(f, topic).catch((e: Error) => e.message) });
    const committedAfter = await waitFor(() => committedOffsets(f, groupId, topic), 'OffsetFetch on the new coordinator', { timeoutMs: 30_000, intervalMs: 200 });
    h.add('committed-after', { committed: [...committedAfter] });
    for (const [p, off] of committedBefore) expect(committedAfter.get(p) ?? -1, `committed offset of partition ${p} intact`).to.be.at.least(off);
    await waitFor(() => batch >= 20, 'production to continue after the failover', { timeoutMs: 60_000, intervalMs: 100 });
  } finally {
    producing = false;
    await producer;
  }
  expected.push(...(await produceIds(f, topic, 'after', 300, partitions, h)));
  await waitConsumed([a, b], expected, 60_000).catch(async (err: Error) => {
    const seen = new Set([a, b].flatMap((m) => m.records.map((r) => r.value)));
    const missing = expected.filter((v) => !seen.has(v)).slice(0, 10);
    const committed = await committedOffsets(f, groupId, topic).catch(() => new Map());
    const states = await partitionStates(f, topic).catch((e: Error) => e.message);
    h.add('stalled', { missing, committed: [...committed], partitions: states });
    throw new Error(`${err.message}\nmissing in the log: ${await locateInLog(f, topic, missing)}\ncommitted: ${JSON.stringify([...committed])}\npartitions: ${JSON.stringify(states)}`);
  });
  await waitCommittedToEnd(f, groupId, topic, 30_000);

  // Acknowledged means durable: every acknowledged record sits at its acknowledged offset.
  const acks = await acknowledgedButMissing(f, topic, h);
  expect(acks.unreadable, 'partitions readable to their end').to.deep.equal([]);
  expect([...acks.missing, ...acks.misplaced].slice(0, 20), `acknowledged records not at their acknowledged offset (of ${acks.acknowledged})`).to.deep.equal([]);

  // No skipped record: every offset of every partition was handed to some member.
  const end = await endOffsets(f, topic);
  h.add('end', { endOffsets: [...end] });
  for (const [p, high] of end) {
    const seen = new Set([a, b].flatMap((m) => m.records.filter((r) => r.partition === p).map((r) => r.offset)));
    const missing = Array.from({ length: high }, (_, i) => i).filter((off) => !seen.has(off));
    expect(missing, `offsets of partition ${p} never consumed`).to.deep.equal([]);
  }
  return { topic, groupId, coordinator, newCoordinator, produced: expected.length, consumed: a.records.length + b.records.length };
}

/**
 * Acknowledged records that are not where the broker said they were: reads the whole topic from
 * the live brokers and looks for every acknowledged record at its acknowledged offset (`missing`:
 * nowhere in the log; `misplaced`: in the log, but another record sits at its offset).
 */
export async function acknowledgedButMissing(
  f: GroupFixture,
  topic: string,
  h: ScenarioHistory,
): Promise<{ acknowledged: number; missing: string[]; misplaced: string[]; unreadable: number[]; unanswered: number; unansweredNotInLog: number }> {
  const { records: log, at: byOffset, unreadable } = await readTopic(f, topic);
  const unanswered = h.unanswered();
  const unansweredNotInLog = unanswered.filter((v) => !log.has(v)).length;
  const missing: string[] = [];
  const misplaced: string[] = [];
  let acknowledged = 0;
  for (const s of h.acknowledged()) {
    s.values.forEach((v, i) => {
      acknowledged++;
      const where = `${s.partition}@${s.baseOffset + i}`;
      if (byOffset.get(where) === v) return;
      const found = log.get(v);
      if (found === undefined) missing.push(`${v} acked at ${where}`);
      else misplaced.push(`${v} acked at ${where}, found at ${found.partition}@${found.offset}, ${where} holds ${byOffset.get(where) ?? 'nothing'}`);
    });
  }
  return { acknowledged, missing, misplaced, unreadable, unanswered: unanswered.length, unansweredNotInLog };
}

/** Restarts every broker that is down and waits until all are back in the metadata. */
export async function restartStoppedBrokers(f: GroupFixture): Promise<void> {
  for (const b of f.cluster.brokers) {
    if (b.isAlive()) continue;
    const r = await b.start();
    expect(r.code, `restart of broker ${b.brokerId}: ${r.stderr}`).to.equal(0);
  }
  await waitFor(async () => (await f.cluster.metadata()).brokers.length === f.cluster.brokers.length, 'every broker back in the cluster', { timeoutMs: 30_000, intervalMs: 200 });
}
