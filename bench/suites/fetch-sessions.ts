/**
 * KIP-227 on the wire: one broker process with a 2,000-partition topic and an idle consumer
 * that fetches all of it. Sessionless fetches (epoch -1) name every partition in the request and
 * get every partition back; with a session, after one full fetch each idle fetch names none
 * and gets none. Request and response frames are measured as encoded on the wire (the response
 * re-encoded from what was decoded: same bytes). Target: idle fetch requests ≥ 10× smaller.
 * Options: --partitions (2000), --fetches (20), --zk; --replica measures the follower's
 * ReplicaFetch instead (fetch-sessions-replica.ts).
 */
import { ApiKey, encodeRequest, encodeResponse, ErrorCode, type RequestBody, type ResponseBody } from '../../protocol/index.js';
import { KafkaSocket } from '../../test/helpers/kafka-socket.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import type { BenchContext } from '../suites.js';
import { runReplica } from '../fetch-sessions-replica.js';
import { arg, startBenchBroker } from './produce.js';

export const describe = 'idle consumer on 2,000 partitions: Fetch v12 request/response bytes without and with fetch sessions (target ≥ 10× smaller)';

const VERSION = 12;
const TOPIC = 'bench-fetch-sessions';

type FetchBody = RequestBody<typeof ApiKey.Fetch>;

function fetchBody(partitions: number, sessionId: number, sessionEpoch: number, all: boolean): FetchBody {
  return {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 50 << 20, isolationLevel: 0, sessionId, sessionEpoch,
    topics: all ? [{ topic: TOPIC, partitions: Array.from({ length: partitions }, (_, partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 })) }] : [],
    forgottenTopicsData: [],
    rackId: '',
  };
}

interface Measured {
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly response: ResponseBody<typeof ApiKey.Fetch>;
}

async function measuredFetch(s: KafkaSocket, body: FetchBody): Promise<Measured> {
  const response = await s.request(ApiKey.Fetch, VERSION, body, 30_000);
  return {
    requestBytes: encodeRequest(ApiKey.Fetch, VERSION, 1, 'samsa-bench', body).length,
    responseBytes: encodeResponse(ApiKey.Fetch, VERSION, 1, response).length,
    response,
  };
}

const avg = (xs: readonly number[]): number => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  if (ctx.args.includes('--replica')) return runReplica(ctx);
  const partitions = Number(arg(ctx.args, '--partitions', '2000'));
  const fetches = Number(arg(ctx.args, '--fetches', '20'));
  const b = await startBenchBroker(ctx);
  try {
    const s = await KafkaSocket.connect(b.broker.host, b.broker.port);
    try {
      // 2,000 partitions may take longer than CreateTopics' timeout: REQUEST_TIMED_OUT still
      // creates them, and the wait below is for the leaders either way.
      const created = await s.request(ApiKey.CreateTopics, 4, {
        topics: [{ name: TOPIC, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 30_000,
        validateOnly: false,
      }, 40_000);
      const code = created.topics[0]!.errorCode;
      if (code !== ErrorCode.NONE && code !== ErrorCode.REQUEST_TIMED_OUT) throw new Error(`CreateTopics ${TOPIC} failed with error ${code}`);
      await waitFor(async () => {
        const r = await measuredFetch(s, fetchBody(partitions, 0, -1, true));
        return r.response.responses.every((t) => t.partitions.every((p) => p.errorCode === ErrorCode.NONE));
      }, `leaders for all ${partitions} partitions`, { timeoutMs: 120_000, intervalMs: 500 });

      const without: Measured[] = [];
      for (let i = 0; i < fetches; i++) without.push(await measuredFetch(s, fetchBody(partitions, 0, -1, true)));

      const full = await measuredFetch(s, fetchBody(partitions, 0, 0, true));
      const sessionId = full.response.sessionId ?? 0;
      if (sessionId === 0) throw new Error('the broker opened no fetch session');
      const withSession: Measured[] = [];
      for (let epoch = 1; epoch <= fetches; epoch++) {
        const m = await measuredFetch(s, fetchBody(partitions, sessionId, epoch, false));
        if (m.response.errorCode !== ErrorCode.NONE) throw new Error(`incremental fetch epoch ${epoch} failed with error ${m.response.errorCode}`);
        withSession.push(m);
      }

      const req0 = avg(without.map((m) => m.requestBytes));
      const res0 = avg(without.map((m) => m.responseBytes));
      const req1 = avg(withSession.map((m) => m.requestBytes));
      const res1 = avg(withSession.map((m) => m.responseBytes));
      const requestRatio = Math.round((req0 / req1) * 10) / 10;
      const responseRatio = Math.round((res0 / res1) * 10) / 10;
      ctx.log(`${partitions} partitions, ${fetches} idle fetches each way (Fetch v${VERSION})`);
      ctx.log(`without sessions: request ${req0.toLocaleString('en')} B, response ${res0.toLocaleString('en')} B per fetch`);
      ctx.log(`session opened by one full fetch: request ${full.requestBytes.toLocaleString('en')} B, response ${full.responseBytes.toLocaleString('en')} B`);
      ctx.log(`with a session: request ${req1.toLocaleString('en')} B, response ${res1.toLocaleString('en')} B per idle fetch`);
      ctx.log(`requests ${requestRatio}× smaller, responses ${responseRatio}× smaller (target ≥ 10×)`);
      return {
        partitions,
        fetches,
        withoutSessions: { requestBytes: req0, responseBytes: res0 },
        fullFetch: { requestBytes: full.requestBytes, responseBytes: full.responseBytes },
        withSessions: { requestBytes: req1, responseBytes: res1 },
        requestRatio,
        responseRatio,
        targetRatio: 10,
      };
    } finally {
      s.close();
    }
  } finally {
    await b.stop();
  }
}
