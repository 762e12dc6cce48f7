import { expect } from 'chai';
import { FetchSessionHandler, type SessionPartition } from '../../../client/consumer/fetch-session.js';

const p = (topic: string, partition: number, fetchOffset: bigint): SessionPartition => ({ topic, partition, fetchOffset, partitionMaxBytes: 1024 });
const names = (topics: ReadonlyArray<{ topic?: string; partitions?: ReadonlyArray<{ partition: number } | number> }>): string[] =>
  topics.flatMap((t) => (t.partitions ?? []).map((x) => `${t.topic}-${typeof x === 'number' ? x : x.partition}`));

describe('client > FetchSessionHandler (KIP-227)', () => {
  it('full first, then incremental requests that name only new or moved partitions and forget the dropped ones', () => {
    const h = new FetchSessionHandler();
    const first = h.build([p('a', 0, 0n), p('a', 1, 0n), p('b', 0, 5n)]);
    expect(first).to.deep.include({ sessionId: 0, sessionEpoch: 0, full: true });
    expect(names(first.topics)).to.deep.equal(['a-0', 'a-1', 'b-0']);
    expect(h.handleResponse({ errorCode: 0, sessionId: 77 })).to.equal(true);

    const idle = h.build([p('a', 0, 0n), p('a', 1, 0n), p('b', 0, 5n)]);
    expect(idle).to.deep.include({ sessionId: 77, sessionEpoch: 1, full: false });
    expect(idle.topics).to.deep.equal([]);
    expect(idle.forgottenTopicsData).to.deep.equal([]);
    h.handleResponse({ errorCode: 0, sessionId: 77 });

    const moved = h.build([p('a', 0, 3n), p('b', 0, 5n), p('c', 2, 0n)]);
    expect(moved.sessionEpoch).to.equal(2);
    expect(names(moved.topics)).to.deep.equal(['a-0', 'c-2']);
    expect(names(moved.forgottenTopicsData ?? [])).to.deep.equal(['a-1']);
  });

  it('FETCH_SESSION_ID_NOT_FOUND starts a fresh full session; another session error closes the old one with a full request', () => {
    const h = new FetchSessionHandler();
    h.build([p('a', 0, 0n)]);
    h.handleResponse({ errorCode: 0, sessionId: 9 });
    h.build([p('a', 0, 0n)]);
    expect(h.handleResponse({ errorCode: 71, sessionId: 0 })).to.equal(false);
    expect(h.build([p('a', 0, 0n)])).to.deep.include({ sessionId: 9, sessionEpoch: 0, full: true });
    h.handleResponse({ errorCode: 0, sessionId: 10 });
    h.build([p('a', 0, 0n)]);
    h.handleResponse({ errorCode: 70, sessionId: 0 });
    const fresh = h.build([p('a', 0, 0n)]);
    expect(fresh).to.deep.include({ sessionId: 0, sessionEpoch: 0, full: true });
    expect(names(fresh.topics)).to.deep.equal(['a-0']);
  });

  it('a broker that opens no session (no slot, or Fetch < v7) keeps every request full; a failed request restarts the session', () => {
    const h = new FetchSessionHandler();
    h.build([p('a', 0, 0n)]);
    h.handleResponse({ errorCode: 0, sessionId: 0 });
    expect(h.build([p('a', 0, 0n)])).to.deep.include({ sessionId: 0, sessionEpoch: 0, full: true });
    h.handleResponse({ errorCode: 0, sessionId: 5 });
    h.build([p('a', 0, 0n)]);
    h.handleError();
    const again = h.build([p('a', 0, 0n)]);
    expect(again).to.deep.include({ sessionId: 5, sessionEpoch: 0, full: true });
    expect(names(again.topics)).to.deep.equal(['a-0']);
  });
});
