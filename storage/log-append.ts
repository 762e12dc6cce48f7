/**
 * The two ways batches enter a log (Kafka's UnifiedLog.appendAsLeader / appendAsFollower), run
 * by PartitionLog inside its single writer: validate, decide offsets and producer state, then
 * write leader epochs, the segment bytes and producer state (with the aborted transaction index)
 * in that order, so a failure before the write leaves nothing behind.
 */
import type { Clock } from '../common/index.js';
import { isControlBatch } from '../protocol/index.js';
import { analyzeFollowerAppend, analyzeLeaderAppend, assignOffsets, type AppendAnalysis } from './append-validation.js';
import type { LogConfig } from './config.js';
import type { LocalLog } from './local-log.js';
import type { LogEpochs } from './log-epochs.js';
import type { AppendOrigin, LogProducers } from './log-producers.js';
import type { AppendResult } from './partition-log-options.js';

export interface AppendHost {
  readonly config: Readonly<LogConfig>;
  readonly clock: Clock;
  readonly local: LocalLog;
  readonly epochs: LogEpochs;
  readonly producers: LogProducers;
}

/**
 * Producer batches: validated (nothing written if any fails), offsets assigned from the log end
 * offset by patching baseOffset, partitionLeaderEpoch stamped. Patches `batches` in place.
 * Idempotent batches from clients are checked against producer state first: a retry of one of
 * a producer's last 5 batches is not written and gets the original offsets with
 * `duplicate: true`; a sequence gap → STG_OUT_OF_ORDER_SEQUENCE, an old epoch →
 * STG_INVALID_PRODUCER_EPOCH, nothing written. Only the coordinator origin may write control
 * batches (transaction markers), checked against the producer and coordinator epochs.
 */
export async function leaderAppend(h: AppendHost, batches: Buffer, leaderEpoch: number, origin: AppendOrigin): Promise<AppendResult> {
  const cfg = h.config;
  const a = analyzeLeaderAppend(batches, cfg, origin === 'client');
  const appendTime = cfg.messageTimestampType === 'LogAppendTime' ? BigInt(h.clock.now()) : -1n;
  const firstOffset = h.local.logEndOffset;
  const plan = h.producers.planLeaderAppend(batches, a, firstOffset, appendTime, origin);
  const dup = plan.duplicate;
  if (dup) {
    const logAppendTime = cfg.messageTimestampType === 'LogAppendTime' ? dup.timestamp : -1n;
    return { firstOffset: dup.firstOffset, lastOffset: dup.lastOffset, logAppendTime, recordCount: 0, duplicate: true };
  }
  const info = assignOffsets(batches, a, firstOffset, leaderEpoch, appendTime);
  if (leaderEpoch >= 0) await h.epochs.assign(leaderEpoch, firstOffset);
  await h.local.append(batches, info, a.recordCount, true);
  await markersWritten(h, a);
  await h.producers.recordLeaderAppend(plan, h.clock.now(), h.local.segments);
  return { firstOffset, lastOffset: info.lastOffset, logAppendTime: appendTime, recordCount: a.recordCount };
}

/** Replicated batches, offsets already assigned: must start at or after the log end offset and grow. Appended verbatim. */
export async function followerAppend(h: AppendHost, batches: Buffer): Promise<AppendResult> {
  const a = analyzeFollowerAppend(batches, h.local.logEndOffset, h.config.segmentBytes);
  await h.epochs.assignAll(a.batches.map((b) => ({ epoch: b.header.partitionLeaderEpoch, startOffset: b.header.baseOffset })));
  const first = a.batches[0]!;
  const last = a.batches.at(-1)!;
  await h.local.append(batches, {
    firstOffset: first.header.baseOffset,
    lastOffset: last.lastOffset,
    maxTimestamp: a.maxTimestamp,
    offsetOfMaxTimestamp: a.batches[a.maxTimestampBatch]!.lastOffset,
    firstBatchMaxTimestamp: first.header.maxTimestamp,
  }, a.recordCount);
  await markersWritten(h, a);
  await h.producers.recordFollowerAppend(batches, a, h.clock.now(), h.local.segments);
  return { firstOffset: first.header.baseOffset, lastOffset: last.lastOffset, logAppendTime: -1n, recordCount: a.recordCount };
}

/**
 * An ABORT marker goes to `.txnindex` only once its batch is in the log file: an entry whose
 * marker a crash took back would later mark another batch's offset as an aborted transaction's
 * end. Markers are rare (one per transaction and partition), so only their appends wait.
 */
async function markersWritten(h: AppendHost, a: AppendAnalysis): Promise<void> {
  if (a.batches.some((b) => isControlBatch(b.header.attributes))) await h.local.lastWrite;
}
