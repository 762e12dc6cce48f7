import { expect } from 'chai';
import { parseTpKey, tpKey } from '../../../common/index.js';

describe('common > topic-partition keys', () => {
  it('spells a topic-partition as Kafka does and reads it back, topics with dashes and digits included', () => {
    const cases: [string, number, string][] = [
      ['orders', 3, 'orders-3'],
      ['a-1', 2, 'a-1-2'],
      ['a', 12, 'a-12'],
      ['__consumer_offsets', 49, '__consumer_offsets-49'],
      ['x.y_z-0', 0, 'x.y_z-0-0'],
    ];
    for (const [topic, partition, key] of cases) {
      expect(tpKey(topic, partition)).to.equal(key);
      expect(parseTpKey(key)).to.deep.equal({ topic, partition });
    }
    expect(new Set(cases.map(([t, p]) => tpKey(t, p))).size).to.equal(cases.length);
  });
});
