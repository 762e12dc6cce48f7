/**
 * Group rebalance time on one broker process: protocol-level members that behave like Kafka's
 * eager consumers (JoinGroup v5 with the KIP-394 member-id round trip, SyncGroup with the
 * leader's assignment, Heartbeat every heartbeat.interval.ms, rejoin on REBALANCE_IN_PROGRESS).
 * Measured, per run on a fresh group:
 * - form: 10 members start together on an empty group → all 10 synced in one generation
 *   (the join phase waits group.initial.rebalance.delay.ms for more members, as in Kafka);
 * - join: an 11th member joins the stable 10-member group → all 11 synced in the next
 *   generation (the others notice at their next heartbeat, then rejoin).
 * Target for join: below group.initial.rebalance.delay.ms + 500 ms.
 *   npm run bench -- groups [--members 10] [--runs 3] [--delay 3000] [--heartbeat 3000]
 */
import { ApiKey } from '../../protocol/index.js';
import { startCluster, type TestCluster } from '../../test/helpers/cluster.js';
import { KafkaSocket } from '../../test/helpers/kafka-socket.js';
import { randomName } from '../../test/helpers/random.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import type { BenchContext } from '../suites.js';
import { sleep, systemScheduler } from '../../common/index.js';

export const describe = 'consumer group rebalance on one broker process: ms for a 10-member group to form, and to stabilise after an 11th member joins';

const NONE = 0;
const UNKNOWN_MEMBER_ID = 25;
const REBALANCE_IN_PROGRESS = 27;
const MEMBER_ID_REQUIRED = 79;
const TOPIC = 'bench-groups';
const PARTITIONS = 60;

function arg(args: readonly string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

/** ConsumerProtocol subscription v0: topics, no user data. */
function subscription(topics: string[]): Buffer {
  const parts = [Buffer.from([0, 0]), int32(topics.length)];
  for (const t of topics) parts.push(str(t));
  parts.push(int32(-1));
  return Buffer.concat(parts);
}

/** ConsumerProtocol assignment v0: one topic's partitions, no user data. */
function assignment(topic: string, partitions: number[]): Buffer {
  return Buffer.concat([Buffer.from([0, 0]), int32(1), str(topic), int32(partitions.length), ...partitions.map(int32), int32(-1)]);
}

function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

function str(s: string): Buffer {
  const bytes = Buffer.from(s);
  const len = Buffer.alloc(2);
  len.writeInt16BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

const pause = (ms: number): Promise<boolean> => sleep(systemScheduler, ms);

class BenchMember {
  memberId = '';
  generationId = -1;
  /** Generation of the latest successful SyncGroup, and when it answered. */
  syncedGeneration = -1;
  syncedAt = 0;
  private stopped = false;
  private failure: Error | undefined;

  constructor(
    private readonly sock: KafkaSocket,
    private readonly groupId: string,
    private readonly heartbeatMs: number,
  ) {}

  start(): void {
    this.loop().catch((err: Error) => {
      if (!this.stopped) this.failure = err;
    });
  }

  get error(): Error | undefined {
    return this.failure;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.memberId !== '') {
      await this.sock.request(ApiKey.LeaveGroup, 3, { groupId: this.groupId, memberId: '', members: [{ memberId: this.memberId, groupInstanceId: null }] }, 10_000).catch(() => undefined);
    }
    this.sock.close();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      await this.joinAndSync();
      await this.heartbeatUntilRebalance();
    }
  }

  private async joinAndSync(): Promise<void> {
    for (let attempt = 0; attempt < 50 && !this.stopped; attempt++) {
      const j = await this.sock.request(
        ApiKey.JoinGroup,
        5,
        {
          groupId: this.groupId,
          sessionTimeoutMs: 30_000,
          rebalanceTimeoutMs: 60_000,
          memberId: this.memberId,
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: subscription([TOPIC]) }],
        },
        120_000,
      );
      if (j.errorCode === MEMBER_ID_REQUIRED) {
        this.memberId = j.memberId;
        continue;
      }
      if (j.errorCode === UNKNOWN_MEMBER_ID) {
        this.memberId = '';
        continue;
      }
      if (j.errorCode !== NONE) throw new Error(`JoinGroup answered error ${j.errorCode}`);
      this.memberId = j.memberId;
      this.generationId = j.generationId;
      // The leader assigns round-robin, like a simple client-side assignor.
      const assignments =
        j.leader === j.memberId
          ? j.members.map((m, i) => ({
              memberId: m.memberId,
              assignment: assignment(TOPIC, Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => p % j.members.length === i)),
            }))
          : [];
      const s = await this.sock.request(ApiKey.SyncGroup, 3, { groupId: this.groupId, generationId: j.generationId, memberId: this.memberId, groupInstanceId: null, assignments }, 120_000);
      if (s.errorCode === REBALANCE_IN_PROGRESS) continue;
      if (s.errorCode !== NONE) throw new Error(`SyncGroup answered error ${s.errorCode}`);
      this.syncedGeneration = j.generationId;
      this.syncedAt = performance.now();
      return;
    }
  }

  private async heartbeatUntilRebalance(): Promise<void> {
    while (!this.stopped) {
      await pause(this.heartbeatMs);
      if (this.stopped) return;
      const h = await this.sock.request(ApiKey.Heartbeat, 3, { groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null }, 30_000);
      if (h.errorCode === NONE) continue;
      if (h.errorCode === UNKNOWN_MEMBER_ID) this.memberId = '';
      return;
    }
  }
}

