import { expect } from 'chai';
import { percentiles, SampleArray } from '../../../bench/latency.js';

describe('harness > bench latency samples', () => {
  it('SampleArray keeps every sample past its first capacity and gives the same percentiles as a plain array', () => {
    const plain: number[] = [];
    const kept = new SampleArray(10);
    for (let i = 0; i < 5000; i++) {
      const v = ((i * 7919) % 1000) / 10;
      plain.push(v);
      kept.push(v);
    }
    expect(kept.length).to.equal(5000);
    expect(kept.at(4999)).to.equal(plain[4999]);
    expect(percentiles(kept.values(), 5100)).to.deep.equal(percentiles(plain, 5100));
    expect(percentiles(kept.values(), 5100).missing).to.equal(100);
  });
});
