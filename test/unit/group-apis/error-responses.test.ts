import { expect } from 'chai';
import { ApiKey, ErrorCode, decodeRequest, decodeRequestHeader, decodeResponse, encodeRequest, encodeResponse, type RequestBodyMap } from '../../../protocol/index.js';
import { ANONYMOUS_PRINCIPAL, type RequestContext } from '../../../broker/request-context.js';
import { startWireHarness, type WireHarness } from './wire-harness.js';

const SAMPLES: { [K in keyof RequestBodyMap]?: RequestBodyMap[K] } = {
  [ApiKey.FindCoordinator]: { key: 'g', keyType: 0 },
  [ApiKey.JoinGroup]: { groupId: 'g', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: 'm', groupInstanceId: null, protocolType: 'consumer', protocols: [] },
  [ApiKey.SyncGroup]: { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null, assignments: [] },
  [ApiKey.Heartbeat]: { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null },
  [ApiKey.LeaveGroup]: { groupId: 'g', memberId: 'm', members: [{ memberId: 'm', groupInstanceId: null }] },
  [ApiKey.OffsetCommit]: {
    groupId: 'g',
    generationIdOrMemberEpoch: 1,
    memberId: 'm',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
  },
  [ApiKey.OffsetFetch]: { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] },
  [ApiKey.DescribeGroups]: { groups: ['g', 'h'], includeAuthorizedOperations: false },
  [ApiKey.ListGroups]: {},
  [ApiKey.DeleteGroups]: { groupsNames: ['g'] },
  [ApiKey.TxnOffsetCommit]: {
    transactionalId: 'tx',
    groupId: 'g',
    producerId: 7n,
    producerEpoch: 0,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }],
  },
  [ApiKey.OffsetDelete]: { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] },
};

describe('group-apis > error responses (what the router sends when a handler throws)', () => {
  let h: WireHarness;
  afterEach(() => h.restore());

  it('every group API, at every version it serves, encodes an error answer carrying the code', async () => {
    h = await startWireHarness();
    let checked = 0;
    for (const handler of h.handlers.values()) {
      const sample = SAMPLES[handler.apiKey as keyof RequestBodyMap];
      expect(sample, `sample for api ${handler.apiKey}`).to.not.equal(undefined);
      for (let version = handler.minVersion; version <= handler.maxVersion; version++) {
        const frame = encodeRequest(handler.apiKey, version, 1, 'c', sample as never).subarray(4);
        const header = decodeRequestHeader(frame);
        const request = decodeRequest(handler.apiKey, version, frame, header.bodyOffset);
        const ctx = { listenerName: 'PLAINTEXT', clientAddress: '127.0.0.1', principal: ANONYMOUS_PRINCIPAL, apiKey: handler.apiKey, apiVersion: version } as RequestContext;
        const body = handler.errorResponse!(ctx, request, ErrorCode.COORDINATOR_NOT_AVAILABLE);
        const back = decodeResponse(handler.apiKey, version, encodeResponse(handler.apiKey, version, 1, body as never).subarray(4)).body as Record<string, unknown>;
        // OffsetFetch v0–v1 has no top-level error on the wire; the decoder fills in its default.
        if (handler.apiKey === ApiKey.OffsetFetch && version < 2) delete back['errorCode'];
        const codes = JSON.stringify(back, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)).match(/"errorCode":(\d+)/g) ?? [];
        expect(codes.length, `api ${handler.apiKey} v${version}`).to.be.greaterThan(0);
        expect(new Set(codes), `api ${handler.apiKey} v${version}`).to.deep.equal(new Set([`"errorCode":${ErrorCode.COORDINATOR_NOT_AVAILABLE}`]));
        checked++;
      }
    }
    expect(checked).to.equal(4 + 8 + 6 + 5 + 5 + 9 + 8 + 6 + 5 + 3 + 1 + 4);
  });
});
