/**
 * `npm run bench -- fetch-sessions --replica`: the follower side of KIP-227. Two broker
 * processes, a 2,000-partition topic with replicas [1, 2] (all led by broker 1), idle. The bench
 * speaks the internal `ReplicaFetch` to broker 1's inter-broker listener as follower 2, with the
 * follower's own session code (broker/replica/replica-fetch-session.ts): sessionless fetches
 * name every partition, session fetches after the first full one name none. Sizes are the
 * msgpack frames as sent and as answered.
 */
import { silentLogger } from '../broker/index.js';
import { InterBrokerClient } from '../broker/network/index.js';
import { REPLICA_FETCH_API, ReplicaFetchSessionHandler, type ReplicaFetchPartition, type ReplicaFetchRequest, type ReplicaFetchResponse } from '../broker/replica/index.js';
import { ApiKey, encodeInternalFrame, ErrorCode } from '../protocol/index.js';
import { startCluster } from '../test/helpers/cluster.js';
import { KafkaSocket } from '../test/helpers/kafka-socket.js';
import { waitFor } from '../test/helpers/wait-for.js';
import type { BenchContext } from './suites.js';
import { arg } from './suites/produce.js';

const TOPIC = 'bench-replica-fetch-sessions';
const avg = (xs: readonly number[]): number => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
const frameBytes = (body: unknown, isResponse: boolean): number => encodeInternalFrame({ api: REPLICA_FETCH_API, version: 0, correlationId: 1, isResponse, body }).length;

export async function runReplica(ctx: BenchContext): Promise<Record<string, unknown>> {
  const partitions = Number(arg(ctx.args, '--partitions', '2000'));
  const fetches = Number(arg(ctx.args, '--fetches', '20'));
  const cluster = await startCluster({ size: 2, properties: { 'auto.leader.rebalance.enable': false } });
  const client = new InterBrokerClient({ logger: silentLogger() });
  try {
    const s = await KafkaSocket.connect(cluster.brokers[0]!.host, cluster.brokers[0]!.port);
    try {
      const created = await s.request(ApiKey.CreateTopics, 4, {
        topics: [{ name: TOPIC, numPartitions: -1, replicationFactor: -1, assignments: Array.from({ length: partitions }, (_, i) => ({ partitionIndex: i, brokerIds: [1, 2] })), configs: [] }],
        timeoutMs: 30_000,
        validateOnly: false,
      }, 40_000);
      const code = created.topics[0]!.errorCode;
      if (code !== ErrorCode.NONE && code !== ErrorCode.REQUEST_TIMED_OUT) throw new Error(`CreateTopics ${TOPIC} failed with error ${code}`);
    } finally {
      s.close();
    }
    const leader = { id: 1, host: '127.0.0.1', port: cluster.brokers[0]!.interBrokerPort };
    const wanted: ReplicaFetchPartition[] = Array.from({ length: partitions }, (_, partition) => ({
      topic: TOPIC, partition, currentLeaderEpoch: 0, fetchOffset: 0n, logStartOffset: 0n, partitionMaxBytes: 1 << 20, highWatermark: 0n,
    }));
    const base = { replicaId: 2, brokerEpoch: -1n, maxWaitMs: 0, minBytes: 1, maxBytes: 10 << 20 };
    const send = async (req: ReplicaFetchRequest) => {
      const res = (await client.send(leader, REPLICA_FETCH_API, req, { timeoutMs: 30_000 })) as ReplicaFetchResponse;
      return { res, requestBytes: frameBytes(req, false), responseBytes: frameBytes(res, true) };
    };
    await waitFor(async () => (await send({ ...base, partitions: wanted })).res.partitions.every((p) => p.errorCode === ErrorCode.NONE), `broker 1 to lead all ${partitions} partitions`, { timeoutMs: 180_000, intervalMs: 1_000 });

    const without = [];
    for (let i = 0; i < fetches; i++) without.push(await send({ ...base, partitions: wanted }));
    const session = new ReplicaFetchSessionHandler();
    const opening = session.build(wanted);
    const full = await send({ ...base, ...opening });
    session.handleResponse(full.res);
    if ((full.res.sessionId ?? 0) === 0) throw new Error('the leader opened no replica fetch session');
    const withSession = [];
    for (let i = 0; i < fetches; i++) {
      const m = await send({ ...base, ...session.build(wanted) });
      session.handleResponse(m.res);
      if ((m.res.errorCode ?? 0) !== ErrorCode.NONE) throw new Error(`incremental replica fetch failed with error ${m.res.errorCode}`);
      withSession.push(m);
    }
    const req0 = avg(without.map((m) => m.requestBytes));
    const res0 = avg(without.map((m) => m.responseBytes));
    const req1 = avg(withSession.map((m) => m.requestBytes));
    const res1 = avg(withSession.map((m) => m.responseBytes));
    ctx.log(`${partitions} partitions followed, ${fetches} idle replica fetches each way (msgpack ReplicaFetch)`);
    ctx.log(`without sessions: request ${req0.toLocaleString('en')} B, response ${res0.toLocaleString('en')} B per fetch`);
    ctx.log(`session opened by one full fetch: request ${full.requestBytes.toLocaleString('en')} B, response ${full.responseBytes.toLocaleString('en')} B`);
    ctx.log(`with a session: request ${req1.toLocaleString('en')} B, response ${res1.toLocaleString('en')} B per idle fetch`);
    return {
      mode: 'replica',
      partitions,
      fetches,
      withoutSessions: { requestBytes: req0, responseBytes: res0 },
      fullFetch: { requestBytes: full.requestBytes, responseBytes: full.responseBytes },
      withSessions: { requestBytes: req1, responseBytes: res1 },
      requestRatio: Math.round((req0 / req1) * 10) / 10,
      responseRatio: Math.round((res0 / res1) * 10) / 10,
    };
  } finally {
    await client.close();
    await cluster.stop();
  }
}
