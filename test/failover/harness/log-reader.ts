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

export async function readPartition(cluster: FailoverCluster, topic: string, partition: number, timeoutMs = 30_000): Promise<ReadRecord[]> {
  const leader = await waitFor(
    async () => {
      const l = await cluster.leaderOf(topic, partition);
      return l >= 0 && cluster.broker(l).reachable ? l : undefined;
    },
    `a live leader for ${topic}-${partition}`,
    { timeoutMs, intervalMs: 100 },
  );
  const b = cluster.broker(leader);
  const sock = await withTimeout(systemScheduler, KafkaSocket.connect(b.host, b.port), 10_000, () => new Error(`connecting to broker ${leader} at ${b.address} took over 10 s`));
  const out: ReadRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    let fetchOffset = 0n;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`reading ${topic}-${partition} from broker ${leader}: still at offset ${fetchOffset} after ${timeoutMs} ms`);
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
      if (p.errorCode !== 0) throw new Error(`fetch ${topic}-${partition} at ${fetchOffset} from broker ${leader}: error ${p.errorCode}`);
      if (fetchOffset >= p.highWatermark) break;
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
  return out;
}

export async function readTopic(cluster: FailoverCluster, topic: string, partitions: number[]): Promise<ReadRecord[]> {
  const all: ReadRecord[] = [];
  for (const p of partitions) all.push(...(await readPartition(cluster, topic, p)));
  return all;
}
