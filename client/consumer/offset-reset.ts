/**
 * Offset resets: positions that are unknown (auto.offset.reset) or explicitly reset
 * (seekToBeginning/End) are resolved with ListOffsets to each partition's leader. Partitions
 * whose leader is unknown get one metadata refresh; any still unresolved wait for the next call.
 */
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/index.js';
import { tpKey } from '../../common/index.js';
import type { Cluster } from '../cluster.js';
import { brokerError, isStaleMetadata, KafkaClientError } from '../errors.js';
import { API, errorInfo } from '../wire.js';
import type { OffsetResetPolicy, PartitionState } from './partition-state.js';

const EARLIEST = -2n;
const LATEST = -1n;

interface ResetOptions {
  readonly autoOffsetReset: OffsetResetPolicy;
  /** 0 = read_uncommitted, 1 = read_committed. */
  readonly isolationLevel: 0 | 1;
}

/**
 * Resolve positions that are unknown (auto.offset.reset) or explicitly reset. Partitions whose
 * leader is unknown get one metadata refresh; any still unresolved wait for the next call.
 */
export async function resetPositions(cluster: Cluster, states: ReadonlyMap<string, PartitionState>, opts: ResetOptions): Promise<void> {
  for (let pass = 0; pass < 2; pass++) {
    const todo = [...states.values()].filter((s) => s.pendingReset !== undefined || s.position === undefined);
    if (todo.length === 0) return;
    const byNode = new Map<number, Array<{ s: PartitionState; timestamp: bigint }>>();
    let needMetadata = false;
    for (const s of todo) {
      const policy = s.pendingReset ?? opts.autoOffsetReset;
      if (policy === 'none') {
        throw new KafkaClientError('CLI_INVALID_CONFIG', `no position for ${s.topic}/${s.partition} and autoOffsetReset is "none"`);
      }
      const leader = cluster.leaderFor(s.topic, s.partition);
      if (leader === undefined) {
        needMetadata = true;
        continue;
      }
      let list = byNode.get(leader);
      if (list === undefined) byNode.set(leader, (list = []));
      list.push({ s, timestamp: policy === 'earliest' ? EARLIEST : LATEST });
    }
    await Promise.all([...byNode].map(([node, list]) => listOffsets(cluster, states, opts, node, list)));
    if (!needMetadata) return;
    await cluster.refreshMetadata();
  }
}

async function listOffsets(cluster: Cluster, states: ReadonlyMap<string, PartitionState>, opts: ResetOptions, node: number, list: Array<{ s: PartitionState; timestamp: bigint }>): Promise<void> {
  const topics = new Map<string, Array<{ partitionIndex: number; currentLeaderEpoch: number; timestamp: bigint; maxNumOffsets: number }>>();
  for (const { s, timestamp } of list) {
    let l = topics.get(s.topic);
    if (l === undefined) topics.set(s.topic, (l = []));
    l.push({ partitionIndex: s.partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 });
  }
  const request: ListOffsetsRequest = {
    replicaId: -1,
    isolationLevel: opts.isolationLevel,
    topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
  };
  const res = await cluster.connectionFor(node).send<ListOffsetsResponse>(API.ListOffsets, request);
  for (const t of res.topics) {
    for (const p of t.partitions) {
      const s = states.get(tpKey(t.name, p.partitionIndex));
      if (s === undefined) continue;
      if (p.errorCode !== 0) {
        const err = brokerError(errorInfo(p.errorCode), `list offsets of ${t.name}/${p.partitionIndex}`);
        if (isStaleMetadata(err)) void cluster.refreshMetadata().catch(() => undefined);
        if (!err.retriable) throw err;
        continue;
      }
      s.position = p.offset !== undefined && p.offset >= 0n ? p.offset : (p.oldStyleOffsets?.[0] ?? 0n);
      s.pendingReset = undefined;
    }
  }
}
