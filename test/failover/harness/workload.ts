/**
 * The workload of a scenario: KafkaJS producers (acks=all or acks=1, idempotent or not), each
 * writing uniquely identified records (value = id) one at a time to its partitions in turn and
 * logging what was acknowledged; optionally consumers in a group (each in a worker thread, see
 * group-consumer-worker.mjs) logging what they read, and an observer logging the group's
 * committed offsets. Everything lands in plain arrays that the
 * history checker reads. Every send is bounded by a deadline; stop() ends every loop.
 */
import { Worker } from 'node:worker_threads';
import type { Producer } from 'kafkajs';
import { ApiKey } from '../../../protocol/index.js';
import type { CommitObservation, ProducedRecord, ReadRecord } from '../../helpers/history/index.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import type { FailoverCluster } from './failover-cluster.js';
import { sleep, systemScheduler, withTimeout } from '../../../common/index.js';

/** What group-consumer-worker.mjs gets and sends (see its header). */
interface GroupConsumerWorkerData {
  brokers: string[];
  groupId: string;
  member: string;
  topic: string;
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'error'; message: string }
  | { type: 'stopped' }
  /** [partition, offset, value, readAt] */
  | { type: 'read'; records: [number, string, string, number][] };

export interface ProducerSpec {
  name: string;
  acks: -1 | 1;
  idempotent?: boolean;
  /** Partitions written in turn. */
  partitions: number[];
  /** Pause between sends, to keep the brokers' CPU for the faults (default 5 ms). */
  intervalMs?: number;
}

export interface WorkloadOptions {
  topic: string;
  producers: ProducerSpec[];
  /** Consumers in one group reading the topic from the beginning (needs the group APIs). */
  group?: { groupId: string; members: number };
  /** Per-send deadline; a send without an answer by then is recorded as failed. */
  sendTimeoutMs?: number;
}

/** Which Kafka APIs a live broker serves (ApiVersions v0). */
export async function servedApis(cluster: FailoverCluster): Promise<Set<number>> {
  const b = cluster.brokers.find((x) => x.reachable);
  if (b === undefined) return new Set();
  const sock = await KafkaSocket.connect(b.host, b.port);
  try {
    return new Set((await sock.apiVersions(0)).apiKeys.map((k) => k.apiKey));
  } finally {
    sock.close();
  }
}

export async function groupsServed(cluster: FailoverCluster): Promise<boolean> {
  const apis = await servedApis(cluster);
  return [ApiKey.FindCoordinator, ApiKey.JoinGroup, ApiKey.SyncGroup, ApiKey.Heartbeat, ApiKey.OffsetCommit, ApiKey.OffsetFetch].every((k) => apis.has(k));
}

export async function idempotenceServed(cluster: FailoverCluster): Promise<boolean> {
  return (await servedApis(cluster)).has(ApiKey.InitProducerId);
}

/** How many of the ascending `times` are <= t. */
function countAtOrBefore(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function deadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(systemScheduler, p, ms, () => new Error(`${what}: no answer within ${ms} ms`));
}

export class Workload {
  readonly produced: ProducedRecord[] = [];
  readonly read: ReadRecord[] = [];
  readonly commits: CommitObservation[] = [];
  /** Why the consumer group did not start, if it did not. */
  groupError: string | undefined;
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private readonly producers: Producer[] = [];
  private readonly workers: Worker[] = [];
  /**
   * Acknowledgement times per partition, in answer order. Recovery waits poll acked() every 50 ms
   * for the whole of a 30-minute soak; scanning `produced` (a million records by then) on each
   * poll took a growing share of the harness's event loop and delayed the very answers it measures.
   */
  private readonly ackTimes = new Map<number, number[]>();

  private constructor(
    private readonly cluster: FailoverCluster,
    private readonly o: WorkloadOptions,
  ) {}

  static async start(cluster: FailoverCluster, o: WorkloadOptions): Promise<Workload> {
    const w = new Workload(cluster, o);
    try {
      for (const spec of o.producers) await w.startProducer(spec);
      if (o.group !== undefined) {
        // A consumer group that cannot start is reported, not fatal: the data checks still hold.
        await w.startGroup(o.group.groupId, o.group.members).catch((err: Error) => {
          w.groupError = err.message;
        });
      }
    } catch (err) {
      await w.stop();
      throw err;
    }
    return w;
  }

  /** Successful acknowledgements so far on a partition (or all), optionally only after `since`. */
  acked(partition?: number, since = 0): number {
    const lists = partition === undefined ? [...this.ackTimes.values()] : [this.ackTimes.get(partition) ?? []];
    let n = 0;
    for (const times of lists) n += times.length - countAtOrBefore(times, since);
    return n;
  }

  get partitions(): number[] {
    return [...new Set(this.o.producers.flatMap((p) => p.partitions))].sort((a, b) => a - b);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    await this.stopWorkers();
    await Promise.all(this.producers.map((p) => deadline(p.disconnect(), 10_000, 'producer disconnect').catch(() => undefined)));
  }

  private async startProducer(spec: ProducerSpec): Promise<void> {
    const producer = await this.connectProducer(spec);
    this.loops.push(this.produceLoop(producer, spec));
  }

