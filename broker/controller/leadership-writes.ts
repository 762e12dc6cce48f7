/**
 * The one way the controller changes a partition's leader and ISR in ZooKeeper: a `compute`
 * gives the next state from the current one, every write is a fenced multi (controller epoch
 * check) conditional on the partition znode's version, all partitions in flight together; a
 * partition whose znode moved underneath (BAD_VERSION) is re-read and computed again (bounded).
 * Memory (the context's leadership) is updated only from what was written.
 */
import { tpKey } from '../../common/index.js';
import { encodePartitionState, type LeaderIsrAndControllerEpoch, ops, partitionStatePath, readPartitionStates } from '../../coordination/index.js';
import type { TopicPartition } from './context.js';
import type { ControllerRuntime } from './partition-ops.js';

/** The next state of a partition, 'skip' when nothing needs to change, null when none can be chosen. */
export type Compute = (tp: TopicPartition, current: LeaderIsrAndControllerEpoch) => LeaderIsrAndControllerEpoch | 'skip' | null;

export interface LeadershipWriteOutcome {
  readonly updated: TopicPartition[];
  readonly failed: TopicPartition[];
  readonly skipped: TopicPartition[];
}

const MAX_ATTEMPTS = 5;

/** Computes, writes (fenced + conditional on zk version) and retries moved partitions. */
export async function writeLeadership(rt: ControllerRuntime, tps: readonly TopicPartition[], compute: Compute): Promise<LeadershipWriteOutcome> {
  const updated: TopicPartition[] = [];
  const failed: TopicPartition[] = [];
  const skipped: TopicPartition[] = [];
  let remaining = [...tps];
  for (let attempt = 0; attempt < MAX_ATTEMPTS && remaining.length > 0; attempt++) {
    const plans: Array<{ tp: TopicPartition; next: LeaderIsrAndControllerEpoch; zkVersion: number }> = [];
    for (const tp of remaining) {
      const cur = rt.ctx.leadership.get(tpKey(tp.topic, tp.partition));
      if (cur === undefined) {
        failed.push(tp);
        continue;
      }
      if (cur.state.controllerEpoch > rt.controllerEpoch) {
        // Written by a newer controller: we are stale (PSM "soft failure").
        rt.stateLog.warn({ topic: tp.topic, partition: tp.partition, zkControllerEpoch: cur.state.controllerEpoch, controllerEpoch: rt.controllerEpoch }, 'partition state written by a newer controller; not touching it');
        failed.push(tp);
        continue;
      }
      const next = compute(tp, cur.state);
      if (next === 'skip') skipped.push(tp);
      else if (next === null) failed.push(tp);
      else plans.push({ tp, next, zkVersion: cur.zkVersion });
    }
    if (plans.length === 0) break;
    const results = await rt.writer.writeAll(
      plans.map((p) => [ops.setData(partitionStatePath(p.tp.topic, p.tp.partition), encodePartitionState(p.next), p.zkVersion)]),
    );
    const retry: TopicPartition[] = [];
    plans.forEach((p, i) => {
      const r = results[i]!;
      if (r.ok) {
        const set = r.results[0];
        const zkVersion = set?.op === 'setData' ? set.stat.version : p.zkVersion + 1;
        rt.ctx.leadership.set(tpKey(p.tp.topic, p.tp.partition), { state: p.next, zkVersion });
        updated.push(p.tp);
      } else if (r.error.code === 'CRD_BAD_VERSION' && attempt + 1 < MAX_ATTEMPTS) {
        retry.push(p.tp);
      } else {
        rt.stateLog.error({ topic: p.tp.topic, partition: p.tp.partition, err: r.error.message }, 'failed to write partition state');
        failed.push(p.tp);
      }
    });
    if (retry.length > 0) {
      const fresh = await readPartitionStates(rt.store, retry);
      for (const tp of retry) {
        const s = fresh.get(tpKey(tp.topic, tp.partition));
        if (s !== undefined) rt.ctx.leadership.set(tpKey(tp.topic, tp.partition), s);
      }
    }
    remaining = retry;
  }
  return { updated, failed, skipped };
}
