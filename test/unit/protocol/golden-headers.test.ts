/**
 * Request header v1/v2 and response header v0/v1 against the independent byte oracle: flexible
 * versions add a tagged-field section after the client id (request) or the correlation id
 * (response), the client id keeps its int16 length, and ApiVersions answers keep header v0.
 */
import { expect } from 'chai';
import { ApiKey, decodeRequest, decodeRequestHeader, decodeResponse, encodeRequest, encodeResponse } from '../../../protocol/index.js';
import { Bytes, UNKNOWN_TAG } from './golden/bytes.js';

/** Size prefix + header + body, as the oracle writes them. */
function frame(header: (b: Bytes) => void, body: (b: Bytes) => void, flexibleBody: boolean): Buffer {
  const h = new Bytes(false);
  header(h);
  const b = new Bytes(flexibleBody);
  body(b);
  const payload = Buffer.concat([h.build(), b.build()]);
  return Buffer.concat([new Bytes(false).i32(payload.length).build(), payload]);
}

/** A header tagged-field section, optionally carrying an unknown tag a decoder must skip. */
function headerTags(b: Bytes, unknown: boolean): void {
  if (!unknown) {
    b.uvarint(0);
    return;
  }
  b.uvarint(1).uvarint(UNKNOWN_TAG.tag).uvarint(UNKNOWN_TAG.data.length).raw(UNKNOWN_TAG.data);
}

const heartbeat = { groupId: 'billing', generationId: 8, memberId: 'm-1', groupInstanceId: 'host-7' };
const heartbeatBody = (b: Bytes): void => void b.str(heartbeat.groupId).i32(heartbeat.generationId).str(heartbeat.memberId).nstr(heartbeat.groupInstanceId).tags();

describe('protocol > golden request and response headers', () => {
  it('request header v2 (flexible request): client id keeps its int16 length, then a tagged section', () => {
    const expected = frame((h) => h.i16(12).i16(4).i32(9).str('samsa').uvarint(0), heartbeatBody, true);
    expect(encodeRequest(ApiKey.Heartbeat, 4, 9, 'samsa', heartbeat).toString('hex')).to.equal(expected.toString('hex'));
    const nullClient = frame((h) => h.i16(12).i16(4).i32(9).i16(-1).uvarint(0), heartbeatBody, true);
    expect(encodeRequest(ApiKey.Heartbeat, 4, 9, null, heartbeat).toString('hex')).to.equal(nullClient.toString('hex'));
  });

  it('request header v2 with an unknown header tag: skipped, body found after it', () => {
    const f = frame((h) => headerTags(h.i16(12).i16(4).i32(9).str('samsa'), true), heartbeatBody, true).subarray(4);
    const h = decodeRequestHeader(f);
    expect(h).to.include({ apiKey: 12, apiVersion: 4, correlationId: 9, clientId: 'samsa', headerVersion: 2 });
    expect(h.bodyOffset).to.equal(2 + 2 + 4 + 2 + 5 + 1 + 1 + 1 + UNKNOWN_TAG.data.length);
    expect(decodeRequest(ApiKey.Heartbeat, 4, f, h.bodyOffset)).to.deep.equal(heartbeat);
  });

  it('request header v1 (classic request): no tagged section', () => {
    const body = (b: Bytes): void => void b.str(heartbeat.groupId).i32(heartbeat.generationId).str(heartbeat.memberId).nstr(heartbeat.groupInstanceId);
    const expected = frame((h) => h.i16(12).i16(3).i32(9).str('samsa'), body, false);
    expect(encodeRequest(ApiKey.Heartbeat, 3, 9, 'samsa', heartbeat).toString('hex')).to.equal(expected.toString('hex'));
    expect(decodeRequestHeader(expected.subarray(4))).to.include({ headerVersion: 1, bodyOffset: 15 });
  });

  it('response header v1 (flexible response): correlation id, then a tagged section', () => {
    const body = (b: Bytes): void => void b.i32(2).i16(27).tags();
    const expected = frame((h) => h.i32(31).uvarint(0), body, true);
    expect(encodeResponse(ApiKey.Heartbeat, 4, 31, { throttleTimeMs: 2, errorCode: 27 }).toString('hex')).to.equal(expected.toString('hex'));
    const withUnknown = frame((h) => headerTags(h.i32(31), true), body, true);
    expect(decodeResponse(ApiKey.Heartbeat, 4, withUnknown.subarray(4))).to.deep.equal({ correlationId: 31, body: { throttleTimeMs: 2, errorCode: 27 } });
  });

  it('response header v0 for classic versions, and for ApiVersions even at flexible v3 (KIP-511)', () => {
    const classic = frame((h) => h.i32(31), (b) => b.i32(2).i16(27), false);
    expect(encodeResponse(ApiKey.Heartbeat, 3, 31, { throttleTimeMs: 2, errorCode: 27 }).toString('hex')).to.equal(classic.toString('hex'));
    const apiVersions = frame(
      (h) => h.i32(5),
      (b) => b.i16(0).arr([[18, 0, 3]], (b, [k, min, max]) => b.i16(k!).i16(min!).i16(max!).tags()).i32(0).tags(),
      true,
    );
    const body = { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }], throttleTimeMs: 0 };
    expect(encodeResponse(ApiKey.ApiVersions, 3, 5, body).toString('hex')).to.equal(apiVersions.toString('hex'));
    expect(decodeResponse(ApiKey.ApiVersions, 3, apiVersions.subarray(4)).body.apiKeys).to.deep.equal(body.apiKeys);
  });
});
