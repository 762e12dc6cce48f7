import { expect } from 'chai';
import { LeaderEpochCache } from '../../../storage/index.js';

describe('storage > LeaderEpochCache', () => {
  const cache = (): LeaderEpochCache => new LeaderEpochCache([{ epoch: 1, startOffset: 0n }, { epoch: 3, startOffset: 10n }, { epoch: 6, startOffset: 25n }]);

  it('answers endOffsetForEpoch as OffsetForLeaderEpoch defines it', () => {
    const c = cache();
    const cases: [number, number, bigint][] = [
      [6, 6, 40n], // latest epoch → log end offset
      [3, 3, 25n], // known epoch → start of the next one
      [4, 3, 25n], // unknown in between → largest ≤ requested, start of next
      [5, 3, 25n],
      [1, 1, 10n],
      [0, 0, 0n], // below every entry → (requested, first start)
      [7, -1, -1n], // above the latest → undefined
      [-1, -1, -1n], // undefined epoch
    ];
    for (const [epoch, leaderEpoch, endOffset] of cases) {
      expect(c.endOffsetFor(epoch, 40n), `epoch ${epoch}`).to.deep.equal({ leaderEpoch, endOffset });
    }
    expect(new LeaderEpochCache().endOffsetFor(0, 5n)).to.deep.equal({ leaderEpoch: -1, endOffset: -1n });
  });

  it('assign ignores repeats, keeps the cache monotonic and truncates conflicting entries', () => {
    const c = cache();
    expect(c.assign(6, 30n)).to.equal(false);
    expect(c.assign(7, 40n)).to.equal(true);
    expect(c.latestEpoch).to.equal(7);
    // A lower start for an existing epoch replaces it and everything after.
    expect(c.assign(3, 12n)).to.equal(true);
    expect(c.entries).to.deep.equal([{ epoch: 1, startOffset: 0n }, { epoch: 3, startOffset: 12n }]);
  });

  it('truncates from the end on log truncation and from the start on log start moves', () => {
    const c = cache();
    expect(c.truncateFromEnd(25n)).to.equal(true);
    expect(c.entries.map((e) => e.epoch)).to.deep.equal([1, 3]);
    expect(c.truncateFromEnd(100n)).to.equal(false);
    const d = cache();
    expect(d.truncateFromStart(12n)).to.equal(true);
    expect(d.entries).to.deep.equal([{ epoch: 3, startOffset: 12n }, { epoch: 6, startOffset: 25n }]);
    expect(d.truncateFromStart(12n)).to.equal(false);
  });
});
