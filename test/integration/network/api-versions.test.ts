import { expect } from 'chai';
import { ApiKey, ErrorCode, describedVersions } from '../../../protocol/index.js';
import { apiVersionsRequest, KafkaSocket, parseApiVersions } from '../../helpers/kafka-socket.js';
import { startNetworkBroker, type StartedBroker } from './fixture.js';

describe('network > ApiVersions', () => {
  let broker: StartedBroker;
  const sockets: KafkaSocket[] = [];
  const connect = async (): Promise<KafkaSocket> => {
    const s = await broker.connect();
    sockets.push(s);
    return s;
  };

  before(async () => {
    broker = await startNetworkBroker();
  });
  after(async () => {
    for (const s of sockets) s.close();
    await broker.server.stop();
  });

  for (const v of [0, 1, 2, 3]) {
    it(`answers ApiVersions v${v} with what the registry serves`, async () => {
      const s = await connect();
      const answer = await s.apiVersions(v);
      expect(answer.errorCode).to.equal(ErrorCode.NONE);
      const own = answer.apiKeys.find((k) => k.apiKey === 18);
      expect(own, 'ApiVersions advertises itself').to.deep.equal({ apiKey: 18, minVersion: 0, maxVersion: 3 });
      expect(answer.apiKeys).to.deep.equal(broker.server.handlers.advertised().map((r) => ({ ...r })));
      if (v >= 1) expect(answer.throttleTimeMs).to.equal(0);
    });
  }

  it('writes response header v0 for ApiVersions v3 (no tagged-field byte after the correlation id)', async () => {
    const s = await connect();
    s.writeRaw(apiVersionsRequest(3, 77));
    const frame = await s.nextFrame();
    expect(frame.readInt32BE(0)).to.equal(77);
    expect(frame.readInt16BE(4), 'error_code right after the correlation id').to.equal(0);
    // With a v1 header a 0x00 tag byte would come first and shift the compact array length.
    expect(frame[6]).to.equal(broker.server.handlers.advertised().length + 1);
  });

  it('answers an unsupported ApiVersions version in v0 format with UNSUPPORTED_VERSION (KIP-511)', async () => {
    const s = await connect();
    s.writeRaw(apiVersionsRequest(9, 5));
    const answer = parseApiVersions(await s.nextFrame(), 0);
    expect(answer).to.deep.equal({
      correlationId: 5,
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }],
      throttleTimeMs: undefined,
    });
    // The connection stays usable: the client retries at a version we support.
    expect((await s.apiVersions(0)).errorCode).to.equal(ErrorCode.NONE);
  });

  it('round-trips through protocol/ codecs as a client would (v3 with client software fields)', async () => {
    const s = await connect();
    const body = await s.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '0.1.0' });
    expect(body.errorCode).to.equal(ErrorCode.NONE);
    expect(body.apiKeys.map((k) => ({ apiKey: k.apiKey, minVersion: k.minVersion, maxVersion: k.maxVersion }))).to.deep.equal(
      broker.server.handlers.advertised().map((r) => ({ ...r })),
    );
  });

  it('advertises only ranges that both a handler and the codecs support', () => {
    const advertised = broker.server.handlers.advertised();
    for (const r of advertised) {
      expect(broker.server.handlers.get(r.apiKey), `handler for ${r.apiKey}`).to.not.equal(undefined);
      expect(r.minVersion).to.be.at.least(describedVersions(r.apiKey)!.min);
      expect(r.maxVersion).to.be.at.most(describedVersions(r.apiKey)!.max);
    }
  });
});
