/**
 * TEST DOUBLE, not a broker: a tiny in-memory Kafka stand-in built from protocol/'s codecs on a
 * real loopback socket, answering just ApiVersions, Metadata, Produce and InitProducerId, so the
 * client's connection and producer can be tested before the real broker exists. Several
 * FakeBrokers share one FakeClusterState (topics, leaders, logs, producer sequences). Fault hooks
 * let a test inject errors, silence, or an old ApiVersions.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { FakeGroupCoordinator } from './fake-group-coordinator.js';
import { handleGroupApi } from './fake-group-apis.js';
import { FakeTxnState, handleTxnApi } from './fake-txn-apis.js';
import {
  ApiKey,
  ErrorCode,
  FrameDecoder,
  describedVersions,
  decodeRequest,
  decodeRequestHeader,
  encodeApiVersionsV0Error,
  encodeResponse,
  iterateBatches,
  decodeRecordBatch,
  setBaseOffset,
  verifyBatchCrc,
  type DecodedRecord,
} from '../../../protocol/index.js';

export interface StoredBatch {
  raw: Buffer;
  baseOffset: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  records: DecodedRecord[];
  attributes: number;
}

export interface RequestLogEntry {
  nodeId: number;
  apiKey: number;
  apiVersion: number;
  clientId: string | null;
}

export class FakeClusterState {
  readonly topics = new Map<string, { leaders: number[] }>();
  readonly logs = new Map<string, StoredBatch[]>();
  readonly requests: RequestLogEntry[] = [];
  readonly groups = new FakeGroupCoordinator();
  readonly txn = new FakeTxnState();
  autoCreatePartitions = 0;
  /** Which node FindCoordinator names (and accepts JoinGroup). */
  coordinatorId = 1;
  /** Member ids that sent LeaveGroup. */
  readonly leaves: string[] = [];
  /** Which node Metadata names as controller (and accepts topic admin requests). */
  controllerId = 1;
  private nextProducerId = 1000n;
  /** Per producer id and partition: its epoch there and last sequence written (as a broker's producer state). */
  private readonly sequences = new Map<string, { epoch: number; last: number }>();
  /** Return an error code to fail this produce partition (before it is written), or undefined. */
  produceHook: ((topic: string, partition: number, nodeId: number) => number | undefined) | undefined;
  /**
   * Overrides a Fetch partition's answer: an error code, or a preferred read replica (KIP-392,
   * answered with no records); undefined answers from the log as usual.
   */
  fetchHook: ((topic: string, partition: number, nodeId: number, rackId: string) => { errorCode?: number; preferredReadReplica?: number } | undefined) | undefined;
  /** Like produceHook but after the append: the batch IS written, the answer says otherwise. */
  afterAppendHook: ((topic: string, partition: number) => number | undefined) | undefined;
  /** Holds a Produce answer until the promise settles (the batch is written at once): a request in flight. */
  produceAnswerGate: ((topic: string, partition: number, nodeId: number) => Promise<void> | undefined) | undefined;

  addTopic(name: string, leaders: number[]): void {
    this.topics.set(name, { leaders: [...leaders] });
  }

  log(topic: string, partition: number): StoredBatch[] {
    const key = `${topic}/${partition}`;
    let l = this.logs.get(key);
    if (l === undefined) this.logs.set(key, (l = []));
    return l;
  }

  /** Values of the records written to a partition, in offset order. */
  values(topic: string, partition: number): string[] {
    return this.log(topic, partition).flatMap((b) => b.records.map((r) => r.value?.toString() ?? 'null'));
  }

  allocateProducerId(): bigint {
    return this.nextProducerId++;
  }

  append(topic: string, partition: number, batch: Buffer): { errorCode: number; baseOffset: bigint } {
    if (!verifyBatchCrc(batch, 0)) return { errorCode: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1n };
    const slices = [...iterateBatches(batch)];
    if (slices.length !== 1) return { errorCode: ErrorCode.INVALID_RECORD, baseOffset: -1n };
    const h = slices[0]!.header;
    const log = this.log(topic, partition);
    if (h.producerId >= 0n) {
      if (this.txn.fenced(h.producerId, h.producerEpoch)) return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, baseOffset: -1n };
      // Kafka's rules: an older epoch is refused, a newer one must start at sequence 0.
      const key = `${h.producerId}/${topic}/${partition}`;
      const known = this.sequences.get(key);
      if (known !== undefined && h.producerEpoch < known.epoch) return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, baseOffset: -1n };
      const expected = known === undefined || h.producerEpoch > known.epoch ? 0 : known.last + 1;
      if (h.baseSequence < expected) return { errorCode: ErrorCode.DUPLICATE_SEQUENCE_NUMBER, baseOffset: -1n };
      if (h.baseSequence > expected) return { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1n };
      this.sequences.set(key, { epoch: h.producerEpoch, last: h.baseSequence + h.lastOffsetDelta });
    }
    const last = log[log.length - 1];
    const baseOffset = last === undefined ? 0n : last.baseOffset + BigInt(last.records.length);
    const copy = Buffer.from(batch);
    setBaseOffset(copy, 0, baseOffset);
    const decoded = decodeRecordBatch(copy);
    log.push({ raw: copy, baseOffset, producerId: h.producerId, producerEpoch: h.producerEpoch, baseSequence: h.baseSequence, records: decoded.records, attributes: h.attributes });
    return { errorCode: 0, baseOffset };
  }
}

