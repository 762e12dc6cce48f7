/**
 * The exactly-once pipeline under a fault: 3 broker processes, an input and an output topic (3
 * partitions, RF 3, min ISR 2), the transaction state log and consumer offsets at RF 3. The input
 * holds uniquely numbered records; a consume-transform-produce job (Samsa client: read_committed
 * consumer in a group + transactional producer, `consumeTransformProduce`) copies it to the
 * output, partition for partition. Once a third is copied, one broker is killed (kill -9) or
 * stopped (SIGTERM): the leader of input partition 0, of output partition 0, or the transaction
 * coordinator of the job's transactional id. The job must finish on its own; the broker is then
 * restarted and the output, read with read_committed, must hold every input record exactly once,
 * in input order per partition (history checker's exactly-once verdict).
 * Used by test/failover/exactly-once.test.ts (one case in CI) and `npm run bench -- eos-failover`
 * (every target × signal).
 */
import { Consumer, Producer, consumeTransformProduce, stringSerde, type ConsumerRecord } from '../../../client/index.js';
import { API } from '../../../client/wire.js';
import { checkExactlyOnce, formatExactlyOnce, type ExactlyOnceVerdict, type InputRecord } from '../../helpers/history/index.js';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';
import { FailoverCluster, type ZooKeeperMode } from './failover-cluster.js';

export type EosTarget = 'input-leader' | 'output-leader' | 'txn-coordinator';
export type EosSignal = 'kill9' | 'term';

export interface EosRunResult {
  readonly verdict: ExactlyOnceVerdict;
  readonly line: string;
  readonly victim: number;
  readonly aborts: number;
  readonly transactions: number;
  /** From the fault to the last input record committed to the output. */
  readonly faultToDoneMs: number;
  readonly records: number;
}

const PARTITIONS = 3;
const ASSIGNMENT = [
  [1, 2, 3],
  [2, 3, 1],
  [3, 1, 2],
];

export interface EosRunOptions {
  records?: number;
  log?: (line: string) => void;
  /** 'shared' (the test run's ZooKeeper, the default under scripts/test.sh) or 'single' (a private one: the bench has no shared ZooKeeper). */
  zookeeper?: ZooKeeperMode;
}