async function waitCoordinator(cluster: TestCluster, groupId: string): Promise<KafkaSocket> {
  const b = cluster.brokers[0]!;
  const probe = await KafkaSocket.connect(b.host, b.port);
  try {
    const found = await waitFor(
      async () => {
        const r = await probe.request(ApiKey.FindCoordinator, 1, { key: groupId, keyType: 0 });
        return r.errorCode === NONE ? r : false;
      },
      `a coordinator for ${groupId}`,
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    return KafkaSocket.connect(found.host ?? b.host, found.port ?? b.port);
  } finally {
    probe.close();
  }
}

async function synced(members: BenchMember[], generationAbove: number, what: string): Promise<{ generation: number; at: number }> {
  return waitFor(
    () => {
      const failed = members.find((m) => m.error !== undefined);
      if (failed) throw failed.error;
      const g = members[0]!.syncedGeneration;
      if (g <= generationAbove || members.some((m) => m.syncedGeneration !== g)) return false;
      return { generation: g, at: Math.max(...members.map((m) => m.syncedAt)) };
    },
    what,
    { timeoutMs: 120_000, intervalMs: 1 },
  );
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const size = Number(arg(ctx.args, '--members', '10'));
  const runs = Number(arg(ctx.args, '--runs', '3'));
  const delayMs = Number(arg(ctx.args, '--delay', '3000'));
  const heartbeatMs = Number(arg(ctx.args, '--heartbeat', '3000'));
  const savedLevel = process.env['SAMSA_LOG_LEVEL'];
  process.env['SAMSA_LOG_LEVEL'] = 'warn';
  const cluster = await startCluster({
    size: 1,
    properties: { 'offsets.topic.replication.factor': 1, 'offsets.topic.num.partitions': 10, 'group.initial.rebalance.delay.ms': delayMs },
  });
  if (savedLevel === undefined) delete process.env['SAMSA_LOG_LEVEL'];
  else process.env['SAMSA_LOG_LEVEL'] = savedLevel;
  ctx.log(`one broker; group.initial.rebalance.delay.ms=${delayMs}, heartbeat.interval.ms=${heartbeatMs}, ${size} members then one more`);
  const results: { formMs: number; joinMs: number }[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const groupId = randomName('bench-group');
      const members: BenchMember[] = [];
      const add = async (): Promise<BenchMember> => {
        const m = new BenchMember(await waitCoordinator(cluster, groupId), groupId, heartbeatMs);
        members.push(m);
        return m;
      };
      try {
        for (let i = 0; i < size; i++) await add();
        const formStart = performance.now();
        for (const m of members) m.start();
        const formed = await synced(members, 0, `${size} members to sync one generation`);
        const formMs = formed.at - formStart;
        const newcomer = await add();
        const joinStart = performance.now();
        newcomer.start();
        const joined = await synced(members, formed.generation, `${size + 1} members to sync a generation after ${formed.generation}`);
        const joinMs = joined.at - joinStart;
        results.push({ formMs: Math.round(formMs), joinMs: Math.round(joinMs) });
        ctx.log(`run ${r + 1}: ${size} members formed generation ${formed.generation} in ${Math.round(formMs)} ms; member ${size + 1} joined, generation ${joined.generation} stable after ${Math.round(joinMs)} ms`);
      } finally {
        await Promise.all(members.map((m) => m.stop()));
      }
    }
  } finally {
    await cluster.stop();
  }
  const worstJoin = Math.max(...results.map((x) => x.joinMs));
  const target = delayMs + 500;
  ctx.log(`worst join-to-stable: ${worstJoin} ms (target < ${target} ms: ${worstJoin < target ? 'met' : 'NOT met'})`);
  return {
    members: size,
    initialRebalanceDelayMs: delayMs,
    heartbeatIntervalMs: heartbeatMs,
    runs: results,
    worstFormMs: Math.max(...results.map((x) => x.formMs)),
    worstJoinMs: worstJoin,
    targetJoinMs: target,
  };
}
