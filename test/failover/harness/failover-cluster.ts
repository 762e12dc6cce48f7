/**
 * A cluster for failover scenarios: a real ZooKeeper (the shared test server in a chroot, a
 * private single server, or a private 3-node ensemble, so ZooKeeper itself can be faulted), N
 * broker processes started by the project's scripts, each talking to ZooKeeper through TCP
 * proxies of its own, and an observer ZooKeeper session (direct, not proxied) for reading the
 * cluster's state. `stop()` stops only what this harness started.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type ITopicConfig } from 'kafkajs';
import {
  CONTROLLER_EPOCH_PATH,
  CONTROLLER_PATH,
  decodeController,
  decodeControllerEpoch,
  decodePartitionState,
  ZkSession,
  type LeaderIsrAndControllerEpoch,
} from '../../../coordination/index.js';
import { ApiKey } from '../../../protocol/index.js';
import { BrokerProcess } from '../../helpers/broker-process.js';
import { parseControllerActions, type ControllerAction } from '../../helpers/history/index.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { sharedZooKeeperConnect } from '../../helpers/shared-zookeeper.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startZooKeeper, startZooKeeperEnsemble, type ZooKeeperNode } from '../../helpers/zookeeper.js';
import { FailoverBroker } from './failover-broker.js';
import { NetworkLab } from './netns.js';
import { FaultyDisk } from '../../helpers/faulty-disk.js';
import { TcpProxy } from './tcp-proxy.js';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export type ZooKeeperMode = 'shared' | 'single' | 'ensemble';

export interface FailoverClusterOptions {
  brokers?: number;
  zookeeper?: ZooKeeperMode;
  /** Extra server.properties for every broker (on top of the fast failover defaults). */
  properties?: Record<string, string | number | boolean>;
  /** 'netns': every broker in a network namespace of its own, so it can be cut off for real. */
  network?: 'loopback' | 'netns';
  /**
   * broker id → a real small disk that can fail (loop-mounted ext4, test/helpers/faulty-disk.ts):
   * layout 'only' = the broker's one log dir is on it; 'jbod' = two log dirs, a local one first
   * and one on the disk. broker.out and broker.pid stay off the disk. Root only: check
   * `faultyDiskAvailable()` first.
   */
  disks?: Record<number, DiskSpec>;
}

export interface DiskSpec {
  readonly sizeMb: number;
  readonly layout?: 'only' | 'jbod';
}

/** Short timeouts so a scenario's faults resolve in seconds. */
export const FAILOVER_DEFAULTS: Readonly<Record<string, string | number | boolean>> = {
  'zookeeper.session.timeout.ms': 4000,
  'zookeeper.connection.timeout.ms': 15000,
  'replica.lag.time.max.ms': 3000,
  'log.segment.delete.delay.ms': 0,
  'auto.leader.rebalance.enable': false,
  'group.initial.rebalance.delay.ms': 0,
  'num.partitions': 1,
};

export interface PartitionMetadata {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  errorCode: number;
}

export class FailoverCluster {
  private observerSession: ZkSession | undefined;

  private constructor(
    readonly brokers: FailoverBroker[],
    /** Direct connect string (servers + chroot), for observers. */
    readonly zookeeperConnect: string,
    readonly chroot: string,
    /** The ZooKeeper servers this harness owns (empty on the shared server). */
    readonly zookeeperNodes: ZooKeeperNode[],
    private readonly cleanups: (() => Promise<void>)[],
  ) {}

