/**
 * The final read of a scenario: every partition of a topic, from its log start to its high
 * watermark, fetched from the current leader with raw Fetch v4 requests and decoded with
 * protocol/'s batch decoder, independent of any consumer group. Bounded by a deadline.
 */
import { ApiKey, iterateBatches, iterateRecords } from '../../../protocol/index.js';
import type { ReadRecord } from '../../helpers/history/index.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { waitFor } from '../../helpers/wait-for.js';
import type { FailoverCluster } from './failover-cluster.js';
import { systemScheduler, withTimeout } from '../../../common/index.js';

/** Errors after which the partition is read on from its new leader (leadership moved during the read). */
const LEADER_MOVED = new Set([3 /* UNKNOWN_TOPIC_OR_PARTITION */, 5 /* LEADER_NOT_AVAILABLE */, 6 /* NOT_LEADER_OR_FOLLOWER */, 56 /* KAFKA_STORAGE_ERROR */]);

export async function readPartition(cluster: FailoverCluster, topic: string, partition: number, timeoutMs = 30_000): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  let fetchOffset = 0n;
  // Bounded by the deadline: each round reads from the current leader until done or it moves.
  for (;;) {
    const leader = await waitFor(
      async () => {
        const l = await cluster.leaderOf(topic, partition);
        return l >= 0 && cluster.broker(l).reachable ? l : undefined;
      },
      `a live leader for ${topic}-${partition}`,
      { timeoutMs: Math.max(1_000, deadline - Date.now()), intervalMs: 100 },
    );
    const r = await readFrom(cluster, leader, topic, partition, fetchOffset, deadline, out);
    if (r.done) return out;
    fetchOffset = r.fetchOffset;
  }
}

async function readFrom(
  cluster: FailoverCluster,
  leader: number,
  topic: string,
  partition: number,
  from: bigint,
  deadline: number,
  out: ReadRecord[],
): Promise<{ done: boolean; fetchOffset: bigint }> {
  const b = cluster.broker(leader);
  const sock = await withTimeout(systemScheduler, KafkaSocket.connect(b.host, b.port), 10_000, () => new Error(`connecting to broker ${leader} at ${b.address} took over 10 s`));
  let fetchOffset = from;
  try {
    for (;;) {
      if (Date.now() > deadline) throw new Error(`reading ${topic}-${partition} from broker ${leader}: still at offset ${fetchOffset} at the deadline`);
      const r = await sock.request(
        ApiKey.Fetch,
        4,
        {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 4 << 20,
          isolationLevel: 0,
          topics: [{ topic, partitions: [{ partition, fetchOffset, partitionMaxBytes: 4 << 20 }] }],
        },
        10_000,
      );
      const p = r.responses[0]?.partitions[0];
      if (p === undefined) throw new Error(`no answer for ${topic}-${partition}`);
      if (p.errorCode === 1 /* OFFSET_OUT_OF_RANGE */ && fetchOffset === 0n) {
        throw new Error(`${topic}-${partition} log start moved above 0; the checker needs whole logs`);
      }
      if (LEADER_MOVED.has(p.errorCode)) {
        console.log(`      (final read of ${topic}-${partition}: broker ${leader} answered error ${p.errorCode} at offset ${fetchOffset}; reading on from the new leader)`);
        return { done: false, fetchOffset };
      }
      if (p.errorCode !== 0) throw new Error(`fetch ${topic}-${partition} at ${fetchOffset} from broker ${leader}: error ${p.errorCode}`);
      if (fetchOffset >= p.highWatermark) return { done: true, fetchOffset };
      const records = p.records ?? Buffer.alloc(0);
      let progressed = false;
      const at = Date.now();
      for (const slice of iterateBatches(records)) {
        for (const rec of iterateRecords(records, slice.start)) {
          if (rec.offset < fetchOffset || rec.offset >= p.highWatermark) continue;
          out.push({ topic, partition, offset: rec.offset, id: rec.value?.toString('utf8') ?? '', reader: 'final', at });
          fetchOffset = rec.offset + 1n;
          progressed = true;
        }
        // A batch may end in offsets that were compacted away or are control records.
        const next = slice.header.baseOffset + BigInt(slice.header.lastOffsetDelta) + 1n;
        if (next > fetchOffset && next <= p.highWatermark) {
          fetchOffset = next;
          progressed = true;
        }
      }
      if (!progressed) throw new Error(`fetch ${topic}-${partition} at ${fetchOffset} returned nothing below the high watermark ${p.highWatermark}`);
    }
  } finally {
    sock.close();
  }
}

export async function readTopic(cluster: FailoverCluster, topic: string, partitions: number[]): Promise<ReadRecord[]> {
  const all: ReadRecord[] = [];
  // One by one: a long soak reads more records than a spread call can pass as arguments.
  for (const p of partitions) for (const r of await readPartition(cluster, topic, p)) all.push(r);
  return all;
}
