import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { CompressionType, ProtocolError, compress, decompress, isXerialFramed, snappyCompressXerial } from '../../../protocol/index.js';
import { SeededRandom, testSeed } from './seeded-random.js';

const CODECS = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd] as const;

describe('protocol > compression', () => {
  for (const codec of CODECS) {
    it(`codec ${codec} round-trips empty, small, large and incompressible data`, () => {
      const rnd = new SeededRandom(testSeed() + codec);
      for (const data of [Buffer.alloc(0), Buffer.from('x'), rnd.text(200_000), rnd.bytes(70_000)]) {
        expect(Buffer.compare(decompress(codec, compress(codec, data)), data)).to.equal(0);
      }
    });

    it(`codec ${codec} reports corrupt input as ProtocolError`, () => {
      const rnd = new SeededRandom(testSeed() + 10 + codec);
      for (let i = 0; i < 30; i++) {
        const junk = rnd.bytes(rnd.int(0, 100));
        try {
          decompress(codec, junk);
        } catch (err) {
          expect(err).to.be.instanceOf(ProtocolError);
        }
      }
      const good = compress(codec, Buffer.from('some data that is long enough to matter '.repeat(20)));
      expect(() => decompress(codec, good.subarray(0, Math.floor(good.length / 2)))).to.throw(ProtocolError);
    });
  }

  it('decompresses xerial-framed snappy (Java clients) as well as raw snappy (librdkafka)', () => {
    const data = new SeededRandom(testSeed()).text(100_000);
    const framed = snappyCompressXerial(data, 32 * 1024);
    expect(isXerialFramed(framed)).to.equal(true);
    expect(isXerialFramed(compress(CompressionType.Snappy, data))).to.equal(false);
    expect(Buffer.compare(decompress(CompressionType.Snappy, framed), data)).to.equal(0);
    const lying = Buffer.from(framed);
    lying.writeInt32BE(1 << 30, 16);
    expect(() => decompress(CompressionType.Snappy, lying)).to.throw(ProtocolError).with.property('code', 'PRT_COMPRESSION');
  });

  it('reads gzip members written by zlib directly', () => {
    const data = Buffer.from('kafka '.repeat(1000));
    expect(Buffer.compare(decompress(CompressionType.Gzip, gzipSync(data, { level: 9 })), data)).to.equal(0);
  });

  const cliCases = [
    { codec: CompressionType.Lz4, bin: '/usr/bin/lz4' },
    { codec: CompressionType.Zstd, bin: '/usr/bin/zstd' },
  ];
  for (const { codec, bin } of cliCases) {
    const run = existsSync(bin) ? it : it.skip;
    run(`interoperates with the reference ${bin} tool both ways`, () => {
      const data = new SeededRandom(testSeed()).text(150_000);
      const fromCli = execFileSync(bin, ['-c', '-q'], { input: data, timeout: 10_000 });
      expect(Buffer.compare(decompress(codec, fromCli), data)).to.equal(0);
      const toCli = execFileSync(bin, ['-d', '-c', '-q'], { input: compress(codec, data), timeout: 10_000 });
      expect(Buffer.compare(toCli, data)).to.equal(0);
    });
  }

  it('rejects unknown codec ids', () => {
    expect(() => decompress(5 as CompressionType, Buffer.from('x'))).to.throw(ProtocolError).with.property('code', 'PRT_UNSUPPORTED_COMPRESSION');
    expect(() => compress(6 as CompressionType, Buffer.from('x'))).to.throw(ProtocolError);
  });
});

describe('protocol > compression size limits', () => {
  it('refuses output above the limit, before decoding when the header announces it', () => {
    const data = Buffer.alloc(100_000, 7);
    for (const codec of CODECS) {
      const packed = compress(codec, data);
      expect(() => decompress(codec, packed, 50_000), `codec ${codec}`).to.throw(ProtocolError).with.property('code', 'PRT_COMPRESSION');
      expect(decompress(codec, packed, 100_000).length).to.equal(100_000);
    }
    // raw snappy announcing 4 GiB from 6 bytes
    expect(() => decompress(CompressionType.Snappy, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]))).to.throw(ProtocolError).with.property('code', 'PRT_COMPRESSION');
    // zstd frame header announcing 2^40 bytes
    const zstdBomb = Buffer.from('28b52ffdc00000000000010000010000', 'hex');
    expect(() => decompress(CompressionType.Zstd, zstdBomb)).to.throw(ProtocolError).with.property('message').that.matches(/announces/);
  });
});
