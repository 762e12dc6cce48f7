/**
 * Consumer-group checkpoints of a flow (MM2's MirrorCheckpointTask): follows the offset syncs on
 * the source, translates the committed offsets of the source's consumer groups (for topics this
 * flow mirrors) and writes a checkpoint to `<source>.checkpoints.internal` on the target whenever
 * a translation changes. With sync.group.offsets.enabled it also commits the translated offsets
 * to the same group on the target, while that group has no active member there and only forward
 * (a consumer that already moved on in the target is never rewound).
 *
 * A checkpoint's upstreamOffset is the offset its translation is exact for (see
 * offset-sync-store.ts), which may trail the group's committed offset briefly: a consumer moved
 * to the target re-reads at most the records after it, and never misses one.
 */
import type { Admin } from '../admin/admin.js';
import type { PartitionOffset } from '../admin/offsets.js';
import type { Producer } from '../producer/producer.js';
import type { FlowConfig } from './config.js';
import type { MirrorLog } from './flow-context.js';
import { decodeCheckpoint, decodeOffsetSync, encodeCheckpoint, type Checkpoint } from './formats.js';
import { TopicReader } from './internal-topics.js';
import type { FlowMetrics } from './metrics.js';
import { OffsetSyncStore } from './offset-sync-store.js';
import { selected, shouldReplicateTopic } from './policy.js';

export interface CheckpointTaskContext {
  flow: FlowConfig;
  sourceAdmin: Admin;
  targetAdmin: Admin;
  /** The flow's producer on the target (internal topics). */
  producer: Producer<Buffer, Buffer>;
  metrics: FlowMetrics;
  log: MirrorLog;
}

const ckKey = (group: string, topic: string, partition: number): string => `${group}\u0000${topic}\u0000${partition}`;

export class MirrorCheckpointTask {
  readonly syncs = new OffsetSyncStore();
  private readonly syncReader: TopicReader;
  private groups: string[] = [];
  /** The latest checkpoint per group and downstream partition (read back at start, then ours). */
  private readonly latest = new Map<string, Checkpoint>();
  private readonly checkpointsTopic: string;

  constructor(private readonly ctx: CheckpointTaskContext) {
    const { flow } = ctx;
    this.checkpointsTopic = flow.policy.checkpointsTopic(flow.source);
    this.syncReader = new TopicReader({
      brokers: flow.sourceBootstrap,
      clientId: `mm2-${flow.source}->${flow.target}-offset-syncs`,
      topic: flow.policy.offsetSyncsTopic(flow.target),
      onRecord: (r) => {
        try {
          const s = decodeOffsetSync(r.key, r.value);
          this.syncs.add(s.topic, s.partition, { upstream: s.upstreamOffset, downstream: s.downstreamOffset });
        } catch (err) {
          ctx.log.warn({ flow: `${flow.source}->${flow.target}`, err: (err as Error).message }, 'skipping a malformed offset sync');
        }
      },
    });
  }

  async start(): Promise<void> {
    const { flow } = this.ctx;
    if (flow.emitCheckpointsIntervalMs !== null) await this.loadCheckpoints();
    await this.syncReader.readToEnd();
    this.syncReader.follow((err) => this.ctx.log.warn({ flow: `${flow.source}->${flow.target}`, err: (err as Error).message }, 'reading offset syncs failed; retrying'));
    await this.refreshGroups();
  }

  private async loadCheckpoints(): Promise<void> {
    const { flow } = this.ctx;
    const reader = new TopicReader({
      brokers: flow.targetBootstrap,
      clientId: `mm2-${flow.source}->${flow.target}-checkpoints`,
      topic: this.checkpointsTopic,
      onRecord: (r) => {
        try {
          const c = decodeCheckpoint(r.key, r.value);
          this.latest.set(ckKey(c.group, c.topic, c.partition), c);
        } catch {
          // Not ours to judge: an unreadable checkpoint is simply not reused.
        }
      },
    });
    try {
      await reader.readToEnd();
    } finally {
      await reader.close();
    }
  }

  async refreshGroups(): Promise<void> {
    const listed = await this.ctx.sourceAdmin.listGroups();
    this.groups = [...new Set(listed.map((g) => g.groupId))].filter((g) => selected(this.ctx.flow.groups, g)).sort();
  }

  async emitCheckpoints(): Promise<void> {
    const { flow, producer } = this.ctx;
    const out: Checkpoint[] = [];
    for (const group of this.groups) {
      let committed: PartitionOffset[];
      try {
        committed = await this.ctx.sourceAdmin.listGroupOffsets(group);
      } catch (err) {
        this.ctx.log.warn({ group, err: (err as Error).message }, 'could not read committed offsets of a group');
        continue;
      }
      for (const c of committed) {
        if (!shouldReplicateTopic(flow.policy, flow.topics, flow.target, c.topic)) continue;
        const t = this.syncs.translate(c.topic, c.partition, c.offset);
        if (t === undefined) continue;
        const topic = flow.policy.formatRemoteTopic(flow.source, c.topic);
        const k = ckKey(group, topic, c.partition);
        const prev = this.latest.get(k);
        if (prev !== undefined && prev.upstreamOffset === t.upstream && prev.downstreamOffset === t.downstream) continue;
        const cp: Checkpoint = { group, topic, partition: c.partition, upstreamOffset: t.upstream, downstreamOffset: t.downstream, metadata: '' };
        out.push(cp);
      }
    }
    if (out.length === 0) return;
    await producer.sendBatch(out.map((cp) => ({ topic: this.checkpointsTopic, ...encodeCheckpoint(cp) })));
    for (const cp of out) this.latest.set(ckKey(cp.group, cp.topic, cp.partition), cp);
    this.ctx.metrics.counters.checkpoints += out.length;
  }

  async syncGroupOffsets(): Promise<void> {
    const byGroup = new Map<string, Checkpoint[]>();
    for (const cp of this.latest.values()) {
      let l = byGroup.get(cp.group);
      if (l === undefined) byGroup.set(cp.group, (l = []));
      l.push(cp);
    }
    for (const [group, checkpoints] of byGroup) {
      try {
        const [desc] = await this.ctx.targetAdmin.describeGroups([group]);
        // Members on the target: they own their offsets.
        if (desc !== undefined && desc.members.length > 0) continue;
        const current = new Map((await this.ctx.targetAdmin.listGroupOffsets(group)).map((o) => [`${o.topic}\u0000${o.partition}`, o.offset]));
        const forward = checkpoints
          .filter((cp) => {
            const have = current.get(`${cp.topic}\u0000${cp.partition}`);
            return have === undefined || cp.downstreamOffset > have;
          })
          .map((cp) => ({ topic: cp.topic, partition: cp.partition, offset: cp.downstreamOffset }));
        if (forward.length === 0) continue;
        await this.ctx.targetAdmin.alterGroupOffsets(group, forward);
        this.ctx.metrics.counters.groupOffsetsSynced += forward.length;
      } catch (err) {
        // A member joined meanwhile (UNKNOWN_MEMBER_ID) or the coordinator moved: next time.
        this.ctx.log.info({ group, err: (err as Error).message }, 'group offsets not synced this time');
      }
    }
  }

  async close(): Promise<void> {
    await this.syncReader.close();
  }
}
