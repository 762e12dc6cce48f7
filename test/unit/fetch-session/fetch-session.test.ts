import { expect } from 'chai';
import { FetchManager, FetchSessionCache, INVALID_SESSION_ID, nextEpoch, type CachedPartition, type FetchPartitionResponse, type PartitionAnswer } from '../../../broker/fetch-session/index.js';
import { ErrorCode } from '../../../protocol/index.js';

const clock = (): { now: () => number; advance: (ms: number) => void } => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
};

function partitions(n: number): () => Map<string, CachedPartition> {
  return () => {
    const m = new Map<string, CachedPartition>();
    for (let i = 0; i < n; i++) {
      m.set(`t-${i}`, { topic: 't', partition: i, fetchOffset: 0n, partitionMaxBytes: 1024, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1n, highWatermark: 0n, localLogStartOffset: 0n });
    }
    return m;
  };
}

const req = (sessionId: number, sessionEpoch: number, parts: Array<[string, number, bigint]>, forgotten: Array<[string, number[]]> = []) => ({
  sessionId,
  sessionEpoch,
  topics: [...new Set(parts.map((p) => p[0]))].map((topic) => ({
    topic,
    partitions: parts.filter((p) => p[0] === topic).map(([, partition, fetchOffset]) => ({ partition, fetchOffset, partitionMaxBytes: 1024, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1n })),
  })),
  forgottenTopicsData: forgotten.map(([topic, ps]) => ({ topic, partitions: ps })),
});

/** What the log says about each partition: hw and records size by "topic-partition". */
function answer(ctx: { partitions: readonly { topic: string; partition: number }[] }, state: Record<string, { hw: bigint; bytes?: number; error?: number }>): PartitionAnswer[] {
  return ctx.partitions.map((p) => {
    const s = state[`${p.topic}-${p.partition}`] ?? { hw: 0n };
    const data: FetchPartitionResponse = {
      partitionIndex: p.partition,
      errorCode: s.error ?? ErrorCode.NONE,
      highWatermark: s.hw,
      lastStableOffset: s.hw,
      logStartOffset: 0n,
      abortedTransactions: null,
      preferredReadReplica: -1,
      records: Buffer.alloc(s.bytes ?? 0),
    };
    return { topic: p.topic, data };
  });
}

const answered = (r: { responses: readonly { topic?: string; partitions?: readonly { partitionIndex: number }[] }[] }): string[] =>
  r.responses.flatMap((t) => (t.partitions ?? []).map((p) => `${t.topic}-${p.partitionIndex}`));

describe('fetch-session > FetchSessionCache (KIP-227)', () => {
  it('epochs run 1, 2 … Int.MAX and wrap to 1; the final epoch stays final', () => {
    expect(nextEpoch(0)).to.equal(1);
    expect(nextEpoch(41)).to.equal(42);
    expect(nextEpoch(0x7fffffff)).to.equal(1);
    expect(nextEpoch(-1)).to.equal(-1);
  });

  it('hands out sessions until the slots are full; with no slot free and nothing evictable it answers session id 0', () => {
    const c = clock();
    const cache = new FetchSessionCache({ maxSlots: 2, clock: c });
    const a = cache.maybeCreateSession(false, partitions(3));
    const b = cache.maybeCreateSession(false, partitions(2));
    expect(a).to.not.equal(INVALID_SESSION_ID);
    expect(b).to.not.equal(INVALID_SESSION_ID).and.not.equal(a);
    expect(cache.maybeCreateSession(false, partitions(100))).to.equal(INVALID_SESSION_ID);
    expect(cache.stats()).to.deep.equal({ sessions: 2, partitions: 5, evictions: 0 });
  });

  it('no slots at all: never a session', () => {
    const cache = new FetchSessionCache({ maxSlots: 0, clock: clock() });
    expect(cache.maybeCreateSession(true, partitions(1))).to.equal(INVALID_SESSION_ID);
  });

  it('a session unused for the eviction time gives way to any newcomer, the least recently used first', () => {
    const c = clock();
    const evicted: number[] = [];
    const cache = new FetchSessionCache({ maxSlots: 2, clock: c, evictionMs: 1000, onEviction: () => evicted.push(1) });
    const a = cache.maybeCreateSession(false, partitions(50));
    c.advance(10);
    const b = cache.maybeCreateSession(false, partitions(50));
    c.advance(500);
    cache.touch(cache.get(a)!);
    c.advance(600); // b unused for 1100 ms, a for 600 ms
    const d = cache.maybeCreateSession(false, partitions(1));
    expect(d).to.not.equal(INVALID_SESSION_ID);
    expect(cache.get(b)).to.equal(undefined);
    expect(cache.get(a)).to.not.equal(undefined);
    expect(evicted).to.have.length(1);
    expect(cache.stats()).to.deep.equal({ sessions: 2, partitions: 51, evictions: 1 });
  });

  it('among sessions older than the eviction time, the smallest gives way to a bigger newcomer, never to an equal or smaller one', () => {
    const c = clock();
    const cache = new FetchSessionCache({ maxSlots: 2, clock: c, evictionMs: 1000 });
    const small = cache.maybeCreateSession(false, partitions(5));
    const big = cache.maybeCreateSession(false, partitions(20));
    c.advance(900);
    cache.touch(cache.get(small)!);
    cache.touch(cache.get(big)!);
    // Young sessions (touched before they were 1000 ms old) are not evictable by consumers.
    expect(cache.maybeCreateSession(false, partitions(50))).to.equal(INVALID_SESSION_ID);
    c.advance(200);
    cache.touch(cache.get(small)!);
    cache.touch(cache.get(big)!);
    expect(cache.maybeCreateSession(false, partitions(4))).to.equal(INVALID_SESSION_ID);
    expect(cache.maybeCreateSession(false, partitions(5))).to.equal(INVALID_SESSION_ID);
    const n = cache.maybeCreateSession(false, partitions(6));
    expect(n).to.not.equal(INVALID_SESSION_ID);
    expect(cache.get(small)).to.equal(undefined);
    expect(cache.get(big)).to.not.equal(undefined);
  });

  it('a follower (privileged) newcomer evicts a young consumer session; a consumer never evicts a follower\'s young session', () => {
    const c = clock();
    const cache = new FetchSessionCache({ maxSlots: 1, clock: c, evictionMs: 1000 });
    const consumer = cache.maybeCreateSession(false, partitions(500));
    const follower = cache.maybeCreateSession(true, partitions(1));
    expect(follower).to.not.equal(INVALID_SESSION_ID);
    expect(cache.get(consumer)).to.equal(undefined);
    expect(cache.maybeCreateSession(false, partitions(10_000))).to.equal(INVALID_SESSION_ID);
    expect(cache.maybeCreateSession(true, partitions(10_000))).to.equal(INVALID_SESSION_ID);
    expect(cache.get(follower)).to.not.equal(undefined);
  });
});

