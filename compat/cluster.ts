/**
 * The cluster a compatibility suite runs against: one Apache ZooKeeper and three broker
 * processes of our own (the test helpers, which go through scripts/zookeeper-server-start.sh and
 * scripts/broker-start.sh), on free loopback ports, with the settings those suites' own harnesses
 * give Apache Kafka (auto topic creation, min.insync.replicas=1, short group delays).
 */
import { startCluster, type TestCluster } from '../test/helpers/cluster.js';
import { startZooKeeper, type ZooKeeperNode } from '../test/helpers/zookeeper.js';

export interface CompatCluster {
  readonly bootstrap: string;
  readonly zookeeperConnect: string;
  readonly cluster: TestCluster;
  stop(): Promise<void>;
}

/** Settings every suite's harness expects of Kafka (trivup, kafka-python's fixture, kcat's README). */
const COMMON: Record<string, string | number | boolean> = {
  'auto.create.topics.enable': true,
  'delete.topic.enable': true,
  'min.insync.replicas': 1,
  'num.partitions': 4,
  'offsets.topic.replication.factor': 3,
  'group.initial.rebalance.delay.ms': 0,
  'group.min.session.timeout.ms': 1000,
};

export async function startCompatCluster(properties: Record<string, string | number | boolean>, firstBrokerId = 1, extraListeners: string[] = []): Promise<CompatCluster> {
  // broker-start.sh waits 60 s for a broker to listen by default; a shared, busy machine needs more.
  process.env['SAMSA_BROKER_START_TIMEOUT'] ??= '150';
  // Its own ZooKeeper (not the test run's shared one), so a compat run is self-contained.
  const zk: ZooKeeperNode = await startZooKeeper();
  try {
    const cluster = await startCluster({
      size: 3,
      firstBrokerId,
      zookeeperConnect: `${zk.connectString}/samsa-compat`,
      properties: { ...COMMON, ...properties },
      extraListeners,
      // Three JVM-free broker processes start in seconds, but the machine may be shared and busy.
      startTimeoutMs: 180_000,
    });
    return {
      bootstrap: cluster.bootstrap,
      zookeeperConnect: cluster.zookeeperConnect,
      cluster,
      async stop() {
        await cluster.stop();
        await zk.stop();
      },
    };
  } catch (err) {
    await zk.stop();
    throw err;
  }
}
