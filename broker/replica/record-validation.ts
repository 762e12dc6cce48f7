/**
 * Record-level checks of a leader append (Kafka's LogValidator.validateRecord) that can name the
 * records they refuse: a keyless record on a compacted topic, a CreateTime timestamp further than
 * `message.timestamp.difference.max.ms` from the broker's clock. Every failing record is listed
 * with its index (Produce v8's record_errors, KIP-467) and nothing of the request is appended.
 * Only topics that need a check pay for decoding the records.
 */
import { iterateBatches, iterateRecords, NO_TIMESTAMP } from '../../protocol/index.js';
import { BrokerError } from '../errors.js';

export interface RecordError {
  /** Index of the record in the partition's record set, counted across its batches. */
  readonly batchIndex: number;
  readonly message: string;
}

/** A refused append with the records that caused it (Kafka's RecordValidationException). */
export class RecordValidationError extends BrokerError<'BRK_INVALID_RECORD' | 'BRK_INVALID_TIMESTAMP'> {
  override readonly name = 'RecordValidationError';

  constructor(
    code: 'BRK_INVALID_RECORD' | 'BRK_INVALID_TIMESTAMP',
    message: string,
    readonly recordErrors: readonly RecordError[],
  ) {
    super(code, message);
  }
}

export interface RecordChecks {
  /** `partition` as Kafka names it in its messages, e.g. `orders-3`. */
  readonly partitionKey: string;
  readonly requireKey: boolean;
  /** Infinity when unbounded (Long.MAX_VALUE); only checked for CreateTime topics. */
  readonly timestampDifferenceMaxMs: number;
  readonly now: number;
}

export function needsRecordChecks(c: Pick<RecordChecks, 'requireKey' | 'timestampDifferenceMaxMs'>): boolean {
  return c.requireKey || Number.isFinite(c.timestampDifferenceMaxMs);
}

/** Throws RecordValidationError naming every failing record; returns when all pass. */
export function validateRecords(records: Buffer, c: RecordChecks): void {
  if (!needsRecordChecks(c)) return;
  const errors: RecordError[] = [];
  let timestampFailed = false;
  const maxDiff = BigInt(Number.isFinite(c.timestampDifferenceMaxMs) ? c.timestampDifferenceMaxMs : 0);
  const now = BigInt(c.now);
  let index = 0;
  for (const batch of iterateBatches(records)) {
    for (const r of iterateRecords(records.subarray(batch.start, batch.end))) {
      if (c.requireKey && r.key === null) {
        errors.push({ batchIndex: index, message: `Compacted topic cannot accept message without key in topic partition ${c.partitionKey}.` });
      } else if (Number.isFinite(c.timestampDifferenceMaxMs) && r.timestamp !== NO_TIMESTAMP && (r.timestamp - now > maxDiff || now - r.timestamp > maxDiff)) {
        timestampFailed = true;
        errors.push({
          batchIndex: index,
          message: `Timestamp ${r.timestamp} of message with offset ${index} is out of range. The timestamp should be within [${now - maxDiff}, ${now + maxDiff}]`,
        });
      }
      index++;
    }
  }
  if (errors.length === 0) return;
  if (timestampFailed) throw new RecordValidationError('BRK_INVALID_TIMESTAMP', 'One or more records have been rejected due to invalid timestamp', errors);
  throw new RecordValidationError('BRK_INVALID_RECORD', 'One or more records have been rejected', errors);
}
