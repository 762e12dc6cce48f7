/**
 * The group API handlers driven through the real wire codecs: a request body is encoded with
 * `encodeRequest` at a given version, its header and body decoded as the broker's router would,
 * handed to the handler, and the handler's answer encoded and decoded again as the client would.
 * Behind the handlers: a real GroupCoordinator on fake timers with an InMemoryOffsetsStore, and a
 * MetadataCache filled by an UpdateMetadata.
 */
import {
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type Decoded,
  type RequestBody,
  type RequestBodyMap,
  type ResponseBody,
} from '../../../protocol/index.js';
import { groupApiHandlers } from '../../../broker/handlers/group-apis.js';
import { MetadataCache, type UpdateMetadataPartitionState } from '../../../broker/metadata/index.js';
import { ANONYMOUS_PRINCIPAL, type KafkaHandler, type RequestContext } from '../../../broker/request-context.js';
import { OFFSETS_TOPIC_NAME } from '../../../broker/group/index.js';
import { startHarness, type Harness } from '../group/harness.js';

export const BROKER_ID = 1;
export const OTHER_BROKER_ID = 2;
export const DATA_TOPIC = 't';

export interface WireHarness extends Harness {
  metadata: MetadataCache;
  handlers: Map<number, KafkaHandler>;
  ensureCalls: number;
  /** What ensureOffsetsTopic does (default: nothing). */
  ensureImpl: () => Promise<void>;
  call<K extends keyof RequestBodyMap & number>(apiKey: K, version: number, body: RequestBody<K>, opts?: CallOptions): Promise<Decoded<ResponseBody<K>>>;
  /** Runs `calls` while ticking the fake clock until all of them answered (bounded). */
  settle<T>(calls: Promise<T>[], stepMs?: number, maxSteps?: number): Promise<T[]>;
}

export interface CallOptions {
  clientId?: string | null;
  listener?: string;
}

function partitionState(topic: string, partition: number, leader: number): UpdateMetadataPartitionState {
  return { topic, partition, controllerEpoch: 1, leader, leaderEpoch: 0, isr: [leader], zkVersion: 0, replicas: [leader], offlineReplicas: [] };
}

const endpoints = (id: number): { listener: string; host: string; port: number; securityProtocol: string }[] => [
  { listener: 'PLAINTEXT', host: `broker${id}.example`, port: 9090 + id, securityProtocol: 'PLAINTEXT' },
  { listener: 'INTERNAL', host: `10.0.0.${id}`, port: 19090 + id, securityProtocol: 'PLAINTEXT' },
];

/** Apply an UpdateMetadata: brokers 1 and 2 alive, `offsetsLeaders[p]` leads offsets partition p. */
export function fillMetadata(cache: MetadataCache, offsetsLeaders: number[] | null, aliveIds = [BROKER_ID, OTHER_BROKER_ID]): void {
  const states: UpdateMetadataPartitionState[] = [0, 1, 2].map((p) => partitionState(DATA_TOPIC, p, BROKER_ID));
  if (offsetsLeaders !== null) offsetsLeaders.forEach((leader, p) => states.push(partitionState(OFFSETS_TOPIC_NAME, p, leader)));
  cache.apply({
    controllerId: BROKER_ID,
    controllerEpoch: 1,
    brokerEpoch: -1n,
    liveBrokers: aliveIds.map((id) => ({ id, rack: null, endpoints: endpoints(id) })),
    partitionStates: states,
  });
}

let correlation = 0;

export async function startWireHarness(options: { offsetsLeaders?: number[] | null } = {}): Promise<WireHarness> {
  const base = await startHarness();
  const metadata = new MetadataCache();
  const partitions = base.coordinator.config.offsetsTopicNumPartitions;
  fillMetadata(metadata, options.offsetsLeaders === undefined ? Array.from({ length: partitions }, () => BROKER_ID) : options.offsetsLeaders);
  const h = { ...base, metadata, handlers: new Map<number, KafkaHandler>(), ensureCalls: 0, ensureImpl: async () => {} } as WireHarness;
  for (const handler of groupApiHandlers({
    brokerId: BROKER_ID,
    coordinator: base.coordinator,
    metadata,
    ensureOffsetsTopic: () => {
      h.ensureCalls++;
      return h.ensureImpl();
    },
  })) {
    h.handlers.set(handler.apiKey, handler);
  }

  h.call = async (apiKey, version, body, opts = {}) => {
    const handler = h.handlers.get(apiKey);
    if (handler === undefined) throw new Error(`no handler for api key ${apiKey}`);
    const correlationId = ++correlation;
    const frame = encodeRequest(apiKey, version, correlationId, opts.clientId === undefined ? 'test-client' : opts.clientId, body);
    const withoutSize = frame.subarray(4);
    const header = decodeRequestHeader(withoutSize);
    const decoded = decodeRequest(apiKey, header.apiVersion, withoutSize, header.bodyOffset);
    const ctx: RequestContext = {
      connectionId: `PLAINTEXT-test-${correlationId}`,
      listenerName: opts.listener ?? 'PLAINTEXT',
      securityProtocol: 'PLAINTEXT',
      clientAddress: '127.0.0.1',
      clientPort: 50000,
      principal: ANONYMOUS_PRINCIPAL,
      signal: new AbortController().signal,
      apiKey: header.apiKey,
      apiVersion: header.apiVersion,
      correlationId: header.correlationId,
      clientId: header.clientId,
      receivedAtMs: h.clock.now(),
    };
    const answer = await handler.handle(ctx, decoded);
    const response = encodeResponse(apiKey, version, correlationId, answer as ResponseBody<typeof apiKey>);
    const back = decodeResponse(apiKey, version, response.subarray(4));
    if (back.correlationId !== correlationId) throw new Error('correlation id mismatch');
    return back.body as Decoded<ResponseBody<typeof apiKey>>;
  };

  h.settle = async <T>(calls: Promise<T>[], stepMs = 1000, maxSteps = 100): Promise<T[]> => {
    let done = false;
    const all = Promise.all(calls);
    void all.then(
      () => (done = true),
      () => (done = true),
    );
    for (let i = 0; i < maxSteps && !done; i++) await h.clock.tickAsync(stepMs);
    if (!done) throw new Error(`requests still unanswered after ${maxSteps} × ${stepMs} ms of fake time`);
    return all;
  };
  return h;
}