export interface FakeBrokerOptions {
  nodeId: number;
  state: FakeClusterState;
  /** Answer ApiVersions above this version with the KIP-511 v0 error. */
  maxApiVersionsVersion?: number;
  /** Advertised overrides: apiKey → [min, max]. */
  advertise?: Map<number, [number, number]>;
  /** APIs not to advertise at all. */
  omit?: number[];
}

export class FakeBroker {
  readonly nodeId: number;
  port = 0;
  /** Stop answering (requests are read but never answered). */
  silent = false;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  peers: FakeBroker[] = [];

  constructor(private readonly opts: FakeBrokerOptions) {
    this.nodeId = opts.nodeId;
  }

  get state(): FakeClusterState {
    return this.opts.state;
  }

  async start(): Promise<void> {
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve) => this.server!.listen({ host: '127.0.0.1', port: this.port }, resolve));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Drop every client connection (the server keeps listening). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const decoder = new FrameDecoder({ maxFrameBytes: 64 * 1024 * 1024 });
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const out = this.handle(frame);
        // Group requests answer later (the join/sync barrier); the client matches by correlation id.
        void Promise.resolve(out).then((buf) => {
          if (buf !== undefined && !this.silent && !socket.destroyed) socket.write(buf);
        });
      }
    });
  }

  /** Test-double internals, used by fake-group-apis.ts. */
  handle(frame: Buffer): Buffer | undefined | Promise<Buffer | undefined> {
    const h = decodeRequestHeader(frame);
    this.state.requests.push({ nodeId: this.nodeId, apiKey: h.apiKey, apiVersion: h.apiVersion, clientId: h.clientId });
    const v = h.apiVersion;
    switch (h.apiKey) {
      case ApiKey.ApiVersions: {
        const maxOwn = this.opts.maxApiVersionsVersion ?? 3;
        if (v > 3) return encodeApiVersionsV0Error(h.correlationId);
        if (v > maxOwn) {
          // KIP-511: v0 format, UNSUPPORTED_VERSION, our own ApiVersions range.
          return encodeResponse(ApiKey.ApiVersions, 0, h.correlationId, {
            errorCode: ErrorCode.UNSUPPORTED_VERSION,
            apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: maxOwn }],
          } as never);
        }
        const keys = [
          ApiKey.ApiVersions,
          ApiKey.Metadata,
          ApiKey.Produce,
          ApiKey.InitProducerId,
          ApiKey.Fetch,
          ApiKey.ListOffsets,
          ApiKey.CreateTopics,
          ApiKey.DeleteTopics,
          ApiKey.CreatePartitions,
          ApiKey.FindCoordinator,
          ApiKey.JoinGroup,
          ApiKey.SyncGroup,
          ApiKey.Heartbeat,
          ApiKey.LeaveGroup,
          ApiKey.OffsetCommit,
          ApiKey.OffsetFetch,
          ApiKey.ListGroups,
          ApiKey.DescribeGroups,
          ApiKey.DeleteGroups,
          ApiKey.AddPartitionsToTxn,
          ApiKey.AddOffsetsToTxn,
          ApiKey.EndTxn,
          ApiKey.TxnOffsetCommit,
        ].map((k) => {
          const o = this.opts.advertise?.get(k);
          const span = describedVersions(k)!;
          return { apiKey: k, minVersion: o?.[0] ?? span.min, maxVersion: o?.[1] ?? span.max };
        });
        const maxApiVersions = this.opts.maxApiVersionsVersion ?? 3;
        for (const k of keys) if (k.apiKey === ApiKey.ApiVersions) k.maxVersion = Math.min(k.maxVersion, maxApiVersions);
        const omit = new Set(this.opts.omit ?? []);
        return encodeResponse(ApiKey.ApiVersions, v, h.correlationId, { errorCode: 0, apiKeys: keys.filter((k) => !omit.has(k.apiKey)), throttleTimeMs: 0 } as never);
      }
      case ApiKey.Metadata: {
        const req = decodeRequest(ApiKey.Metadata, v, frame, h.bodyOffset) as { topics: Array<{ name: string }> | null; allowAutoTopicCreation?: boolean };
        const names = req.topics === null ? [...this.state.topics.keys()] : req.topics.map((t) => t.name);
        const all = [this, ...this.peers];
        const topics = names.map((name) => {
          let t = this.state.topics.get(name);
          if (t === undefined && req.allowAutoTopicCreation !== false && this.state.autoCreatePartitions > 0) {
            this.state.addTopic(name, Array.from({ length: this.state.autoCreatePartitions }, (_, i) => all[i % all.length]!.nodeId));
            t = this.state.topics.get(name);
          }
          if (t === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal: false, partitions: [] };
          return {
            errorCode: 0,
            name,
            isInternal: false,
            partitions: t.leaders.map((leader, i) => ({
              errorCode: 0,
              partitionIndex: i,
              leaderId: leader,
              leaderEpoch: 0,
              replicaNodes: [leader],
              isrNodes: [leader],
              offlineReplicas: [],
            })),
          };
        });
        return encodeResponse(ApiKey.Metadata, v, h.correlationId, {
          throttleTimeMs: 0,
          brokers: all.map((b) => ({ nodeId: b.nodeId, host: '127.0.0.1', port: b.port, rack: null })),
          clusterId: 'fake-cluster',
          controllerId: this.state.controllerId,
          topics,
        } as never);
      }
      case ApiKey.InitProducerId: {
        const req = decodeRequest(ApiKey.InitProducerId, v, frame, h.bodyOffset) as { transactionalId: string | null; producerId?: bigint; producerEpoch?: number };
        const expected = { producerId: req.producerId ?? -1n, producerEpoch: req.producerEpoch ?? -1 };
        const txn = req.transactionalId === null ? undefined : this.state.txn.init(req.transactionalId, expected);
        if (typeof txn === 'number') {
          // PRODUCER_FENCED exists from v4; older versions hear INVALID_PRODUCER_EPOCH (as Kafka answers them).
          const errorCode = v >= 4 ? txn : ErrorCode.INVALID_PRODUCER_EPOCH;
          return encodeResponse(ApiKey.InitProducerId, v, h.correlationId, { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 } as never);
        }
        return encodeResponse(ApiKey.InitProducerId, v, h.correlationId, {
          throttleTimeMs: 0,
          errorCode: 0,
          producerId: txn?.producerId ?? this.state.allocateProducerId(),
          producerEpoch: txn?.epoch ?? 0,
        } as never);
      }
      case ApiKey.Produce: {
        const req = decodeRequest(ApiKey.Produce, v, frame, h.bodyOffset) as {
          acks: number;
          topicData: Array<{ name: string; partitionData: Array<{ index: number; records: Buffer | null }> }>;
        };
        const responses = req.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => {
            const fail = (errorCode: number) => ({ index: p.index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n });
            const topic = this.state.topics.get(t.name);
            if (topic === undefined || topic.leaders[p.index] === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            if (topic.leaders[p.index] !== this.nodeId) return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER);
            const injected = this.state.produceHook?.(t.name, p.index, this.nodeId);
            if (injected !== undefined) return fail(injected);
            const r = this.state.append(t.name, p.index, p.records!);
            const lie = r.errorCode === 0 ? this.state.afterAppendHook?.(t.name, p.index) : undefined;
            if (lie !== undefined) return fail(lie);
            return r.errorCode !== 0 ? fail(r.errorCode) : { index: p.index, errorCode: 0, baseOffset: r.baseOffset, logAppendTimeMs: -1n, logStartOffset: 0n };
          }),
        }));
        if (req.acks === 0) return undefined;
        const gates = req.topicData.flatMap((t) => t.partitionData.map((p) => this.state.produceAnswerGate?.(t.name, p.index, this.nodeId)));
        const answer = () => encodeResponse(ApiKey.Produce, v, h.correlationId, { responses, throttleTimeMs: 0 } as never);
        if (gates.some((g) => g !== undefined)) return Promise.all(gates).then(answer);
        return answer();
      }
      case ApiKey.ListOffsets: {
        const req = decodeRequest(ApiKey.ListOffsets, v, frame, h.bodyOffset) as {
          topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; timestamp: bigint }> }>;
        };
        const topics = req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => {
            const log = this.state.log(t.name, p.partitionIndex);
            const end = log.length === 0 ? 0n : log[log.length - 1]!.baseOffset + BigInt(log[log.length - 1]!.records.length);
            const offset = p.timestamp === -2n ? 0n : end;
            return { partitionIndex: p.partitionIndex, errorCode: 0, oldStyleOffsets: [offset], timestamp: -1n, offset, leaderEpoch: 0 };
          }),
        }));
        return encodeResponse(ApiKey.ListOffsets, v, h.correlationId, { throttleTimeMs: 0, topics } as never);
      }
      case ApiKey.Fetch: {
        const req = decodeRequest(ApiKey.Fetch, v, frame, h.bodyOffset) as {
          topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: bigint }> }>;
          rackId?: string;
        };
        const responses = req.topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => {
            const log = this.state.log(t.topic, p.partition);
            const end = log.length === 0 ? 0n : log[log.length - 1]!.baseOffset + BigInt(log[log.length - 1]!.records.length);
            const base = { partitionIndex: p.partition, highWatermark: end, lastStableOffset: end, logStartOffset: 0n, abortedTransactions: [], preferredReadReplica: -1 };
            const hooked = this.state.fetchHook?.(t.topic, p.partition, this.nodeId, req.rackId ?? '');
            if (hooked !== undefined) return { ...base, errorCode: hooked.errorCode ?? 0, preferredReadReplica: hooked.preferredReadReplica ?? -1, records: null };
            if (p.fetchOffset > end || p.fetchOffset < 0n) return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: null };
            // Whole batches, starting with the one that contains fetchOffset.
            const batches = log.filter((b) => b.baseOffset + BigInt(b.records.length) > p.fetchOffset);
            return { ...base, errorCode: 0, records: Buffer.concat(batches.map((b) => b.raw)) };
          }),
        }));
        return encodeResponse(ApiKey.Fetch, v, h.correlationId, { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses } as never);
      }
      case ApiKey.CreateTopics: {
        const req = decodeRequest(ApiKey.CreateTopics, v, frame, h.bodyOffset) as { topics: Array<{ name: string; numPartitions: number }> };
        const all = [this, ...this.peers];
        const topics = req.topics.map((t) => {
          if (this.nodeId !== this.state.controllerId) return { name: t.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null };
          if (this.state.topics.has(t.name)) return { name: t.name, errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: 'exists' };
          const n = t.numPartitions < 0 ? 1 : t.numPartitions;
          this.state.addTopic(t.name, Array.from({ length: n }, (_, i) => all[i % all.length]!.nodeId));
          return { name: t.name, errorCode: 0, errorMessage: null };
        });
        return encodeResponse(ApiKey.CreateTopics, v, h.correlationId, { throttleTimeMs: 0, topics } as never);
      }
      case ApiKey.DeleteTopics: {
        const req = decodeRequest(ApiKey.DeleteTopics, v, frame, h.bodyOffset) as { topicNames: string[] };
        const responses = req.topicNames.map((name) => {
          if (!this.state.topics.delete(name)) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          return { name, errorCode: 0 };
        });
        return encodeResponse(ApiKey.DeleteTopics, v, h.correlationId, { throttleTimeMs: 0, responses } as never);
      }
      case ApiKey.CreatePartitions: {
        const req = decodeRequest(ApiKey.CreatePartitions, v, frame, h.bodyOffset) as { topics: Array<{ name: string; count: number }> };
        const results = req.topics.map((t) => {
          const topic = this.state.topics.get(t.name);
          if (topic === undefined) return { name: t.name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
          if (t.count <= topic.leaders.length) return { name: t.name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'too few' };
          while (topic.leaders.length < t.count) topic.leaders.push(this.nodeId);
          return { name: t.name, errorCode: 0, errorMessage: null };
        });
        return encodeResponse(ApiKey.CreatePartitions, v, h.correlationId, { throttleTimeMs: 0, results } as never);
      }
      default:
        return handleTxnApi(this, h, frame) ?? handleGroupApi(this, h, frame);
    }
  }
}

/** Start `n` fake brokers (node ids 1..n) sharing one state. */
export async function startFakeCluster(n: number, options: Partial<FakeBrokerOptions> = {}): Promise<{ state: FakeClusterState; brokers: FakeBroker[]; bootstrap: string[]; stop: () => Promise<void> }> {
  const state = options.state ?? new FakeClusterState();
  const brokers = Array.from({ length: n }, (_, i) => new FakeBroker({ ...options, nodeId: i + 1, state }));
  for (const b of brokers) await b.start();
  for (const b of brokers) b.peers = brokers.filter((x) => x !== b);
  return {
    state,
    brokers,
    bootstrap: brokers.map((b) => b.address),
    stop: async () => {
      state.groups.close();
      for (const b of brokers) await b.stop();
    },
  };
}
