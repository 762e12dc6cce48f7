import { expect } from 'chai';
import { murmur2, toPositive } from '../../../client/partitioners/murmur2.js';
import { loadXxhash, xxhash32 } from '../../../client/partitioners/xxhash.js';
import {
  defaultPartitioner,
  murmur2Partitioner,
  roundRobinPartitioner,
  customPartitioner,
  StickyPartitionCache,
  type PartitionerArgs,
} from '../../../client/partitioners/partitioner.js';

/** Oracle: murmur2 written from its definition with BigInt arithmetic mod 2^32 (no Math.imul). */
function murmur2Oracle(data: Uint8Array): number {
  const MASK = 0xffffffffn;
  const m = 0x5bd1e995n;
  const mul = (a: bigint, b: bigint) => (a * b) & MASK;
  let h = (0x9747b28cn ^ BigInt(data.length)) & MASK;
  const n4 = Math.floor(data.length / 4);
  for (let i = 0; i < n4; i++) {
    let k = 0n;
    for (let j = 3; j >= 0; j--) k = (k << 8n) | BigInt(data[i * 4 + j]!);
    k = mul(k, m);
    k ^= k >> 24n;
    k = mul(k, m);
    h = mul(h, m) ^ k;
  }
  const rest = data.length % 4;
  const base = n4 * 4;
  if (rest >= 3) h ^= BigInt(data[base + 2]!) << 16n;
  if (rest >= 2) h ^= BigInt(data[base + 1]!) << 8n;
  if (rest >= 1) {
    h ^= BigInt(data[base]!);
    h = mul(h, m);
  }
  h ^= h >> 13n;
  h = mul(h, m);
  h ^= h >> 15n;
  return Number(BigInt.asIntN(32, h));
}

function args(topic: string, key: string | null, partitionCount: number): PartitionerArgs {
  return {
    topic,
    key: key === null ? null : Buffer.from(key),
    value: null,
    partitionCount,
    availablePartitions: Array.from({ length: partitionCount }, (_, i) => i),
  };
}

describe('client > partitioners > murmur2', () => {
  // Kafka's UtilsTest.testMurmur2 cases (signed results of the Java client's Utils.murmur2 on
  // the UTF-8 bytes). KafkaJS's legacy partitioner is NOT a reference: it is not Java-compatible.
  const known: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  for (const [input, expected] of known) {
    it(`murmur2("${input}") = ${expected}`, () => {
      expect(murmur2(Buffer.from(input))).to.equal(expected);
      expect(murmur2Oracle(Buffer.from(input))).to.equal(expected);
    });
  }

  it('the empty input is the seed through the final avalanche only', () => {
    expect(murmur2(new Uint8Array(0))).to.equal(murmur2Oracle(new Uint8Array(0)));
    expect(murmur2(new Uint8Array(0))).to.equal(275646681);
  });

  it('agrees with the BigInt oracle on 2,000 random inputs of every tail length', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 16;
    };
    for (let i = 0; i < 2000; i++) {
      const data = new Uint8Array(rnd() % 70);
      for (let j = 0; j < data.length; j++) data[j] = rnd() & 0xff;
      expect(murmur2(data), `input ${Buffer.from(data).toString('hex')}`).to.equal(murmur2Oracle(data));
    }
  });

  it('toPositive clears the sign bit like Java (not Math.abs)', () => {
    expect(toPositive(-1)).to.equal(0x7fffffff);
    expect(toPositive(-2147483648)).to.equal(0);
    expect(toPositive(5)).to.equal(5);
  });

  it('the murmur2 partitioner places keys like the Java client', () => {
    const p = murmur2Partitioner();
    // toPositive(-790332482) = 2147483648 - 790332482 = 1357151166; % 10 = 6
    expect(p.partition(args('t', 'foobar', 10))).to.equal(6);
    expect(p.partition(args('t', 'abc', 7))).to.equal(479470107 % 7);
  });
});

describe('client > partitioners > default and sticky', () => {
  before(() => loadXxhash());

  it('keyed records hash with xxhash32 and are stable', () => {
    const p = defaultPartitioner();
    const a = p.partition(args('t', 'user-42', 12));
    expect(a).to.equal(xxhash32(Buffer.from('user-42')) % 12);
    for (let i = 0; i < 10; i++) expect(p.partition(args('t', 'user-42', 12))).to.equal(a);
  });

  it('keys spread over all partitions', () => {
    const p = defaultPartitioner();
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(p.partition(args('t', `k${i}`, 8)));
    expect(seen.size).to.equal(8);
  });

  it('keyless records stick to one partition until a new batch starts, then move elsewhere', () => {
    let r = 0;
    const p = defaultPartitioner((n) => r++ % n);
    const first = p.partition(args('t', null, 4));
    for (let i = 0; i < 20; i++) expect(p.partition(args('t', null, 4))).to.equal(first);
    p.onNewBatch!('t', first, args('t', null, 4));
    const second = p.partition(args('t', null, 4));
    expect(second).to.not.equal(first);
    // a stale notification (for a partition we already left) does not move it again
    p.onNewBatch!('t', first, args('t', null, 4));
    expect(p.partition(args('t', null, 4))).to.equal(second);
  });

  it('sticky choice prefers partitions with a leader', () => {
    const cache = new StickyPartitionCache(() => 0);
    expect(cache.partition('t', 5, [3])).to.equal(3);
    expect(cache.next('t', 3, 5, [3])).to.equal(3);
  });

  it('sticky choice is per topic', () => {
    const cache = new StickyPartitionCache((n) => n - 1);
    const a = cache.partition('a', 3, [0, 1, 2]);
    const b = cache.partition('b', 5, [0, 1, 2, 3, 4]);
    expect([a, b]).to.deep.equal([2, 4]);
  });

  it('round-robin and custom partitioners', () => {
    const rr = roundRobinPartitioner();
    const got = Array.from({ length: 6 }, () => rr.partition(args('t', 'k', 3)));
    expect(got).to.deep.equal([0, 1, 2, 0, 1, 2]);
    const custom = customPartitioner((a) => a.partitionCount - 1);
    expect(custom.partition(args('t', 'k', 9))).to.equal(8);
  });
});