  static async start(options: FailoverClusterOptions = {}): Promise<FailoverCluster> {
    const mode = options.zookeeper ?? 'shared';
    const count = options.brokers ?? 3;
    const nodes: ZooKeeperNode[] = [];
    const cleanups: (() => Promise<void>)[] = [];
    const chroot = `/${randomName('failover')}`;
    const brokers: FailoverBroker[] = [];
    let cluster: FailoverCluster | undefined;
    try {
      let servers: string;
      if (mode === 'shared') {
        servers = sharedZooKeeperConnect().split('/')[0]!;
      } else if (mode === 'single') {
        const zk = await startZooKeeper();
        nodes.push(zk);
        servers = zk.connectString;
      } else {
        const ensemble = await startZooKeeperEnsemble(3);
        nodes.push(...ensemble.nodes);
        servers = ensemble.connectString;
      }
      cluster = new FailoverCluster(brokers, `${servers}${chroot}`, chroot, nodes, cleanups);
      const ids = Array.from({ length: count }, (_, i) => i + 1);
      const lab = options.network === 'netns' ? await NetworkLab.create(ids) : undefined;
      if (lab !== undefined) cleanups.push(() => lab.destroy());
      for (const id of ids) {
        const proxies: TcpProxy[] = [];
        for (const server of servers.split(',')) {
          const [host, port] = server.split(':');
          proxies.push(await TcpProxy.start(host!, Number(port), lab?.hostIp ?? '127.0.0.1'));
        }
        const dir = tmpDir('samsa-failover-');
        let disk: FaultyDisk | undefined;
        let dataDirs: string[] | undefined;
        const spec = options.disks?.[id];
        if (spec !== undefined) {
          disk = await FaultyDisk.create(join(dir, 'disk'), spec.sizeMb);
          cleanups.push(() => disk!.release());
          dataDirs = spec.layout === 'jbod' ? [join(dir, 'logs'), join(disk.dir, 'data')] : [join(disk.dir, 'data')];
        }
        const process = await BrokerProcess.create({
          brokerId: id,
          zookeeperConnect: proxies.map((p) => p.address).join(',') + chroot,
          properties: { ...FAILOVER_DEFAULTS, ...options.properties },
          dir,
          dataDirs,
        });
        if (lab !== undefined) {
          // Listen (and advertise) on the namespace's address instead of loopback.
          const config = readFileSync(process.configFile, 'utf8').replace(/^listeners=.*$/m, (line) => line.replaceAll('127.0.0.1', lab.ip(id)));
          writeFileSync(process.configFile, config);
        }
        brokers.push(new FailoverBroker(process, proxies, { lab, disk }));
      }
      await Promise.all(brokers.map((b) => b.start()));
      await cluster.waitHealthy();
    } catch (err) {
      if (cluster !== undefined) await cluster.stop();
      else await Promise.all(nodes.map((n) => n.stop()));
      throw err;
    }
    return cluster;
  }

  get bootstrap(): string[] {
    return this.brokers.map((b) => b.address);
  }

  broker(id: number): FailoverBroker {
    const b = this.brokers.find((x) => x.id === id);
    if (b === undefined) throw new Error(`no broker ${id}`);
    return b;
  }

