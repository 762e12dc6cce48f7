/**
 * TEST DOUBLE: the transaction APIs of fake-broker.ts (InitProducerId with a transactional id,
 * AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, TxnOffsetCommit), from a tiny shared state: one
 * producer id per transactional id, the epoch bumped by every InitProducerId (fencing the older
 * one; v3+ with an expected id/epoch bumps only that epoch, as KIP-360), the partitions and
 * groups of the open transaction, and what each EndTxn decided. Injected error codes let a test
 * drive the client's retry and fencing paths. Not a coordinator.
 */
import { ApiKey, ErrorCode, decodeRequest, encodeResponse, type RequestHeader } from '../../../protocol/index.js';
import type { FakeBroker } from './fake-broker.js';

export interface FakeTxn {
  producerId: bigint;
  epoch: number;
  /** The epoch before the last bump (-1: none), so a retried bump gets the same answer. */
  lastEpoch: number;
  partitions: string[];
  groups: string[];
}

export class FakeTxnState {
  readonly byId = new Map<string, FakeTxn>();
  readonly ended: Array<{ transactionalId: string; committed: boolean; partitions: string[]; groups: string[] }> = [];
  readonly offsetCommits: Array<{ groupId: string; generationId: number; memberId: string; offsets: string[] }> = [];
  /** Error codes answered, in turn, before the real answer (per API key). */
  readonly inject = new Map<number, number[]>();
  private nextProducerId = 5000n;

  /** InitProducerId; `expected` (v3+, KIP-360): the caller's current id/epoch, -1/-1 for none. Returns the txn or PRODUCER_FENCED. */
  init(transactionalId: string, expected = { producerId: -1n, producerEpoch: -1 }): FakeTxn | number {
    let t = this.byId.get(transactionalId);
    if (t === undefined) {
      this.byId.set(transactionalId, (t = { producerId: this.nextProducerId++, epoch: 0, lastEpoch: -1, partitions: [], groups: [] }));
    } else if (expected.producerId < 0n) {
      // A new incarnation: no earlier epoch may claim this bump as its own retry (Kafka's rule).
      t.epoch++;
      t.lastEpoch = -1;
    } else if (expected.producerId !== t.producerId) {
      return ErrorCode.PRODUCER_FENCED;
    } else if (expected.producerEpoch === t.epoch) {
      t.lastEpoch = t.epoch++;
    } else if (expected.producerEpoch !== t.lastEpoch) {
      return ErrorCode.PRODUCER_FENCED;
    }
    t.partitions = [];
    t.groups = [];
    return t;
  }

  /** The fencing check: this producer id must be at the current epoch. */
  check(transactionalId: string, producerId: bigint, epoch: number): number {
    const t = this.byId.get(transactionalId);
    if (t === undefined || t.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    return t.epoch === epoch ? 0 : ErrorCode.INVALID_PRODUCER_EPOCH;
  }

  /** Is this producer id at an older epoch than its transactional id's current one? */
  fenced(producerId: bigint, epoch: number): boolean {
    for (const t of this.byId.values()) if (t.producerId === producerId) return epoch < t.epoch;
    return false;
  }

  injected(apiKey: number): number | undefined {
    return this.inject.get(apiKey)?.shift();
  }
}

export function handleTxnApi(broker: FakeBroker, h: RequestHeader, frame: Buffer): Buffer | undefined {
  const v = h.apiVersion;
  const s = broker.state.txn;
  switch (h.apiKey) {
    case ApiKey.AddPartitionsToTxn: {
      const req = decodeRequest(ApiKey.AddPartitionsToTxn, v, frame, h.bodyOffset) as { transactionalId: string; producerId: bigint; producerEpoch: number; topics: Array<{ name: string; partitions: number[] }> };
      const code = s.injected(h.apiKey) ?? s.check(req.transactionalId, req.producerId, req.producerEpoch);
      if (code === 0) for (const t of req.topics) for (const p of t.partitions) s.byId.get(req.transactionalId)!.partitions.push(`${t.name}-${p}`);
      const results = req.topics.map((t) => ({ name: t.name, results: t.partitions.map((partitionIndex) => ({ partitionIndex, errorCode: code })) }));
      return encodeResponse(ApiKey.AddPartitionsToTxn, v, h.correlationId, { throttleTimeMs: 0, results } as never);
    }
    case ApiKey.AddOffsetsToTxn: {
      const req = decodeRequest(ApiKey.AddOffsetsToTxn, v, frame, h.bodyOffset) as { transactionalId: string; producerId: bigint; producerEpoch: number; groupId: string };
      const code = s.injected(h.apiKey) ?? s.check(req.transactionalId, req.producerId, req.producerEpoch);
      if (code === 0) s.byId.get(req.transactionalId)!.groups.push(req.groupId);
      return encodeResponse(ApiKey.AddOffsetsToTxn, v, h.correlationId, { throttleTimeMs: 0, errorCode: code } as never);
    }
    case ApiKey.TxnOffsetCommit: {
      const req = decodeRequest(ApiKey.TxnOffsetCommit, v, frame, h.bodyOffset) as {
        groupId: string;
        generationId?: number;
        memberId?: string;
        topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; committedOffset: bigint }> }>;
      };
      const code = s.injected(h.apiKey) ?? 0;
      if (code === 0) s.offsetCommits.push({ groupId: req.groupId, generationId: req.generationId ?? -1, memberId: req.memberId ?? '', offsets: req.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}@${p.committedOffset}`)) });
      const topics = req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) }));
      return encodeResponse(ApiKey.TxnOffsetCommit, v, h.correlationId, { throttleTimeMs: 0, topics } as never);
    }
    case ApiKey.EndTxn: {
      const req = decodeRequest(ApiKey.EndTxn, v, frame, h.bodyOffset) as { transactionalId: string; producerId: bigint; producerEpoch: number; committed: boolean };
      const code = s.injected(h.apiKey) ?? s.check(req.transactionalId, req.producerId, req.producerEpoch);
      if (code === 0) {
        const t = s.byId.get(req.transactionalId)!;
        s.ended.push({ transactionalId: req.transactionalId, committed: req.committed, partitions: t.partitions.splice(0), groups: t.groups.splice(0) });
      }
      return encodeResponse(ApiKey.EndTxn, v, h.correlationId, { throttleTimeMs: 0, errorCode: code } as never);
    }
    default:
      return undefined;
  }
}
