import { expect } from 'chai';
import { ErrorCode } from '../../../protocol/index.js';
import { FetchManager, FetchSessionCache } from '../../../broker/fetch-session/index.js';
import { ReplicaFetchSessionHandler, toSessionRequest, type ReplicaFetchPartition, type ReplicaFetchRequest } from '../../../broker/replica/index.js';
import type { PartitionAnswer } from '../../../broker/fetch-session/index.js';

const clock = { now: () => 1_000 };

function wanted(n: number, offsetOf: (i: number) => bigint = () => 10n, hwOf: (i: number) => bigint = offsetOf): ReplicaFetchPartition[] {
  return Array.from({ length: n }, (_, i) => ({ topic: `t${i % 3}`, partition: i, currentLeaderEpoch: 1, fetchOffset: offsetOf(i), logStartOffset: 0n, partitionMaxBytes: 1024, highWatermark: hwOf(i) }));
}

function request(fields: ReturnType<ReplicaFetchSessionHandler['build']>): ReplicaFetchRequest {
  return { replicaId: 2, brokerEpoch: 5n, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, sessionId: fields.sessionId, sessionEpoch: fields.sessionEpoch, partitions: fields.partitions, forgotten: fields.forgotten };
}

/** The leader's answer: nothing new anywhere except where `hw` says otherwise. */
function answer(partitions: readonly { topic: string; partition: number }[], hw: (p: number) => bigint = () => 10n): PartitionAnswer[] {
  return partitions.map((p) => ({ topic: p.topic, data: { partitionIndex: p.partition, errorCode: 0, highWatermark: hw(p.partition), lastStableOffset: -1n, logStartOffset: 0n, abortedTransactions: null, preferredReadReplica: -1, records: Buffer.alloc(0) } }));
}

describe('replica > follower fetch sessions (KIP-227 on ReplicaFetch)', () => {
  it('after one full request an idle follower names no partition, and the leader still reads all of them at the kept offsets', () => {
    const leader = new FetchManager(new FetchSessionCache({ maxSlots: 10, clock }));
    const follower = new ReplicaFetchSessionHandler();
    const first = follower.build(wanted(2000));
    expect([first.sessionEpoch, first.partitions.length]).to.deep.equal([0, 2000]);
    const ctx1 = leader.newContext(toSessionRequest(request(first)), true);
    const r1 = ctx1.respond(answer(ctx1.partitions));
    expect(r1.sessionId).to.be.greaterThan(0);
    follower.handleResponse({ errorCode: 0, sessionId: r1.sessionId });

    const idle = follower.build(wanted(2000));
    expect([idle.sessionId, idle.sessionEpoch, idle.partitions.length, idle.forgotten.length]).to.deep.equal([r1.sessionId, 1, 0, 0]);
    const ctx2 = leader.newContext(toSessionRequest(request(idle)), true);
    expect(ctx2.kind).to.equal('incremental');
    expect(ctx2.partitions).to.have.length(2000);
    expect(ctx2.partitions.every((p) => p.fetchOffset === 10n)).to.equal(true);
    // Nothing changed: the answer is empty.
    const r2 = ctx2.respond(answer(ctx2.partitions));
    expect(r2.responses).to.deep.equal([]);
    follower.handleResponse({ errorCode: 0, sessionId: r2.sessionId });

    // One partition moved on, one has a HW behind its end, one is no longer fetched.
    const next = wanted(1999, (i) => (i === 7 ? 12n : 10n), (i) => (i === 8 ? 9n : i === 7 ? 12n : 10n));
    const busy = follower.build(next);
    expect(busy.sessionEpoch).to.equal(2);
    expect(busy.partitions.map((p) => p.partition)).to.deep.equal([7, 8]);
    expect(busy.forgotten).to.deep.equal([{ topic: 't1', partition: 1999 }]);
    const ctx3 = leader.newContext(toSessionRequest(request(busy)), true);
    expect(ctx3.partitions).to.have.length(1999);
    expect(ctx3.partitions.find((p) => p.partition === 7)!.fetchOffset).to.equal(12n);
    // Only the partition whose HW moved is answered.
    const r3 = ctx3.respond(answer(ctx3.partitions, (p) => (p === 7 ? 12n : 10n)));
    expect(r3.responses.flatMap((t) => t.partitions.map((p) => p.partitionIndex))).to.deep.equal([7]);
  });

  it('a session the leader no longer knows (restart, eviction) starts over with a full request', () => {
    const follower = new ReplicaFetchSessionHandler();
    follower.build(wanted(3));
    follower.handleResponse({ errorCode: 0, sessionId: 42 });
    const restarted = new FetchManager(new FetchSessionCache({ maxSlots: 10, clock }));
    const ctx = restarted.newContext(toSessionRequest(request(follower.build(wanted(3)))), true);
    expect(ctx.errorCode).to.equal(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    follower.handleResponse({ errorCode: ctx.errorCode, sessionId: 0 });
    const full = follower.build(wanted(3));
    expect([full.sessionId, full.sessionEpoch, full.partitions.length]).to.deep.equal([0, 0, 3]);
  });

  it('a failed request closes the session with the next full request; a leader without slots keeps every request full', () => {
    const leader = new FetchManager(new FetchSessionCache({ maxSlots: 10, clock }));
    const follower = new ReplicaFetchSessionHandler();
    const ctx1 = leader.newContext(toSessionRequest(request(follower.build(wanted(3)))), true);
    const id = ctx1.respond(answer(ctx1.partitions)).sessionId;
    follower.handleResponse({ errorCode: 0, sessionId: id });
    follower.build(wanted(3));
    follower.handleError();
    const again = follower.build(wanted(3));
    expect([again.sessionId, again.sessionEpoch, again.partitions.length]).to.deep.equal([id, 0, 3]);
    const ctx2 = leader.newContext(toSessionRequest(request(again)), true);
    const id2 = ctx2.respond(answer(ctx2.partitions)).sessionId;
    expect(id2).to.not.equal(id);
    expect(leader.cache.get(id)).to.equal(undefined);

    const noSlots = new FetchManager(new FetchSessionCache({ maxSlots: 0, clock }));
    const solo = new ReplicaFetchSessionHandler();
    for (let round = 0; round < 3; round++) {
      const b = solo.build(wanted(3));
      expect([b.sessionEpoch, b.partitions.length]).to.deep.equal([0, 3]);
      const ctx = noSlots.newContext(toSessionRequest(request(b)), true);
      solo.handleResponse({ errorCode: 0, sessionId: ctx.respond(answer(ctx.partitions)).sessionId });
    }
  });
});
