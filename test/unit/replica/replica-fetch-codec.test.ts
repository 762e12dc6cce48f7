import { expect } from 'chai';
import { silentLogger } from '../../../broker/index.js';
import type { BrokerEndpoint, InterBrokerTransport, SendOptions } from '../../../broker/network/index.js';
import { RemoteError } from '../../../broker/network/remote-error.js';
import {
  Partition,
  LEADER_EPOCH_END_OFFSET_API,
  REPLICA_FETCH_API,
  ReplicaFetcher,
  decodeReplicaFetchResponse,
  encodeReplicaFetchResponse,
  type EpochEndOffsetRequest,
  type ReplicaFetchRequest,
  type ReplicaFetchResponse,
} from '../../../broker/replica/index.js';
import { backgroundScheduler, sleep } from '../../../common/index.js';
import { FrameDecoder, ProtocolError, TailedBody, decodeInternalFrame, encodeInternalFrameWithTail } from '../../../protocol/index.js';
import type { PartitionLog } from '../../../storage/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import { batch, openLog, readAll } from '../storage/helpers.js';

const RESPONSE: ReplicaFetchResponse = {
  errorCode: 0,
  sessionId: 7,
  partitions: [
    { topic: 't', partition: 0, errorCode: 0, highWatermark: 5n, logStartOffset: 0n, logEndOffset: 6n, records: Buffer.from('aabbcc', 'hex') },
    { topic: 't', partition: 1, errorCode: 6, highWatermark: -1n, logStartOffset: -1n, logEndOffset: -1n, records: Buffer.alloc(0) },
    { topic: 'u', partition: 2, errorCode: 0, highWatermark: 1n, logStartOffset: 0n, logEndOffset: 1n, records: Buffer.from('dd', 'hex') },
  ],
};

/** One v1 response frame, written the way a leader writes it (head, then the slices). */
function v1Frame(resp: ReplicaFetchResponse): Buffer[] {
  const wire = encodeReplicaFetchResponse(resp, 1);
  expect(wire).to.be.instanceOf(TailedBody);
  const t = wire as TailedBody;
  return encodeInternalFrameWithTail({ api: REPLICA_FETCH_API, version: 1, correlationId: 9, isResponse: true, body: t.body }, t.tail);
}

// int32 size | 0xc1 | int32 msgpack length | msgpack [api, version, correlationId, isResponse, body] | tail
const GOLDEN = [
  '0000019b', // frame size: 1 + 4 + 402 + 4
  'c1', // the tail marker (never a msgpack first byte)
  '00000192', // msgpack length
  '95ac5265706c69636146657463680109c3', // [ 'ReplicaFetch', 1, 9, true,
  'de0003a96572726f72436f646500a973657373696f6e496407aa706172746974696f6e7393', // { errorCode: 0, sessionId: 7, partitions: [
  'de0007a5746f706963a174a9706172746974696f6e00a96572726f72436f646500ad6869676857617465726d61726bd30000000000000005',
  'ae6c6f6753746172744f6666736574d30000000000000000ac6c6f67456e644f6666736574d30000000000000006ac7265636f726473427974657303',
  'de0007a5746f706963a174a9706172746974696f6e01a96572726f72436f646506ad6869676857617465726d61726bd3ffffffffffffffff',
  'ae6c6f6753746172744f6666736574d3ffffffffffffffffac6c6f67456e644f6666736574d3ffffffffffffffffac7265636f726473427974657300',
  'de0007a5746f706963a175a9706172746974696f6e02a96572726f72436f646500ad6869676857617465726d61726bd30000000000000001',
  'ae6c6f6753746172744f6666736574d30000000000000000ac6c6f67456e644f6666736574d30000000000000001ac7265636f726473427974657301',
  'aabbcc', // t-0's records
  'dd', // u-2's records
].join('');

