import { expect } from 'chai';
import { bytesSerde, stringSerde, jsonSerde, msgpackSerde } from '../../../client/serializers.js';
import { autoSerializer } from '../../../client/producer/producer.js';

describe('client > serializers', () => {
  const cases: Array<[string, { serialize: (v: never, t: string) => Buffer | null; deserialize: (b: Buffer | null, t: string) => unknown }, unknown]> = [
    ['string', stringSerde as never, 'héllo ✓'],
    ['json', jsonSerde as never, { a: 1, b: [true, null, 'x'] }],
    ['msgpack', msgpackSerde as never, { a: 1, big: 2n ** 63n - 1n, bytes: Buffer.from([1, 2]) }],
    ['bytes', bytesSerde as never, Buffer.from([0, 255, 7])],
  ];
  for (const [name, serde, value] of cases) {
    it(`${name}: round-trips, and null stays null (a tombstone, not "null")`, () => {
      const bytes = serde.serialize(value as never, 't');
      expect(Buffer.isBuffer(bytes)).to.equal(true);
      expect(serde.deserialize(bytes, 't')).to.deep.equal(value);
      expect(serde.serialize(null as never, 't')).to.equal(null);
      expect(serde.deserialize(null, 't')).to.equal(null);
    });
  }

  it('msgpack values decode on their own (no shared structures between records)', () => {
    const a = msgpackSerde.serialize({ same: 1, shape: 2 }, 't')!;
    const b = msgpackSerde.serialize({ same: 3, shape: 4 }, 't')!;
    expect(msgpackSerde.deserialize(b, 't')).to.deep.equal({ same: 3, shape: 4 });
    expect(msgpackSerde.deserialize(a, 't')).to.deep.equal({ same: 1, shape: 2 });
  });

  it('bad input is a CLI_SERIALIZATION error', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => jsonSerde.serialize(cyclic, 't')).to.throw().with.property('code', 'CLI_SERIALIZATION');
    expect(() => jsonSerde.deserialize(Buffer.from('{nope'), 't')).to.throw().with.property('code', 'CLI_SERIALIZATION');
  });

  it('the producer default serializer: bytes as is, strings as UTF-8, objects as JSON', () => {
    expect(autoSerializer(Buffer.from('x'))!.toString()).to.equal('x');
    expect(autoSerializer(new Uint8Array([65]))!.toString()).to.equal('A');
    expect(autoSerializer('é')!.length).to.equal(2);
    expect(autoSerializer({ a: 1 })!.toString()).to.equal('{"a":1}');
    expect(autoSerializer(null)).to.equal(null);
  });
});
