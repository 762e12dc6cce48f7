import { expect } from 'chai';
import { truncationOffset, type EpochEnd } from '../../../broker/replica/index.js';

/** A follower's epoch cache as (epoch, startOffset) pairs, ending at `leo`: Kafka's endOffsetFor. */
function localEnds(entries: [number, bigint][], leo: bigint): (epoch: number) => EpochEnd {
  return (epoch) => {
    let floor = -1;
    for (let i = 0; i < entries.length; i++) if (entries[i]![0] <= epoch) floor = i;
    if (floor < 0) return entries.length === 0 ? { leaderEpoch: -1, endOffset: -1n } : { leaderEpoch: epoch, endOffset: entries[0]![1] };
    const next = entries[floor + 1];
    return { leaderEpoch: entries[floor]![0], endOffset: next === undefined ? leo : next[1] };
  };
}

describe('replica > truncation point (KIP-101)', () => {
  const cases: Array<{ name: string; leader: EpochEnd; local: [number, bigint][]; leo: bigint; hw: bigint; offset: bigint; final: boolean }> = [
    { name: 'leader went further in our latest epoch: keep everything', leader: { leaderEpoch: 2, endOffset: 120n }, local: [[1, 0n], [2, 50n]], leo: 100n, hw: 90n, offset: 100n, final: true },
    { name: 'leader ended our latest epoch earlier: cut at its end (divergent suffix)', leader: { leaderEpoch: 2, endOffset: 80n }, local: [[1, 0n], [2, 50n]], leo: 100n, hw: 70n, offset: 80n, final: true },
    { name: 'cut may go below our HW (the leader never had it)', leader: { leaderEpoch: 2, endOffset: 60n }, local: [[1, 0n], [2, 50n]], leo: 100n, hw: 90n, offset: 60n, final: true },
    { name: 'leader does not know our latest epoch, answers an epoch we know: cut at the earlier end, done', leader: { leaderEpoch: 1, endOffset: 70n }, local: [[1, 0n], [3, 50n]], leo: 100n, hw: 40n, offset: 50n, final: true },
    { name: 'leader answers an epoch we never saw: cut at our end of the largest epoch below it, ask again', leader: { leaderEpoch: 2, endOffset: 70n }, local: [[1, 0n], [3, 50n]], leo: 100n, hw: 40n, offset: 50n, final: false },
    { name: "same, the leader's epoch ended even earlier", leader: { leaderEpoch: 2, endOffset: 30n }, local: [[1, 0n], [3, 50n]], leo: 100n, hw: 20n, offset: 30n, final: false },
    { name: 'leader answers UNDEFINED: fall back to the high watermark', leader: { leaderEpoch: -1, endOffset: -1n }, local: [[1, 0n]], leo: 100n, hw: 40n, offset: 40n, final: true },
    { name: 'we know no epoch ≤ the leader\'s: high watermark', leader: { leaderEpoch: 0, endOffset: 10n }, local: [], leo: 100n, hw: 40n, offset: 40n, final: true },
    { name: 'an empty follower needs nothing', leader: { leaderEpoch: 3, endOffset: 500n }, local: [], leo: 0n, hw: 0n, offset: 0n, final: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = truncationOffset(c.leader, localEnds(c.local, c.leo), c.leo, c.hw);
      expect(d).to.deep.equal({ offset: c.offset, final: c.final });
    });
  }

  it('never truncates below what the leader holds, and stops asking once nothing changes', () => {
    const d = truncationOffset({ leaderEpoch: 1, endOffset: 100n }, localEnds([[1, 0n], [3, 100n]], 100n), 100n, 100n);
    expect(d).to.deep.equal({ offset: 100n, final: true });
  });
});