  /** Every running broker registered, and a controller known to ZooKeeper. */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    const running = this.brokers.filter((b) => b.reachable);
    const seen = new Map<number, string>();
    await waitFor(
      async () => {
        let ok = true;
        for (const b of running) {
          const m = await this.metadata(b.id).catch((err: Error) => ({ error: err.message, brokers: [] as number[], controllerId: -1 }));
          seen.set(b.id, 'error' in m ? m.error : `brokers [${m.brokers.join(',')}] controller ${m.controllerId}`);
          if (m.brokers.length !== running.length || m.controllerId < 0) ok = false;
        }
        return ok;
      },
      `${running.length} brokers and a controller in every live broker's metadata`,
      { timeoutMs, intervalMs: 100 },
    ).catch(async (err: Error) => {
      const zk = await this.controllerId().catch(() => -2);
      // A broker that stopped answering may have exited meanwhile: say so, with its last words.
      const gone = running.filter((b) => !b.isAlive()).map((b) => `broker ${b.id} exited (last log lines: ${b.log().trimEnd().split('\n').slice(-3).join(' | ').slice(-1500)})`);
      throw new Error(`${err.message}; last seen: ${[...seen].map(([id, v]) => `broker ${id}: ${v}`).join('; ')}; /controller in ZooKeeper: ${zk}${gone.length > 0 ? `; ${gone.join('; ')}` : ''}`);
    });
  }

  async observer(): Promise<ZkSession> {
    if (this.observerSession === undefined) {
      const s = new ZkSession({ connect: this.zookeeperConnect, sessionTimeoutMs: 10_000, requestTimeoutMs: 5_000 });
      await s.start();
      this.observerSession = s;
    }
    return this.observerSession;
  }

  async controllerId(): Promise<number> {
    const zk = await this.observer();
    try {
      return decodeController((await zk.getData(CONTROLLER_PATH)).data).brokerId;
    } catch {
      return -1;
    }
  }

  async controllerEpoch(): Promise<number> {
    const zk = await this.observer();
    return decodeControllerEpoch((await zk.getData(CONTROLLER_EPOCH_PATH)).data);
  }

  async brokerRegistered(id: number): Promise<boolean> {
    const zk = await this.observer();
    return (await zk.exists(`/brokers/ids/${id}`)) !== null;
  }

  async partitionState(topic: string, partition: number): Promise<LeaderIsrAndControllerEpoch> {
    const zk = await this.observer();
    const path = `/brokers/topics/${topic}/partitions/${partition}/state`;
    return decodePartitionState((await zk.getData(path)).data, path);
  }

  /** Metadata v8 from one broker (default: the first live one). */
  async metadata(
    brokerId?: number,
    topics: string[] | null = [],
  ): Promise<{ brokers: number[]; controllerId: number; topics: { name: string; errorCode: number; partitions: PartitionMetadata[] }[] }> {
    const b = brokerId === undefined ? this.brokers.find((x) => x.reachable) : this.broker(brokerId);
    if (b === undefined) throw new Error('no reachable broker');
    const sock = await KafkaSocket.connect(b.host, b.port);
    try {
      const r = await sock.request(
        ApiKey.Metadata,
        8,
        { topics: topics === null ? null : topics.map((name) => ({ name })), allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false },
        3_000,
      );
      return {
        brokers: r.brokers.map((x) => x.nodeId).sort((a, c) => a - c),
        controllerId: r.controllerId ?? -1,
        topics: r.topics.map((t) => ({
          name: t.name ?? '',
          errorCode: t.errorCode,
          partitions: t.partitions.map((p) => ({
            partition: p.partitionIndex,
            leader: p.leaderId,
            leaderEpoch: p.leaderEpoch ?? -1,
            replicas: [...p.replicaNodes],
            isr: [...p.isrNodes],
            errorCode: p.errorCode,
          })),
        })),
      };
    } finally {
      sock.close();
    }
  }

  /**
   * Restarts a stopped broker. After a kill -9 its old session's /brokers/ids/<id> lingers until
   * ZooKeeper expires it, and (as in Kafka) a broker refuses to start over a live registration,
   * so this waits for the old registration to go first.
   */
  async restartBroker(id: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => !(await this.brokerRegistered(id)), `the old registration of broker ${id} to expire`, { timeoutMs, intervalMs: 100 });
    await this.broker(id).restart();
  }

  /** Leader of a partition as some live broker sees it (-1 when offline or unknown). */
  async leaderOf(topic: string, partition: number, brokerId?: number): Promise<number> {
    const m = await this.metadata(brokerId, [topic]);
    return m.topics[0]?.partitions.find((p) => p.partition === partition)?.leader ?? -1;
  }

  kafka(clientId = 'failover-harness'): Kafka {
    return new Kafka({
      clientId,
      brokers: this.bootstrap,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      requestTimeout: 5_000,
      enforceRequestTimeout: true,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
  }

  /**
   * Creates a topic through the Kafka CreateTopics API; `assignment[p]` lists partition p's
   * replicas, preferred leader first. Resolves once every partition has a leader everywhere.
   */
  async createTopic(topic: string, assignment: number[][], configs: Record<string, string> = {}): Promise<void> {
    const admin = this.kafka('failover-admin').admin();
    await admin.connect();
    try {
      const spec: ITopicConfig = {
        topic,
        replicaAssignment: assignment.map((replicas, partition) => ({ partition, replicas })),
        configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
      };
      await admin.createTopics({ topics: [spec], waitForLeaders: false, timeout: 10_000 });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await this.waitLeaders(topic, assignment.length);
  }

  async waitLeaders(topic: string, partitions: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        for (const b of this.brokers.filter((x) => x.reachable)) {
          const m = await this.metadata(b.id, [topic]);
          const ps = m.topics[0]?.partitions ?? [];
          if (ps.length !== partitions || ps.some((p) => p.leader < 0 || p.errorCode !== 0)) return false;
        }
        return true;
      },
      `every partition of ${topic} to have a leader on every live broker`,
      { timeoutMs, intervalMs: 100 },
    );
  }

  /** Every state-change line naming a controller epoch, from every broker, across restarts. */
  controllerActions(): ControllerAction[] {
    return this.brokers.flatMap((b) => parseControllerActions(b.log()));
  }

  /** kill -9 one ZooKeeper server; resolves once its process is gone (so it can be started again). */
  async stopZooKeeperNode(node: ZooKeeperNode): Promise<void> {
    const pid = node.pid;
    node.signal('SIGKILL');
    await waitFor(() => pid === undefined || !processAlive(pid), `ZooKeeper ${node.connectString} (pid ${pid}) to exit`, { timeoutMs: 15_000, intervalMs: 50 });
  }

  async startZooKeeperNode(node: ZooKeeperNode): Promise<void> {
    await node.start();
  }

  /** Kills what is left (the history is collected by then; a graceful stop only costs time). */
  async stop(): Promise<void> {
    await Promise.all(this.brokers.map((b) => b.destroy()));
    await this.observerSession?.close().catch(() => undefined);
    for (const b of this.brokers) for (const p of b.zkProxies) await p.close();
    await Promise.all(this.zookeeperNodes.map((n) => n.stop()));
    for (const c of this.cleanups.splice(0).reverse()) await c().catch(() => undefined);
  }
}
