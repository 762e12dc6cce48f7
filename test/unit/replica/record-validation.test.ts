import { expect } from 'chai';
import { encodeRecordBatch } from '../../../protocol/index.js';
import { RecordValidationError, needsRecordChecks, validateRecords } from '../../../broker/replica/record-validation.js';

const NOW = 1_700_000_000_000;
const rec = (key: string | null, timestamp: number) => ({ key: key === null ? null : Buffer.from(key), value: Buffer.from('v'), timestamp: BigInt(timestamp) });

function thrown(fn: () => void): RecordValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(RecordValidationError);
    return err as RecordValidationError;
  }
  throw new Error('expected a RecordValidationError');
}

describe('replica: record validation (Produce v8 record errors)', () => {
  it('names every keyless record of a compacted topic by its index across batches (INVALID_RECORD)', () => {
    const records = Buffer.concat([encodeRecordBatch([rec('a', NOW), rec(null, NOW)]), encodeRecordBatch([rec('c', NOW), rec(null, NOW)])]);
    const err = thrown(() => validateRecords(records, { partitionKey: 'compacted-0', requireKey: true, timestampDifferenceMaxMs: Infinity, now: NOW }));
    expect(err.kafkaError).to.equal('INVALID_RECORD');
    expect(err.message).to.equal('One or more records have been rejected');
    expect(err.recordErrors.map((e) => e.batchIndex)).to.deep.equal([1, 3]);
    expect(err.recordErrors[0]!.message).to.equal('Compacted topic cannot accept message without key in topic partition compacted-0.');
  });

  it('names CreateTime stamps beyond message.timestamp.difference.max.ms on either side (INVALID_TIMESTAMP)', () => {
    const records = encodeRecordBatch([rec('a', NOW - 60_001), rec('b', NOW), rec('c', NOW + 60_000), rec('d', NOW + 60_001), rec('e', -1)]);
    const err = thrown(() => validateRecords(records, { partitionKey: 't-0', requireKey: false, timestampDifferenceMaxMs: 60_000, now: NOW }));
    expect(err.kafkaError).to.equal('INVALID_TIMESTAMP');
    expect(err.recordErrors.map((e) => e.batchIndex)).to.deep.equal([0, 3]);
    expect(err.recordErrors[0]!.message).to.equal(`Timestamp ${NOW - 60_001} of message with offset 0 is out of range. The timestamp should be within [${NOW - 60_000}, ${NOW + 60_000}]`);
  });

  it('passes good records, and decodes nothing when no check applies', () => {
    const ok = encodeRecordBatch([rec('a', NOW), rec('b', NOW - 10)]);
    expect(() => validateRecords(ok, { partitionKey: 't-0', requireKey: true, timestampDifferenceMaxMs: 60_000, now: NOW })).to.not.throw();
    expect(needsRecordChecks({ requireKey: false, timestampDifferenceMaxMs: Infinity })).to.equal(false);
    // Garbage would throw if decoded: unchecked topics never look at the records.
    expect(() => validateRecords(Buffer.from('not a batch at all, not even close to one'), { partitionKey: 't-0', requireKey: false, timestampDifferenceMaxMs: Infinity, now: NOW })).to.not.throw();
  });
});
