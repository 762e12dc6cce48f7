import { expect } from 'chai';
import { AbortedTransactionFilter } from '../../../client/consumer/read-committed.js';

const TXN = 0x10;
const CONTROL = 0x20;
type B = { baseOffset: bigint; lastOffsetDelta: number; producerId: bigint; attributes: number };
const data = (baseOffset: bigint, producerId: bigint, n = 1, transactional = true): B => ({ baseOffset, lastOffsetDelta: n - 1, producerId, attributes: transactional ? TXN : 0 });
const marker = (baseOffset: bigint, producerId: bigint): B => ({ baseOffset, lastOffsetDelta: 0, producerId, attributes: TXN | CONTROL });

/** Which batches survive: the filter walked over `batches` in order. */
function kept(aborted: Array<{ producerId: bigint; firstOffset: bigint }>, batches: Array<[B, 'ABORT' | 'COMMIT' | undefined]>): bigint[] {
  const f = new AbortedTransactionFilter(aborted);
  return batches.filter(([b, type]) => !f.skip(b, type)).map(([b]) => b.baseOffset);
}

describe('client > read_committed filter (aborted transactions, control batches)', () => {
  it('drops an aborted transaction of one producer and keeps a committed one of another, interleaved', () => {
    // p1 aborted from 0; p2 committed; markers never returned.
    const got = kept([{ producerId: 1n, firstOffset: 0n }], [
      [data(0n, 1n, 2), undefined],
      [data(2n, 2n), undefined],
      [data(3n, 1n), undefined],
      [marker(4n, 1n), 'ABORT'],
      [marker(5n, 2n), 'COMMIT'],
    ]);
    expect(got).to.deep.equal([2n]);
  });

  it("after an ABORT marker the same producer's next transaction is read again", () => {
    const got = kept([{ producerId: 1n, firstOffset: 0n }], [
      [data(0n, 1n), undefined],
      [marker(1n, 1n), 'ABORT'],
      [data(2n, 1n), undefined],
      [marker(3n, 1n), 'COMMIT'],
    ]);
    expect(got).to.deep.equal([2n]);
  });

  it('an aborted transaction applies only from its first offset; two aborted transactions of one producer', () => {
    const got = kept(
      [
        { producerId: 1n, firstOffset: 6n },
        { producerId: 1n, firstOffset: 2n },
      ],
      [
        [data(0n, 1n), undefined],
        [marker(1n, 1n), 'COMMIT'],
        [data(2n, 1n, 3), undefined],
        [marker(5n, 1n), 'ABORT'],
        [data(6n, 1n), undefined],
        [marker(7n, 1n), 'ABORT'],
        [data(8n, 1n), undefined],
      ],
    );
    expect(got).to.deep.equal([0n, 8n]);
  });

  it('keeps non-transactional batches (idempotent or plain) even from an aborted producer id', () => {
    const got = kept([{ producerId: 1n, firstOffset: 0n }], [
      [data(0n, -1n, 1, false), undefined],
      [data(1n, 1n, 1, false), undefined],
      [data(2n, 1n), undefined],
    ]);
    expect(got).to.deep.equal([0n, 1n]);
  });
});
