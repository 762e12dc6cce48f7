/**
 * Offset translation (offset-sync-store.ts) as tables: what a consumer moved to the target would
 * read first must be the record it would have read next on the source (or an earlier one: a
 * re-read), never a later one (a record missed).
 */
import { expect } from 'chai';
import { OffsetSyncStore } from '../../../../client/mirror/index.js';

type Sync = [upstream: number, downstream: number];

function store(syncs: Sync[]): OffsetSyncStore {
  const s = new OffsetSyncStore();
  for (const [u, d] of syncs) s.add('t', 0, { upstream: BigInt(u), downstream: BigInt(d) });
  return s;
}

function tr(s: OffsetSyncStore, offset: number): [number, number] | undefined {
  const t = s.translate('t', 0, BigInt(offset));
  return t === undefined ? undefined : [Number(t.upstream), Number(t.downstream)];
}

describe('client > mirror > offset translation', () => {
  it('is exact between two syncs and at a sync; below the first sync there is nothing to say', () => {
    // Records 10..59 upstream sit at 0..49 downstream, one stretch (syncs every 25 records).
    const s = store([[10, 0], [35, 25], [59, 49]]);
    const table: Array<[number, [number, number] | undefined]> = [
      [9, undefined],
      [10, [10, 0]],
      [11, [11, 1]],
      [34, [34, 24]],
      [35, [35, 25]],
      [58, [58, 48]],
      [59, [59, 49]],
      // One past the newest sync: the next record, wherever it lands, is at 50 or later.
      [60, [60, 50]],
      // Further: the stretch after the newest sync is unknown; exact only for its next record.
      [75, [60, 50]],
    ];
    for (const [offset, want] of table) expect(tr(s, offset), `translate ${offset}`).to.deep.equal(want);
  });

  it('an upstream gap (transaction markers, compaction) maps offsets inside it to the record after it', () => {
    // 0..9 at 0..9; upstream 10 and 11 are markers; 12 sits at 10.
    const s = store([[0, 0], [9, 9], [12, 10], [20, 18]]);
    expect(tr(s, 10)).to.deep.equal([10, 10]);
    expect(tr(s, 11)).to.deep.equal([11, 10]);
    expect(tr(s, 12)).to.deep.equal([12, 10]);
    expect(tr(s, 13)).to.deep.equal([13, 11]);
  });

  it('a restarted task supersedes the history it re-mirrors (duplicates downstream)', () => {
    // First life: 0..99 at 0..99, committed at 60; a crash; the second life re-mirrors 61.. at 100..
    const s = store([[0, 0], [50, 50], [60, 60], [90, 90], [61, 100], [80, 119]]);
    expect(tr(s, 55)).to.deep.equal([55, 55]);
    expect(tr(s, 60)).to.deep.equal([60, 60]);
    // 61 onwards: the second copies (the first copies of 61..99 are duplicates the consumer skips).
    expect(tr(s, 61)).to.deep.equal([61, 100]);
    expect(tr(s, 70)).to.deep.equal([70, 109]);
    expect(tr(s, 95)).to.deep.equal([81, 120]);
    expect(s.latest('t', 0)).to.deep.equal({ upstream: 80n, downstream: 119n });
  });

  it('a recreated (truncated) target topic drops the syncs that point past it', () => {
    const s = store([[0, 0], [100, 100], [150, 5]]);
    // (100, 100) is gone; 100 maps to the first record mirrored into the new topic, not past it.
    expect(tr(s, 100)).to.deep.equal([100, 5]);
    expect(tr(s, 150)).to.deep.equal([150, 5]);
    expect(tr(s, 151)).to.deep.equal([151, 6]);
  });

  it('syncs along one stretch collapse to its ends; partitions and the cap are kept apart', () => {
    const s = new OffsetSyncStore(3);
    for (let i = 0; i <= 10; i++) s.add('t', 0, { upstream: BigInt(i * 100), downstream: BigInt(i * 100) });
    expect(tr(s, 0)).to.deep.equal([0, 0]);
    expect(tr(s, 999)).to.deep.equal([999, 999]);
    // A shift per sync: nothing collapses, the cap keeps the newest three.
    for (let i = 0; i < 5; i++) s.add('u', 1, { upstream: BigInt(i * 10), downstream: BigInt(i * 9) });
    expect(s.translate('u', 1, 15n)).to.equal(undefined);
    expect(s.translate('u', 1, 25n)).to.deep.equal({ upstream: 25n, downstream: 23n });
    expect(s.partitions()).to.deep.equal([{ topic: 't', partition: 0 }, { topic: 'u', partition: 1 }]);
  });

  it('never maps past a record not yet read (random gaps, a crash after a commit, re-mirrored duplicates)', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 60; round++) {
      const upstream: number[] = [];
      for (let u = rnd(5); upstream.length < 50; u += 1 + (rnd(6) === 0 ? 1 + rnd(3) : 0)) upstream.push(u);
      const lastCopy = new Map<number, number>();
      const s = new OffsetSyncStore();
      let d = 0;
      // One task life mirrors upstream[from..to); syncs as source-task.ts emits them, the
      // ones after index `keepSyncsTo` lost (a crash before they were written).
      const life = (from: number, to: number, keepSyncsTo: number, forceSyncAt = -1): void => {
        let prevU: number | undefined;
        let prevD: number | undefined;
        let lastSyncD: number | undefined;
        for (let i = from; i < to; i++) {
          const u = upstream[i]!;
          const dd = d++;
          lastCopy.set(u, dd);
          if (lastSyncD === undefined || i === forceSyncAt || u !== prevU! + 1 || dd !== prevD! + 1 || dd - lastSyncD >= 7 || rnd(10) === 0) {
            if (i < keepSyncsTo) s.add('t', 0, { upstream: BigInt(u), downstream: BigInt(dd) });
            lastSyncD = dd;
          }
          prevU = u;
          prevD = dd;
        }
      };
      const crashAt = 10 + rnd(35);
      const committed = rnd(crashAt);
      // First life: its commit at `committed` wrote a sync for that record first.
      life(0, crashAt, committed + 1 + rnd(crashAt - committed), committed);
      // Second life resumes after the commit and re-mirrors the rest, duplicates included.
      life(committed + 1, upstream.length, upstream.length);
      for (let c = upstream[0]!; c <= upstream[upstream.length - 1]! + 1; c++) {
        const t = s.translate('t', 0, BigInt(c));
        expect(t, `round ${round}: ${c} translates`).to.not.equal(undefined);
        expect(Number(t!.upstream), `round ${round}: ${c}`).to.be.at.most(c);
        // Every record at or after c must still be ahead of the translated position.
        let minAhead = d;
        for (const u of upstream) if (u >= c) minAhead = Math.min(minAhead, lastCopy.get(u)!);
        expect(Number(t!.downstream), `round ${round}: ${c} ↦ ${t!.downstream}`).to.be.at.most(minAhead);
      }
    }
  });
});
