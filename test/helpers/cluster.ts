/**
 * A cluster of broker PROCESSES (scripts/broker-start.sh -daemon), on the shared test ZooKeeper
 * in a chroot of its own (or any ZooKeeper given). Resolves once every broker serves and the
 * first one's Metadata shows all brokers and a controller. `stop()` stops only the processes it
 * started, through broker-stop.sh (by pid file).
 */
import { ApiKey } from '../../protocol/index.js';
import { BrokerProcess, brokerStartTimeoutMs } from './broker-process.js';
import { KafkaSocket } from './kafka-socket.js';
import { testZkConnect } from './shared-zookeeper.js';
import { waitFor } from './wait-for.js';
import { startZooKeeper, type ZooKeeperNode } from './zookeeper.js';

export interface ClusterOptions {
  size?: number;
  /** broker.id of the first broker (the others follow); 1 by default. */
  firstBrokerId?: number;
  /** Defaults to a fresh chroot on the shared test ZooKeeper, or a ZooKeeper of its own when there is none. */
  zookeeperConnect?: string;
  /** Extra server.properties lines for every broker. */
  properties?: Record<string, string | number | boolean>;
  /** Extra server.properties lines for one broker (e.g. its own admin.http.listener port). */
  brokerProperties?: (brokerId: number) => Record<string, string | number | boolean>;
  /** More listeners per broker, named after their security protocol (BrokerProcess.listenerPort). */
  extraListeners?: string[];
  startTimeoutMs?: number;
}

export interface TestCluster {
  readonly brokers: BrokerProcess[];
  readonly zookeeperConnect: string;
  /** `127.0.0.1:p1,127.0.0.1:p2,...` */
  readonly bootstrap: string;
  broker(id: number): BrokerProcess;
  /** Metadata (v8) as seen by a broker. */
  metadata(id?: number, topics?: string[] | null): Promise<{ brokers: number[]; controllerId: number; topics: { name: string; errorCode: number; leaders: number[] }[] }>;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const size = options.size ?? 3;
  let ownZk: ZooKeeperNode | undefined;
  if (options.zookeeperConnect === undefined && !process.env['SAMSA_TEST_ZK']) ownZk = await startZooKeeper();
  const zookeeperConnect = options.zookeeperConnect ?? (ownZk !== undefined ? `${ownZk.connectString}/samsa-cluster` : testZkConnect('samsa-cluster'));
  const brokers: BrokerProcess[] = [];
  const firstId = options.firstBrokerId ?? 1;
  for (let id = firstId; id < firstId + size; id++) {
    brokers.push(
      await BrokerProcess.create({
        brokerId: id,
        zookeeperConnect,
        extraListeners: options.extraListeners,
        properties: { 'zookeeper.session.timeout.ms': 6000, 'log.segment.delete.delay.ms': 0, ...options.properties, ...options.brokerProperties?.(id) },
      }),
    );
  }
  const cluster: TestCluster = {
    brokers,
    zookeeperConnect,
    bootstrap: brokers.map((b) => `${b.host}:${b.port}`).join(','),
    broker: (id) => {
      const b = brokers.find((x) => x.brokerId === id);
      if (b === undefined) throw new Error(`no broker ${id} in this cluster`);
      return b;
    },
    async metadata(id = brokers[0]!.brokerId, topics: string[] | null = []) {
      const b = cluster.broker(id);
      const sock = await KafkaSocket.connect(b.host, b.port);
      try {
        const r = await sock.request(ApiKey.Metadata, 8, {
          topics: topics === null ? null : topics.map((name) => ({ name })),
          allowAutoTopicCreation: false,
          includeClusterAuthorizedOperations: false,
          includeTopicAuthorizedOperations: false,
        });
        return {
          brokers: r.brokers.map((x) => x.nodeId).sort((a, c) => a - c),
          controllerId: r.controllerId ?? -1,
          topics: r.topics.map((t) => ({ name: t.name, errorCode: t.errorCode, leaders: t.partitions.map((p) => p.leaderId) })),
        };
      } finally {
        sock.close();
      }
    },
    async stop() {
      await Promise.all(brokers.map((b) => (b.isAlive() ? b.stop() : Promise.resolve())));
      await ownZk?.stop();
    },
  };
  try {
    const results = await Promise.all(brokers.map((b) => b.start([], options.startTimeoutMs ?? brokerStartTimeoutMs())));
    const failed = results.findIndex((r) => r.code !== 0);
    if (failed >= 0) throw new Error(`broker ${brokers[failed]!.brokerId} did not start: ${results[failed]!.stderr}`);
    await waitFor(
      async () => {
        for (const b of brokers) {
          const m = await cluster.metadata(b.brokerId);
          if (m.brokers.length !== size || m.controllerId < 0) return false;
        }
        return true;
      },
      `all ${size} brokers and a controller in every broker's metadata`,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
