/**
 * Hostile input: truncated, mutated, oversized and random frames must fail with ProtocolError
 * (never another exception) and must not make the decoder allocate more than the input size.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import {
  API_MESSAGES,
  CompressionType,
  DESCRIBED_API_VERSIONS,
  FrameDecoder,
  ProtocolError,
  apiName,
  decodeRecordBatch,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeRecordBatch,
  encodeRequest,
  encodeResponse,
  iterateBatches,
} from '../../../protocol/index.js';
import { SeededRandom, testSeed } from './seeded-random.js';
import { randomBody, versionsOf } from './spec-random.js';

/** Runs fn; returns whether it succeeded. Any non-ProtocolError fails the test with context. */
function expectOnlyProtocolErrors(fn: () => unknown, context: () => string): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (!(err instanceof ProtocolError)) {
      throw new Error(`${context()}: expected ProtocolError, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    }
    return false;
  }
}

function mutate(rnd: SeededRandom, buf: Buffer): Buffer {
  const out = Buffer.from(buf);
  const edits = rnd.int(1, 4);
  for (let i = 0; i < edits && out.length > 0; i++) {
    const at = rnd.int(0, out.length - 1);
    out[at] = rnd.pick([0x00, 0xff, 0x7f, 0x80, rnd.int(0, 255)]);
  }
  return out;
}

describe('protocol > fuzz: hostile frames', function () {
  this.timeout(60_000);
  let allocSpies: sinon.SinonSpy[] = [];
  /** Largest Buffer allocation since the last reset. */
  const allocated = {
    reset(): void {
      for (const s of allocSpies) s.resetHistory();
    },
    get largest(): number {
      let max = 0;
      for (const s of allocSpies) for (const call of s.getCalls()) if (typeof call.args[0] === 'number' && call.args[0] > max) max = call.args[0];
      return max;
    },
  };

  beforeEach(() => {
    allocSpies = [sinon.spy(Buffer, 'alloc'), sinon.spy(Buffer, 'allocUnsafe'), sinon.spy(Buffer, 'allocUnsafeSlow')];
  });
  afterEach(() => {
    for (const s of allocSpies) s.restore();
  });

  it('truncated and mutated requests and responses of every api version', () => {
    const rnd = new SeededRandom(testSeed() + 99);
    let decodedOk = 0;
    let rejected = 0;
    for (const [apiKey, { request, response }] of API_MESSAGES) {
      for (const version of versionsOf(request)) {
        const req = encodeRequest(apiKey, version, 1, 'fuzz', randomBody(rnd, request, version).input as never).subarray(4);
        const res = encodeResponse(apiKey, version, 1, randomBody(rnd, response, version).input as never).subarray(4);
        const ctx = (what: string, b: Buffer) => () => `${apiName(apiKey)} v${version} ${what} ${b.toString('hex')}`;
        const inputs: Array<[string, Buffer]> = [];
        for (let cut = 0; cut < req.length; cut += Math.max(1, Math.floor(req.length / 40))) inputs.push(['request prefix', req.subarray(0, cut)]);
        for (let i = 0; i < 20; i++) inputs.push(['mutated request', mutate(rnd, req)]);
        for (const [what, b] of inputs) {
          allocated.reset();
          const ok = expectOnlyProtocolErrors(() => {
            const h = decodeRequestHeader(b);
            return decodeRequest(apiKey, version, b, h.bodyOffset);
          }, ctx(what, b));
          if (ok) decodedOk++;
          else rejected++;
          expect(allocated.largest, ctx(`${what} allocation`, b)()).to.be.at.most(Math.max(b.length, 64));
        }
        const rinputs: Array<[string, Buffer]> = [];
        for (let cut = 0; cut < res.length; cut += Math.max(1, Math.floor(res.length / 40))) rinputs.push(['response prefix', res.subarray(0, cut)]);
        for (let i = 0; i < 20; i++) rinputs.push(['mutated response', mutate(rnd, res)]);
        for (const [what, b] of rinputs) {
          allocated.reset();
          if (expectOnlyProtocolErrors(() => decodeResponse(apiKey, version, b), ctx(what, b))) decodedOk++;
          else rejected++;
          expect(allocated.largest, ctx(`${what} allocation`, b)()).to.be.at.most(Math.max(b.length, 64));
        }
      }
    }
    expect(rejected).to.be.greaterThan(1000);
    expect(decodedOk).to.be.greaterThan(0);
  });

  it('random bytes as request frames and as any api, at every described version and one past it', () => {
    const rnd = new SeededRandom(testSeed() + 7);
    const keys = [...API_MESSAGES.keys()];
    // One past the highest described version, so refusals of unknown versions are exercised too.
    const versionFor = (key: number): number => rnd.int(0, DESCRIBED_API_VERSIONS.get(key)!.max + 1);
    for (let i = 0; i < 4000; i++) {
      const b = rnd.bytes(rnd.int(0, 80));
      if (b.length >= 4 && rnd.bool(0.7)) {
        const key = rnd.pick(keys);
        b.writeInt16BE(key, 0);
        b.writeInt16BE(versionFor(key), 2);
      }
      allocated.reset();
      expectOnlyProtocolErrors(() => {
        const h = decodeRequestHeader(b);
        return decodeRequest(h.apiKey, h.apiVersion, b, h.bodyOffset);
      }, () => `random request ${b.toString('hex')}`);
      const rkey = rnd.pick(keys);
      expectOnlyProtocolErrors(() => decodeResponse(rkey, versionFor(rkey), b), () => `random response ${b.toString('hex')}`);
      expect(allocated.largest).to.be.at.most(Math.max(b.length, 64));
    }
  });

  it('lying array and string lengths fail before allocating', () => {
    // Metadata v1 request claiming 2^31-1 topics in a 14-byte frame
    const b = Buffer.from('0003000100000001ffff7fffffff', 'hex');
    const h = decodeRequestHeader(b);
    allocated.reset();
    expect(() => decodeRequest(3, 1, b, h.bodyOffset)).to.throw(ProtocolError).with.property('code', 'PRT_INVALID_LENGTH');
    expect(allocated.largest).to.be.at.most(64);
    // Produce v3 request whose records claim 1 GiB
    const p = Buffer.from('0000000300000001ffff' + 'ffff' + '0001' + '00000064' + '00000001' + '0001' + '74' + '00000001' + '00000000' + '40000000' + '00', 'hex');
    expect(() => decodeRequest(0, 3, p, 10)).to.throw(ProtocolError).with.property('code', 'PRT_INVALID_LENGTH');
  });

  it('lying tagged-field sections fail before allocating', () => {
    // Heartbeat v4 (flexible) request body: compact groupId "g", generationId 1, memberId "m",
    // groupInstanceId null, then the struct's tagged section.
    const body = '0267' + '00000001' + '026d' + '00';
    const cases: Array<[string, string]> = [
      ['tag count far above the bytes left', body + 'ffffffff07'],
      ['tagged field size above the bytes left', body + '01' + '63' + 'ffffff7f' + '00'],
      ['tagged field cut short', body + '01' + '63' + '05' + 'aabb'],
      ['missing tagged section', body],
    ];
    for (const [what, hex] of cases) {
      const buf = Buffer.from(hex, 'hex');
      allocated.reset();
      expect(() => decodeRequest(12, 4, buf, 0), what).to.throw(ProtocolError);
      expect(allocated.largest, what).to.be.at.most(64);
    }
    // A known tag whose value is shorter than its type: a Fetch v12 response partition whose
    // currentLeader (tag 1) carries 3 bytes instead of two int32s and a tagged section.
    const partition =
      '00000000' + '0000' + '0000000000000001' + '0000000000000001' + '0000000000000000' + '00' + 'ffffffff' + '00' + '01' + '01';
    const fetch = (tag: string): Buffer =>
      Buffer.from('00000007' + '00' + '00000000' + '0000' + '00000000' + '02' + '0274' + '02' + partition + tag + '00' + '00', 'hex');
    const ok = decodeResponse(1, 12, fetch('09' + '00000002' + '00000003' + '00')).body.responses[0]!.partitions[0]!;
    expect(ok.currentLeader).to.deep.equal({ leaderId: 2, leaderEpoch: 3 });
    expect(() => decodeResponse(1, 12, fetch('03' + '000000'))).to.throw(ProtocolError, /need 4 bytes/);
  });

  it('oversized frames are refused by the frame decoder', () => {
    const rnd = new SeededRandom(testSeed() + 3);
    for (let i = 0; i < 200; i++) {
      const dec = new FrameDecoder({ maxFrameBytes: 1 << 16 });
      const size = rnd.pick([-1, -2147483648, (1 << 16) + 1, 2147483647, rnd.int(65537, 2147483647)]);
      const head = Buffer.alloc(4);
      head.writeInt32BE(size, 0);
      expect(() => dec.push(Buffer.concat([head, rnd.bytes(10)]))).to.throw(ProtocolError).with.property('code', 'PRT_FRAME_TOO_LARGE');
    }
  });

  it('mutated and truncated record batches under every codec', () => {
    const rnd = new SeededRandom(testSeed() + 5);
    for (const compression of [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      const records = Array.from({ length: 20 }, (_, i) => ({
        key: Buffer.from(`k${i}`),
        value: rnd.text(rnd.int(0, 100)),
        headers: [{ key: 'h', value: Buffer.from('v') }],
      }));
      const batch = encodeRecordBatch(records, { compression });
      for (let i = 0; i < 300; i++) {
        const b = rnd.bool(0.3) ? batch.subarray(0, rnd.int(0, batch.length - 1)) : mutate(rnd, batch);
        expectOnlyProtocolErrors(() => decodeRecordBatch(b), () => `batch codec ${compression} ${b.toString('hex')}`);
        expectOnlyProtocolErrors(() => [...iterateBatches(b)], () => `iterateBatches codec ${compression}`);
      }
    }
  });
});
