import { expect } from 'chai';
import { parseTpKey } from '../../../common/index.js';
import {
  rangeAssignor,
  roundRobinAssignor,
  cooperativeStickyAssignor,
  stickyAssign,
  revokedPartitions,
  type GroupMember,
  type GroupAssignment,
} from '../../../client/consumer/assignors/index.js';
import type { TopicPartitions } from '../../../protocol/index.js';

function member(memberId: string, topics: string[], owned: TopicPartitions[] = [], generationId = -1, groupInstanceId: string | null = null): GroupMember {
  return { memberId, groupInstanceId, subscription: { topics, userData: null, ownedPartitions: owned, generationId, rackId: null } };
}

function flat(a: GroupAssignment): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [m, tps] of a) out[m] = tps.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}-${p}`));
  return out;
}

function counts(a: GroupAssignment): number[] {
  return [...a.values()].map((tps) => tps.reduce((n, tp) => n + tp.partitions.length, 0));
}

/** Every partition of every subscribed topic is assigned exactly once, to a subscriber. */
function expectComplete(a: GroupAssignment, members: GroupMember[], ppt: Map<string, number>): void {
  const seen = new Map<string, string>();
  for (const [m, tps] of a) {
    const sub = members.find((x) => x.memberId === m)!.subscription.topics;
    for (const tp of tps) {
      expect(sub, `${m} got ${tp.topic} without subscribing`).to.include(tp.topic);
      for (const p of tp.partitions) {
        const k = `${tp.topic}-${p}`;
        expect(seen.has(k), `${k} assigned twice`).to.equal(false);
        seen.set(k, m);
      }
    }
  }
  const topics = new Set(members.flatMap((m) => m.subscription.topics));
  let total = 0;
  for (const t of topics) total += ppt.get(t) ?? 0;
  expect(seen.size).to.equal(total);
}


describe('client > assignors > range', () => {
  it('splits each topic into contiguous ranges, first members get the extra', () => {
    const members = [member('c2', ['t']), member('c1', ['t']), member('c3', ['t'])];
    const a = rangeAssignor.assign(members, new Map([['t', 7]]));
    expect(flat(a)).to.deep.equal({ c1: ['t-0', 't-1', 't-2'], c2: ['t-3', 't-4'], c3: ['t-5', 't-6'] });
  });

  it('per topic, only subscribers; static members sort by instance id first', () => {
    const members = [member('a', ['x', 'y']), member('b', ['y'], [], -1, 'static-0')];
    const a = rangeAssignor.assign(members, new Map([['x', 2], ['y', 3]]));
    expect(flat(a)).to.deep.equal({ a: ['x-0', 'x-1', 'y-2'], b: ['y-0', 'y-1'] });
  });

  it('more members than partitions leaves some empty; unknown topics are skipped', () => {
    const members = [member('a', ['t', 'gone']), member('b', ['t']), member('c', ['t'])];
    const a = rangeAssignor.assign(members, new Map([['t', 2]]));
    expect(flat(a)).to.deep.equal({ a: ['t-0'], b: ['t-1'], c: [] });
  });
});

describe('client > assignors > roundrobin', () => {
  it('deals sorted partitions to sorted members', () => {
    const members = [member('b', ['t1', 't2']), member('a', ['t1', 't2'])];
    const a = roundRobinAssignor.assign(members, new Map([['t1', 3], ['t2', 2]]));
    expect(flat(a)).to.deep.equal({ a: ['t1-0', 't1-2', 't2-1'], b: ['t1-1', 't2-0'] });
  });

  it('skips members not subscribed to a topic', () => {
    const members = [member('a', ['t1']), member('b', ['t1', 't2'])];
    const a = roundRobinAssignor.assign(members, new Map([['t1', 2], ['t2', 2]]));
    expect(flat(a)).to.deep.equal({ a: ['t1-0'], b: ['t1-1', 't2-0', 't2-1'] });
  });
});

describe('client > assignors > cooperative-sticky', () => {
  const ppt = new Map([['a', 5], ['b', 4]]);

  it('a fresh group gets a complete, balanced assignment', () => {
    const members = [member('m1', ['a', 'b']), member('m2', ['a', 'b']), member('m3', ['a', 'b'])];
    const a = cooperativeStickyAssignor.assign(members, ppt);
    expectComplete(a, members, ppt);
    const c = counts(a);
    expect(Math.max(...c) - Math.min(...c)).to.be.at.most(1);
  });

  it('a joining member: others keep what they own; moved partitions are withheld this round', () => {
    const first = [member('m1', ['a', 'b']), member('m2', ['a', 'b'])];
    const round1 = cooperativeStickyAssignor.assign(first, ppt);
    const owned = (id: string) => round1.get(id)!;
    const second = [member('m1', ['a', 'b'], owned('m1'), 1), member('m2', ['a', 'b'], owned('m2'), 1), member('m3', ['a', 'b'])];
    const round2 = cooperativeStickyAssignor.assign(second, ppt);
    // nobody gains a partition another member still owns
    for (const id of ['m1', 'm2']) {
      const kept = flat(round2)[id]!;
      for (const k of kept) expect(flat(round1)[id]).to.include(k);
    }
    expect(flat(round2)['m3']).to.deep.equal([]);
    // the revoking members drop exactly enough for balance: 9 partitions over 3 → 3 each
    expect(counts(round2).slice(0, 2).sort()).to.deep.equal([3, 3]);
    // round 3: after revoking, m3 receives the released partitions
    const round3 = cooperativeStickyAssignor.assign(
      [member('m1', ['a', 'b'], round2.get('m1')!, 2), member('m2', ['a', 'b'], round2.get('m2')!, 2), member('m3', ['a', 'b'], [], 2)],
      ppt,
    );
    expectComplete(round3, second, ppt);
    expect(counts(round3)).to.deep.equal([3, 3, 3]);
    expect(flat(round3)['m1']).to.deep.equal(flat(round2)['m1']);
  });

  it('a leaving member: survivors keep everything and absorb its partitions', () => {
    const three = [member('m1', ['a', 'b']), member('m2', ['a', 'b']), member('m3', ['a', 'b'])];
    const r1 = cooperativeStickyAssignor.assign(three, ppt);
    const two = [member('m1', ['a', 'b'], r1.get('m1')!, 1), member('m2', ['a', 'b'], r1.get('m2')!, 1)];
    const r2 = cooperativeStickyAssignor.assign(two, ppt);
    expectComplete(r2, two, ppt);
    for (const id of ['m1', 'm2']) for (const k of flat(r1)[id]!) expect(flat(r2)[id]).to.include(k);
  });

  it('a stale claim (lower generation) loses to the current owner', () => {
    const members = [member('m1', ['a'], [{ topic: 'a', partitions: [0, 1] }], 5), member('m2', ['a'], [{ topic: 'a', partitions: [0] }], 4)];
    const target = stickyAssign(members, new Map([['a', 2]]));
    expect([...target.get('m1')!].length + [...target.get('m2')!].length).to.equal(2);
    expect(flat(cooperativeStickyAssignor.assign(members, new Map([['a', 2]])))['m1']).to.include('a-0');
  });

  it('property: random groups are always complete, valid, and balanced when subscriptions agree', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    for (let trial = 0; trial < 150; trial++) {
      const topics = ['t0', 't1', 't2'].slice(0, 1 + rnd(3));
      const p = new Map(topics.map((t) => [t, 1 + rnd(12)]));
      const n = 1 + rnd(6);
      const uniform = trial % 2 === 0;
      let members = Array.from({ length: n }, (_, i) => member(`m${i}`, uniform ? topics : topics.filter(() => rnd(2) === 0).concat(topics[0]!)));
      let prev = new Map<string, TopicPartitions[]>();
      for (let gen = 1; gen <= 4; gen++) {
        const a = stickyAssign(members, p);
        const asMap: GroupAssignment = new Map([...a].map(([id, keys]) => [id, [...keys].map((k) => { const { topic, partition } = parseTpKey(k); return { topic, partitions: [partition] }; })]));
        expectComplete(asMap, members, p);
        if (uniform) {
          const c = counts(asMap);
          expect(Math.max(...c) - Math.min(...c), `trial ${trial} gen ${gen}`).to.be.at.most(1);
        }
        const coop = cooperativeStickyAssignor.assign(members, p);
        for (const [id, tps] of coop) {
          for (const tp of tps) for (const q of tp.partitions) {
            const owner = members.find((m) => m.subscription.ownedPartitions.some((o) => o.topic === tp.topic && o.partitions.includes(q)));
            if (owner !== undefined) expect(owner.memberId, 'cooperative: no transfer in one round').to.equal(id);
          }
        }
        prev = coop;
        members = members.filter(() => rnd(5) !== 0).map((m) => member(m.memberId, m.subscription.topics, prev.get(m.memberId) ?? [], gen));
        if (members.length === 0 || rnd(3) === 0) members.push(member(`n${gen}`, topics));
      }
    }
  });

  it('revokedPartitions lists what a member owned and no longer has', () => {
    const owned = [{ topic: 'a', partitions: [0, 1, 2] }];
    expect(revokedPartitions(owned, [{ topic: 'a', partitions: [1] }])).to.deep.equal([{ topic: 'a', partitions: [0, 2] }]);
  });
});
