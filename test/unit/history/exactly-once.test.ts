import { expect } from 'chai';
import { checkExactlyOnce, formatExactlyOnce, type InputRecord, type ReadRecord } from '../../helpers/history/index.js';

const input = (id: string, partition: number, offset: bigint): InputRecord => ({ id, topic: 'in', partition, offset });
const out = (id: string, partition: number, offset: bigint): ReadRecord => ({ id, topic: 'out', partition, offset, reader: 'rc', at: 0 });

describe('history checker > exactly-once verdict', () => {
  const inputs = [input('a', 0, 0n), input('b', 0, 1n), input('c', 1, 0n), input('d', 1, 1n)];

  it('passes when every input record is in the output once, in input order per partition', () => {
    const v = checkExactlyOnce(inputs, [out('a', 0, 0n), out('c', 1, 0n), out('b', 0, 5n), out('d', 1, 3n)]);
    expect(v.ok).to.equal(true);
    expect(formatExactlyOnce('eos', 'none', 4, v)).to.contain('exactly-once: OK (4 in, 0 missing, 0 duplicated');
  });

  it('names a missing record, a duplicate, a foreign value and an order inversion', () => {
    const v = checkExactlyOnce(inputs, [out('b', 0, 0n), out('a', 0, 1n), out('a', 0, 2n), out('zz', 1, 0n), out('c', 1, 1n)]);
    expect(v.ok).to.equal(false);
    expect([v.missing, v.duplicated, v.outOfOrder, v.foreign]).to.deep.equal([1, 1, 1, 1]);
    expect(v.violations.map((x) => x.kind).sort()).to.deep.equal(['eos-duplicate', 'eos-foreign', 'eos-missing', 'eos-order']);
    expect(v.violations.find((x) => x.kind === 'eos-missing')!.detail).to.contain('in-1@1 (d)');
  });

  it('checks order only among records of the same input partition (interleaving across inputs is fine)', () => {
    const v = checkExactlyOnce(inputs, [out('c', 0, 0n), out('a', 0, 1n), out('d', 0, 2n), out('b', 0, 3n)]);
    expect(v.ok).to.equal(true);
  });

  it('maps output values back to input ids', () => {
    const v = checkExactlyOnce([input('7', 0, 0n)], [out('copy:7', 0, 0n)], { outputId: (s) => s.replace('copy:', '') });
    expect(v.ok).to.equal(true);
  });
});