describe('fetch-session > FetchManager contexts', () => {
  const manager = (slots = 10) => new FetchManager(new FetchSessionCache({ maxSlots: slots, clock: clock() }));

  it('epoch -1 is sessionless: all partitions answered, session id 0', () => {
    const m = manager();
    const ctx = m.newContext(req(0, -1, [['a', 0, 0n], ['a', 1, 0n]]), false);
    expect(ctx.kind).to.equal('sessionless');
    const r = ctx.respond(answer(ctx, {}));
    expect(r.sessionId).to.equal(0);
    expect(answered(r)).to.deep.equal(['a-0', 'a-1']);
  });

  it('full, then incremental: an idle session answers no partitions; data, a moved high watermark or an error bring a partition back', () => {
    const m = manager();
    const full = m.newContext(req(0, 0, [['a', 0, 0n], ['a', 1, 0n], ['b', 0, 0n]]), false);
    expect(full.kind).to.equal('full');
    const r0 = full.respond(answer(full, { 'a-0': { hw: 5n } }));
    expect(r0.sessionId).to.be.greaterThan(0);
    expect(answered(r0)).to.deep.equal(['a-0', 'a-1', 'b-0']);
    expect(r0.responses.map((t) => t.topic)).to.deep.equal(['a', 'b']);

    // Epoch 1, no partitions in the request: every session partition is read, none changed.
    const i1 = m.newContext(req(r0.sessionId, 1, []), false);
    expect(i1.kind).to.equal('incremental');
    expect(i1.partitions.map((p) => `${p.topic}-${p.partition}`)).to.deep.equal(['a-0', 'a-1', 'b-0']);
    expect(answered(i1.respond(answer(i1, { 'a-0': { hw: 5n } })))).to.deep.equal([]);

    // Records appear on b-0 and its high watermark moves.
    const i2 = m.newContext(req(r0.sessionId, 2, []), false);
    const r2 = i2.respond(answer(i2, { 'a-0': { hw: 5n }, 'b-0': { hw: 3n, bytes: 120 } }));
    expect(answered(r2)).to.deep.equal(['b-0']);
    // The client sends b-0's new position; the session keeps it and the others' offsets.
    const i3 = m.newContext(req(r0.sessionId, 3, [['b', 0, 3n]]), false);
    const b0 = i3.partitions.find((p) => p.topic === 'b' && p.partition === 0);
    expect(b0?.fetchOffset).to.equal(3n);
    // Partitions that returned data moved to the end of the fetch order.
    expect(i3.partitions.map((p) => `${p.topic}-${p.partition}`)).to.deep.equal(['a-0', 'a-1', 'b-0']);
    expect(answered(i3.respond(answer(i3, { 'a-0': { hw: 5n }, 'b-0': { hw: 3n }, 'a-1': { hw: 0n, error: ErrorCode.NOT_LEADER_OR_FOLLOWER } })))).to.deep.equal(['a-1']);
    // After an error the partition is answered once more when it clears (its cached HW was forgotten).
    const i4 = m.newContext(req(r0.sessionId, 4, []), false);
    expect(answered(i4.respond(answer(i4, { 'a-0': { hw: 5n }, 'b-0': { hw: 3n } })))).to.deep.equal(['a-1']);
    const i5 = m.newContext(req(r0.sessionId, 5, []), false);
    expect(answered(i5.respond(answer(i5, { 'a-0': { hw: 5n }, 'b-0': { hw: 3n } })))).to.deep.equal([]);
  });

  it('a throttled fetch (over consumer_byte_rate) answers no partitions: a full one opens no session, an incremental one keeps its session and epoch', () => {
    const m = manager();
    const full = m.newContext(req(0, 0, [['a', 0, 0n]]), false);
    expect(full.throttled()).to.deep.equal({ sessionId: INVALID_SESSION_ID, responses: [] });
    expect(m.cache.stats().sessions).to.equal(0);
    const opened = m.newContext(req(0, 0, [['a', 0, 0n]]), false).respond(answer(full, { 'a-0': { hw: 5n, bytes: 10 } }));
    const i1 = m.newContext(req(opened.sessionId, 1, []), false);
    expect(i1.throttled()).to.deep.equal({ sessionId: opened.sessionId, responses: [] });
    // The next fetch goes on with the next epoch, and the partition's change is still to answer.
    const i2 = m.newContext(req(opened.sessionId, 2, []), false);
    expect(i2.kind).to.equal('incremental');
    expect(answered(i2.respond(answer(i2, { 'a-0': { hw: 7n } })))).to.deep.equal(['a-0']);
  });

  it('added and forgotten partitions; a session left empty is closed', () => {
    const m = manager();
    const full = m.newContext(req(0, 0, [['a', 0, 0n]]), false);
    const id = full.respond(answer(full, {})).sessionId;
    const i1 = m.newContext(req(id, 1, [['c', 7, 2n]]), false);
    expect(i1.partitions.map((p) => `${p.topic}-${p.partition}`)).to.deep.equal(['a-0', 'c-7']);
    // A new partition is answered on its first read even when idle (its HW was never sent).
    expect(answered(i1.respond(answer(i1, {})))).to.deep.equal(['c-7']);
    const i2 = m.newContext(req(id, 2, [], [['a', [0]]]), false);
    expect(i2.partitions.map((p) => `${p.topic}-${p.partition}`)).to.deep.equal(['c-7']);
    i2.respond(answer(i2, {}));
    expect(m.cache.stats().partitions).to.equal(1);
    const i3 = m.newContext(req(id, 3, [], [['c', [7]]]), false);
    expect(i3.kind).to.equal('sessionless');
    expect(m.cache.get(id)).to.equal(undefined);
  });

  it('unknown session id: FETCH_SESSION_ID_NOT_FOUND; wrong epoch: INVALID_FETCH_SESSION_EPOCH and the session survives', () => {
    const m = manager();
    expect(m.newContext(req(12345, 1, []), false).errorCode).to.equal(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    const full = m.newContext(req(0, 0, [['a', 0, 0n]]), false);
    const id = full.respond(answer(full, {})).sessionId;
    const bad = m.newContext(req(id, 5, []), false);
    expect(bad.errorCode).to.equal(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    expect(bad.respond([]).sessionId).to.equal(0);
    expect(m.newContext(req(id, 1, []), false).kind).to.equal('incremental');
    // The same epoch again (a retried request) is now stale.
    expect(m.newContext(req(id, 1, []), false).errorCode).to.equal(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
  });

  it('a full fetch naming a session closes it and opens another; epoch -1 closes it for good', () => {
    const m = manager();
    const f1 = m.newContext(req(0, 0, [['a', 0, 0n]]), false);
    const id1 = f1.respond(answer(f1, {})).sessionId;
    const f2 = m.newContext(req(id1, 0, [['a', 0, 0n]]), false);
    const id2 = f2.respond(answer(f2, {})).sessionId;
    expect(m.cache.get(id1)).to.equal(undefined);
    expect(id2).to.be.greaterThan(0);
    expect(m.newContext(req(id2, -1, [['a', 0, 0n]]), false).kind).to.equal('sessionless');
    expect(m.cache.stats().sessions).to.equal(0);
  });

  it('with every slot taken by young sessions a full fetch is answered with session id 0, in full', () => {
    const m = manager(1);
    const f1 = m.newContext(req(0, 0, [['a', 0, 0n], ['a', 1, 0n]]), false);
    expect(f1.respond(answer(f1, {})).sessionId).to.be.greaterThan(0);
    const f2 = m.newContext(req(0, 0, [['a', 0, 0n]]), false);
    const r = f2.respond(answer(f2, {}));
    expect(r.sessionId).to.equal(0);
    expect(answered(r)).to.deep.equal(['a-0']);
  });
});
