/**
 * `OffsetsLogAccess` over the broker's ReplicaManager: appends go through the Produce path
 * (leadership, min.insync.replicas, acks=-1 purgatory), reads come from the local leader log up
 * to its log end offset. Verified end to end with kcat and KafkaJS against one broker.
 */
import { appendRecords, type ReplicaManager } from '../replica/index.js';
import type { OffsetsLogAccess } from './log-offsets-store.js';

export function replicaOffsetsLog(rm: ReplicaManager): OffsetsLogAccess {
  return {
    async appendRecords(topic, partition, batch, opts) {
      // The coordinator's own writes (Kafka's AppendOrigin.Coordinator): a TxnOffsetCommit batch
      // carries the producer's id with baseSequence 0 every time, so a client-origin append would
      // take the next one for a retry of the last and answer the old offsets without writing it.
      const [result] = await appendRecords(rm, [{ topic, partition, records: batch }], { acks: opts.acks, timeoutMs: opts.timeoutMs, origin: 'coordinator' });
      return { errorCode: result?.errorCode ?? -1, baseOffset: result?.baseOffset ?? -1n };
    },
    async read(topic, partition, fetchOffset, maxBytes) {
      const p = rm.leaderPartition(topic, partition);
      const log = p.log;
      // No maxOffset: a new leader loads up to its log end offset, not the high watermark.
      const r = await log.read(fetchOffset, maxBytes, { minOneBatch: true });
      return { records: r.records, highWatermark: log.highWatermark, logEndOffset: log.logEndOffset };
    },
    logStartOffset: (topic, partition) => rm.leaderPartition(topic, partition).log.logStartOffset,
  };
}