describe('replica > ReplicaFetch v1 codec (records as the frame\'s raw tail)', () => {
  it('writes a small msgpack head and the record slices as they are (golden bytes)', () => {
    const parts = v1Frame(RESPONSE);
    // Head plus the two non-empty slices, not copied: the same memory as the records handed in.
    expect(parts).to.have.length(3);
    expect(parts[1]).to.equal(RESPONSE.partitions[0]!.records);
    expect(parts[2]).to.equal(RESPONSE.partitions[2]!.records);
    expect(Buffer.concat(parts).toString('hex')).to.equal(GOLDEN);
  });

  it('decodes into views of the received frame, the same response as sent', () => {
    const frame = Buffer.from(GOLDEN, 'hex');
    const [payload] = new FrameDecoder({ maxFrameBytes: 1 << 20 }).push(frame);
    const msg = decodeInternalFrame(payload!);
    expect(msg).to.deep.include({ api: REPLICA_FETCH_API, version: 1, correlationId: 9, isResponse: true });
    const back = decodeReplicaFetchResponse(new TailedBody(msg.body, [msg.tail!]));
    expect(back.sessionId).to.equal(7);
    expect(back.partitions.map((p) => [p.topic, p.partition, p.errorCode, BigInt(p.highWatermark), BigInt(p.logEndOffset), p.records.toString('hex')])).to.deep.equal(
      RESPONSE.partitions.map((p) => [p.topic, p.partition, p.errorCode, p.highWatermark, p.logEndOffset, p.records.toString('hex')]),
    );
    expect(back.partitions[0]!.records.buffer).to.equal(frame.buffer);
  });

  it('writes a partition read from memory as its pieces, unjoined; v0 joins them into one bin', () => {
    const pieces = [Buffer.from('aabb', 'hex'), Buffer.from('cc', 'hex')];
    const p0 = RESPONSE.partitions[0]!;
    let joins = 0;
    const fromMemory = { ...p0, get records(): Buffer { joins++; return Buffer.concat(pieces); }, parts: pieces };
    const resp: ReplicaFetchResponse = { ...RESPONSE, partitions: [fromMemory, ...RESPONSE.partitions.slice(1)] };
    const parts = v1Frame(resp);
    expect(parts).to.have.length(4);
    expect(parts[1]).to.equal(pieces[0]);
    expect(parts[2]).to.equal(pieces[1]);
    expect(joins, 'v1 never joins the pieces').to.equal(0);
    expect(Buffer.concat(parts).toString('hex')).to.equal(GOLDEN);
    const v0 = encodeReplicaFetchResponse(resp, 0) as ReplicaFetchResponse;
    expect(v0.partitions[0]).to.not.have.property('parts');
    expect(v0.partitions[0]!.records.toString('hex')).to.equal('aabbcc');
  });

  it('leaves v0 as it was: records inside the msgpack body', () => {
    expect(encodeReplicaFetchResponse(RESPONSE, 0)).to.equal(RESPONSE);
    expect(decodeReplicaFetchResponse(RESPONSE)).to.equal(RESPONSE);
  });

  it('refuses a tail that does not add up, and a truncated head, with typed errors', () => {
    const body = (n: number[]): unknown => ({ partitions: n.map((recordsBytes, partition) => ({ topic: 't', partition, errorCode: 0, highWatermark: 0, logStartOffset: 0, logEndOffset: 0, recordsBytes })) });
    const bad = (b: unknown, tail: Buffer): unknown => decodeReplicaFetchResponse(new TailedBody(b, [tail]));
    expect(() => bad(body([4]), Buffer.alloc(3))).to.throw(/recordsBytes 4/).with.property('code', 'BRK_CORRUPT_MESSAGE');
    expect(() => bad(body([1]), Buffer.alloc(3))).to.throw(/2 tail bytes belong to no partition/).with.property('code', 'BRK_CORRUPT_MESSAGE');
    expect(() => bad(body([-1]), Buffer.alloc(0))).to.throw().with.property('code', 'BRK_CORRUPT_MESSAGE');
    expect(() => bad({ partitions: 3 }, Buffer.alloc(0))).to.throw().with.property('code', 'BRK_CORRUPT_MESSAGE');
    const payload = Buffer.from(GOLDEN, 'hex').subarray(4);
    expect(() => decodeInternalFrame(payload.subarray(0, 3))).to.throw(ProtocolError).with.property('code', 'PRT_INVALID_FRAME');
    const lying = Buffer.from(payload);
    lying.writeInt32BE(payload.length, 1);
    expect(() => decodeInternalFrame(lying)).to.throw(ProtocolError).with.property('code', 'PRT_INVALID_FRAME');
  });
});

