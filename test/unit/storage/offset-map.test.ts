import { expect } from 'chai';
import { loadKeyHasher, OffsetMap } from '../../../storage/index.js';

describe('storage > OffsetMap', () => {
  it('keeps the latest offset per key within a fixed budget', async () => {
    const hasher = await loadKeyHasher();
    const map = new OffsetMap(16 * 100, hasher);
    expect(map.capacity).to.equal(90);
    for (let i = 0; i < 90; i++) expect(map.put(Buffer.from(`key-${i}`), BigInt(i))).to.equal(true);
    expect(map.isFull).to.equal(true);
    expect(map.put(Buffer.from('one-too-many'), 100n)).to.equal(false);
    expect(map.put(Buffer.from('key-7'), 500n)).to.equal(true); // updating a known key still works
    expect(map.get(Buffer.from('key-7'))).to.equal(500n);
    expect(map.get(Buffer.from('key-8'))).to.equal(8n);
    expect(map.get(Buffer.from('absent'))).to.equal(-1n);
    expect(map.latestOffset).to.equal(500n);
    map.clear();
    expect(map.size).to.equal(0);
  });
});