export async function runEosPipeline(target: EosTarget, signal: EosSignal, options: EosRunOptions = {}): Promise<EosRunResult> {
  const records = options.records ?? 1500;
  const log = options.log ?? (() => undefined);
  const cluster = await FailoverCluster.start({
    zookeeper: options.zookeeper ?? 'shared',
    properties: {
      'offsets.topic.replication.factor': 3,
      'offsets.topic.num.partitions': 3,
      'transaction.state.log.replication.factor': 3,
      'transaction.state.log.num.partitions': 3,
      'transaction.state.log.min.isr': 2,
      'min.insync.replicas': 2,
    },
  });
  const closers: Array<() => Promise<unknown>> = [];
  try {
    const input = randomName('eos-in');
    const output = randomName('eos-out');
    await cluster.createTopic(input, ASSIGNMENT);
    await cluster.createTopic(output, ASSIGNMENT);
    const brokers = cluster.bootstrap;

    const source = new Producer<string, string>({ brokers, lingerMs: 5 });
    closers.push(() => source.close({ timeoutMs: 2000 }));
    const metas = await source.sendBatch(Array.from({ length: records }, (_, i) => ({ topic: input, partition: i % PARTITIONS, value: `in-${i}` })));
    const inputs: InputRecord[] = metas.map((m, i) => ({ id: `in-${i}`, topic: input, partition: m.partition, offset: m.offset }));

    const transactionalId = randomName('eos-job');
    const consumer = new Consumer<string, string>({
      brokers,
      groupId: randomName('eos-group'),
      isolationLevel: 'read_committed',
      enableAutoCommit: false,
      autoOffsetReset: 'earliest',
      maxPollRecords: 100,
      keyDeserializer: stringSerde.deserialize,
      valueDeserializer: stringSerde.deserialize,
      requestTimeoutMs: 10_000,
    });
    closers.push(() => consumer.close());
    consumer.subscribe([input]);
    const producer = new Producer<string, string>({ brokers, transactionalId, lingerMs: 2, requestTimeoutMs: 10_000, transactionTimeoutMs: 20_000 });
    closers.push(() => producer.close({ timeoutMs: 2000 }));
    const stop = new AbortController();
    let copied = 0;
    let aborts = 0;
    let transactions = 0;
    let lastCommitAt = 0;
    const job = consumeTransformProduce({
      consumer,
      producer,
      signal: stop.signal,
      transform: (r) => ({ topic: output, partition: r.partition, value: r.value }),
      onCommit: (batch) => {
        copied += batch.length;
        transactions++;
        lastCommitAt = Date.now();
      },
      onAbort: (err) => {
        aborts++;
        log(`      transaction aborted: ${err.message}`);
      },
    });
    let jobError: unknown;
    job.catch((err: unknown) => (jobError = err));
    const jobFailed = (): void => {
      if (jobError !== undefined) throw jobError;
    };

    await waitFor(() => (jobFailed(), copied >= records / 3), `a third of ${records} records copied`, { timeoutMs: 60_000, intervalMs: 50 });
    const victim = await victimOf(cluster, target, input, output, transactionalId, producer);
    const faultAt = Date.now();
    log(`      ${signal} broker ${victim} (${target}) after ${copied} records copied`);
    if (signal === 'kill9') await cluster.broker(victim).kill9();
    else await cluster.broker(victim).terminate();
    await waitFor(() => (jobFailed(), copied >= records), `all ${records} records copied after the fault (${copied} so far)`, { timeoutMs: 90_000, intervalMs: 100 });
    stop.abort();
    await job;
    const faultToDoneMs = lastCommitAt - faultAt;
    await cluster.restartBroker(victim);
    await cluster.waitHealthy();

    const out = await readCommitted(brokers, output, records);
    const verdict = checkExactlyOnce(
      inputs,
      out.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset, id: r.value ?? 'null', reader: 'read_committed', at: Date.now() })),
    );
    const line = `${formatExactlyOnce(`eos-${target}-${signal}`, `${signal} broker ${victim} (${target}) mid-copy`, records, verdict)} | ${transactions} transactions, ${aborts} aborted, done ${faultToDoneMs} ms after the fault`;
    return { verdict, line, victim, aborts, transactions, faultToDoneMs, records };
  } finally {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await cluster.stop();
  }
}

async function victimOf(cluster: FailoverCluster, target: EosTarget, input: string, output: string, transactionalId: string, producer: Producer<string, string>): Promise<number> {
  if (target === 'input-leader') return cluster.leaderOf(input, 0);
  if (target === 'output-leader') return cluster.leaderOf(output, 0);
  const res = await producer.cluster.withAnyBroker((c) => c.send<{ errorCode: number; nodeId: number }>(API.FindCoordinator, { key: transactionalId, keyType: 1 }));
  if (res.errorCode !== 0) throw new Error(`FindCoordinator(${transactionalId}) answered error ${res.errorCode}`);
  return res.nodeId;
}

/** The whole output as a fresh read_committed consumer sees it, once the LSO reached `expected` records. */
async function readCommitted(brokers: string[], topic: string, expected: number): Promise<Array<ConsumerRecord<string, string>>> {
  const c = new Consumer<string, string>({ brokers, autoOffsetReset: 'earliest', isolationLevel: 'read_committed', keyDeserializer: stringSerde.deserialize, valueDeserializer: stringSerde.deserialize });
  try {
    c.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
    const out: Array<ConsumerRecord<string, string>> = [];
    const deadline = Date.now() + 30_000;
    while (out.length < expected && Date.now() < deadline) out.push(...(await c.poll({ timeoutMs: 300, maxRecords: 10_000 })));
    // Anything beyond the expected count (a duplicate) would arrive now.
    out.push(...(await c.poll({ timeoutMs: 1000 })));
    return out;
  } finally {
    await c.close();
  }
}