/**
 * A leader reduced to its log, of a given release: `maxVersion` 0 refuses ReplicaFetch v1 the way
 * the inter-broker router does (BRK_UNSUPPORTED_VERSION); v1 answers cross a real frame encoding.
 */
function leaderOfRelease(leader: PartitionLog, maxVersion: number, versions: number[]): InterBrokerTransport {
  return {
    async send(_b: BrokerEndpoint, api: string, body: unknown, options?: SendOptions): Promise<unknown> {
      if (api === LEADER_EPOCH_END_OFFSET_API) {
        const req = body as EpochEndOffsetRequest;
        return { partitions: req.partitions.map((q) => ({ topic: q.topic, partition: q.partition, errorCode: 0, ...leader.endOffsetForEpoch(q.leaderEpoch) })) };
      }
      const version = options?.version ?? 0;
      versions.push(version);
      if (version > maxVersion) throw new RemoteError('BRK_UNSUPPORTED_VERSION', `inter-broker ${api} v${version} is not supported`, false, 'UNSUPPORTED_VERSION');
      const fp = (body as ReplicaFetchRequest).partitions[0]!;
      const records = fp.fetchOffset < leader.logEndOffset ? (await leader.read(fp.fetchOffset, fp.partitionMaxBytes, { minOneBatch: true })).records : Buffer.alloc(0);
      if (records.length === 0) await sleep(backgroundScheduler, 20);
      const answer: ReplicaFetchResponse = { partitions: [{ topic: fp.topic, partition: fp.partition, errorCode: 0, highWatermark: leader.highWatermark, logStartOffset: leader.logStartOffset, logEndOffset: leader.logEndOffset, records }] };
      const wire = encodeReplicaFetchResponse(answer, version);
      if (!(wire instanceof TailedBody)) return wire;
      const parts = encodeInternalFrameWithTail({ api, version, correlationId: 1, isResponse: true, body: wire.body }, wire.tail);
      const msg = decodeInternalFrame(Buffer.concat(parts).subarray(4));
      return new TailedBody(msg.body, [msg.tail!]);
    },
  };
}

describe('replica > follower fetching across releases (rolling upgrade)', function () {
  this.timeout(10_000);
  let fetcher: ReplicaFetcher | undefined;
  afterEach(async () => {
    await fetcher?.shutdown();
    fetcher = undefined;
  });

  for (const maxVersion of [1, 0]) {
    it(`copies the leader verbatim from a leader that accepts ReplicaFetch up to v${maxVersion}`, async () => {
      const leader = await openLog();
      await leader.appendAsLeader(batch({ values: ['a', 'b'] }), 0);
      await leader.appendAsLeader(batch({ values: ['c'] }), 0);
      leader.updateHighWatermark(3n);
      const follower = await openLog();
      const versions: number[] = [];
      fetcher = new ReplicaFetcher(1, {
        brokerId: 2,
        brokerEpoch: () => 10n,
        transport: leaderOfRelease(leader, maxVersion, versions),
        endpoint: (id) => ({ id, host: '127.0.0.1', port: 1 }),
        scheduler: backgroundScheduler,
        logger: silentLogger(),
        settings: { maxWaitMs: 50, minBytes: 1, maxBytes: 1 << 20, partitionMaxBytes: 1 << 20, backoffMs: 20, socketTimeoutMs: 1_000 },
        onFollowerProgress: () => {},
      });
      const p = new Partition('t', 0, 2, follower);
      p.applyState({ leader: 1, leaderEpoch: 0, isr: [1, 2], replicas: [1, 2], zkVersion: 1, controllerEpoch: 1 }, 0);
      fetcher.addPartition(p, 0);
      await waitFor(() => follower.logEndOffset === 3n && follower.highWatermark === 3n, 'the follower to catch up');
      expect((await readAll(follower)).map((r) => `${r.offset}:${r.value}`)).to.deep.equal(['0:a', '1:b', '2:c']);
      // The first ask is always the newest version; an old leader's refusal moves the follower to v0 for good.
      expect(versions[0]).to.equal(1);
      expect(new Set(versions.slice(1))).to.deep.equal(new Set([maxVersion]));
    });
  }
});
