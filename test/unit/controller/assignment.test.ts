import { expect } from 'chai';
import { AssignmentError, assignReplicas, rackAlternatedBrokers, validateManualAssignment } from '../../../broker/controller/index.js';

const brokers = (ids: number[], racks?: string[]) => ids.map((id, i) => ({ id, rack: racks ? racks[i]! : null }));

function leaderCounts(a: Map<number, number[]>): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of a.values()) m.set(r[0]!, (m.get(r[0]!) ?? 0) + 1);
  return m;
}

describe('controller > replica assignment', () => {
  it('matches Kafka for 5 brokers, 10 partitions, RF 3, start 0, shift 0', () => {
    const a = assignReplicas(brokers([0, 1, 2, 3, 4]), 10, 3, { startIndex: 0, replicaShift: 0 });
    expect([...a.entries()]).to.deep.equal([
      [0, [0, 1, 2]],
      [1, [1, 2, 3]],
      [2, [2, 3, 4]],
      [3, [3, 4, 0]],
      [4, [4, 0, 1]],
      [5, [0, 2, 3]],
      [6, [1, 3, 4]],
      [7, [2, 4, 0]],
      [8, [3, 0, 1]],
      [9, [4, 1, 2]],
    ]);
  });

  it('spreads leaders evenly and never repeats a broker within a partition', () => {
    for (const [n, parts, rf] of [[3, 1000, 3], [4, 12, 2], [6, 60, 3], [5, 7, 5]] as const) {
      const a = assignReplicas(brokers(Array.from({ length: n }, (_, i) => i + 1)), parts, rf, { startIndex: 2, replicaShift: 1 });
      expect(a.size).to.equal(parts);
      for (const r of a.values()) expect(new Set(r).size).to.equal(rf);
      const counts = [...leaderCounts(a).values()];
      expect(Math.max(...counts) - Math.min(...counts)).to.be.at.most(1);
      // Replicas (not just leaders) are spread evenly too.
      const load = new Map<number, number>();
      for (const r of a.values()) for (const b of r) load.set(b, (load.get(b) ?? 0) + 1);
      expect(Math.max(...load.values()) - Math.min(...load.values())).to.be.at.most(rf);
    }
  });

  it('rack-aware: brokers alternate racks and each partition spans distinct racks', () => {
    const bs = brokers([1, 2, 3, 4, 5, 6], ['a', 'a', 'b', 'b', 'c', 'c']);
    expect(rackAlternatedBrokers(bs)).to.deep.equal([1, 3, 5, 2, 4, 6]);
    const rack = new Map(bs.map((b) => [b.id, b.rack]));
    const a = assignReplicas(bs, 30, 3, { startIndex: 0, replicaShift: 0 });
    for (const r of a.values()) expect(new Set(r.map((id) => rack.get(id))).size).to.equal(3);
    const counts = [...leaderCounts(a).values()];
    expect(Math.max(...counts) - Math.min(...counts)).to.be.at.most(1);
  });

  it('rack-aware with more replicas than racks still uses every rack and distinct brokers', () => {
    const bs = brokers([1, 2, 3, 4], ['a', 'a', 'b', 'b']);
    const rack = new Map(bs.map((b) => [b.id, b.rack]));
    for (const r of assignReplicas(bs, 8, 3, { startIndex: 1, replicaShift: 2 }).values()) {
      expect(new Set(r).size).to.equal(3);
      expect(new Set(r.map((id) => rack.get(id))).size).to.equal(2);
    }
  });

  it('refuses a replication factor above the broker count (INVALID_REPLICATION_FACTOR) and bad counts', () => {
    const err = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return (e as AssignmentError).kafkaError;
      }
      return undefined;
    };
    expect(err(() => assignReplicas(brokers([1, 2]), 3, 3))).to.equal('INVALID_REPLICATION_FACTOR');
    expect(err(() => assignReplicas(brokers([1, 2]), 0, 1))).to.equal('INVALID_PARTITIONS');
    expect(err(() => assignReplicas(brokers([1, 2]), 1, 0))).to.equal('INVALID_REPLICATION_FACTOR');
  });

  it('adding partitions continues the pattern from the next partition id', () => {
    const all = assignReplicas(brokers([1, 2, 3]), 6, 2, { startIndex: 0, replicaShift: 0 });
    const added = assignReplicas(brokers([1, 2, 3]), 3, 2, { startIndex: 0, replicaShift: 0, startPartitionId: 3 });
    expect([...added.entries()]).to.deep.equal([...all.entries()].slice(3));
  });

  it('validates manual assignments', () => {
    const known = new Set([1, 2, 3]);
    const codeOf = (m: Map<number, number[]>): string | undefined => {
      try {
        validateManualAssignment(m, known);
      } catch (e) {
        return (e as AssignmentError).kafkaError;
      }
      return undefined;
    };
    expect(codeOf(new Map([[0, [1, 2]], [1, [2, 3]]]))).to.equal(undefined);
    expect(codeOf(new Map([[0, [1, 1]]]))).to.equal('INVALID_REPLICA_ASSIGNMENT');
    expect(codeOf(new Map([[0, [1, 2]], [1, [3]]]))).to.equal('INVALID_REPLICA_ASSIGNMENT');
    expect(codeOf(new Map([[0, [1, 9]]]))).to.equal('INVALID_REPLICA_ASSIGNMENT');
    expect(codeOf(new Map([[1, [1, 2]]]))).to.equal('INVALID_REPLICA_ASSIGNMENT');
  });
});