  private async connectProducer(spec: ProducerSpec): Promise<Producer> {
    const producer = this.cluster.kafka(`failover-${spec.name}`).producer({
      idempotent: spec.idempotent ?? false,
      maxInFlightRequests: 1,
      // A silently cut-off leader answers nothing (no NOT_LEADER): only fresh metadata moves the
      // client to the new leader, so refresh it every second instead of every 5 minutes.
      metadataMaxAge: 1_000,
      allowAutoTopicCreation: false,
      retry: { retries: spec.idempotent ? 5 : 2, initialRetryTime: 100, maxRetryTime: 500 },
    });
    await producer.connect();
    this.producers.push(producer);
    return producer;
  }

  /**
   * KafkaJS 2.2.4 advances an idempotent producer's sequence only after a successful send, so
   * the send after a failed one reuses the failed batch's sequence; when the failed batch had in
   * fact been written, the broker (like Kafka's) answers the new record as a duplicate with the
   * OLD offset, and an acknowledged record is never written. The Java producer resets its
   * producer id after such a failure; do the same here so the history judges the broker, not
   * this client bug.
   */
  private async replaceProducer(old: Producer, spec: ProducerSpec): Promise<Producer | undefined> {
    this.producers.splice(this.producers.indexOf(old), 1);
    await deadline(old.disconnect(), 5_000, 'producer disconnect').catch(() => undefined);
    return deadline(this.connectProducer(spec), 10_000, 'producer connect').catch(() => undefined);
  }

  private async produceLoop(first: Producer, spec: ProducerSpec): Promise<void> {
    const timeoutMs = this.o.sendTimeoutMs ?? 8_000;
    let producer: Producer | undefined = first;
    // Bounded even if nobody calls stop(): at most an hour and a million records per producer.
    const hardStop = Date.now() + 3_600_000;
    for (let seq = 0; !this.stopped && seq < 1_000_000 && Date.now() < hardStop; seq++) {
      const partition = spec.partitions[seq % spec.partitions.length]!;
      const id = `${spec.name}-${seq}`;
      const sentAt = Date.now();
      const base = { id, producer: spec.name, topic: this.o.topic, partition, acks: spec.acks, idempotent: spec.idempotent ?? false, sentAt };
      try {
        producer ??= await deadline(this.connectProducer(spec), 10_000, 'producer connect');
        const meta = await deadline(producer.send({ topic: this.o.topic, acks: spec.acks, timeout: 5_000, messages: [{ partition, key: spec.name, value: id }] }), timeoutMs, `send ${id}`);
        const answeredAt = Date.now();
        const m = meta[0];
        const offset = m?.baseOffset ?? m?.offset;
        this.produced.push({ ...base, answeredAt, outcome: 'acked', offset: offset === undefined ? undefined : BigInt(offset) });
        const times = this.ackTimes.get(partition) ?? [];
        // Date.now() can step back; keep the list sorted so the binary search stays exact.
        times.push(Math.max(answeredAt, times[times.length - 1] ?? answeredAt));
        this.ackTimes.set(partition, times);
      } catch (err) {
        this.produced.push({ ...base, answeredAt: Date.now(), outcome: 'failed', error: (err as Error).message });
        if (spec.idempotent && producer !== undefined) producer = await this.replaceProducer(producer, spec);
      }
      // Pacing, not synchronisation: keeps the CPU for the brokers under fault.
      await sleep(systemScheduler, spec.intervalMs ?? 5);
    }
  }

  private async startGroup(groupId: string, members: number): Promise<void> {
    for (let i = 0; i < members; i++) {
      const member = `${groupId}-m${i}`;
      const data: GroupConsumerWorkerData = { brokers: this.cluster.bootstrap, groupId, member, topic: this.o.topic };
      const worker = new Worker(new URL('./group-consumer-worker.mjs', import.meta.url), { workerData: data });
      this.workers.push(worker);
      const ready = new Promise<void>((resolve, reject) => {
        worker.on('message', (m: WorkerMessage) => {
          if (m.type === 'ready') resolve();
          else if (m.type === 'error') reject(new Error(`consumer ${member}: ${m.message}`));
          else if (m.type === 'read') {
            for (const [partition, offset, id, at] of m.records) this.read.push({ topic: this.o.topic, partition, offset: BigInt(offset), id, reader: member, at });
          }
        });
        worker.once('error', reject);
      });
      await deadline(ready, 30_000, `consumer ${member} to join`);
    }
    this.loops.push(this.observeCommits(groupId));
  }

  /** Asks each consumer worker to leave the group; terminates it if it does not answer in time. */
  private async stopWorkers(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        const stopped = new Promise<void>((resolve) => {
          w.on('message', (m: WorkerMessage) => {
            if (m.type === 'stopped') resolve();
          });
          w.once('exit', () => resolve());
        });
        w.postMessage('stop');
        await deadline(stopped, 10_000, 'consumer worker stop').catch(() => undefined);
        await w.terminate();
      }),
    );
  }

  private async observeCommits(groupId: string): Promise<void> {
    const admin = this.cluster.kafka('failover-commit-observer').admin();
    await admin.connect().catch(() => undefined);
    try {
      const hardStop = Date.now() + 3_600_000;
      while (!this.stopped && Date.now() < hardStop) {
        try {
          const offsets = await deadline(admin.fetchOffsets({ groupId, topics: [this.o.topic] }), 5_000, 'OffsetFetch');
          const at = Date.now();
          for (const t of offsets) for (const p of t.partitions) if (BigInt(p.offset) >= 0n) this.commits.push({ group: groupId, topic: t.topic, partition: p.partition, offset: BigInt(p.offset), at });
        } catch {
          // The coordinator may be moving; the next round will see it.
        }
        await sleep(systemScheduler, 300);
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
