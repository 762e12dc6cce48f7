/**
 * The fault menu shared by the scenarios' soak mode (bench/suites/failover-soak.ts): each fault
 * is injected, healed and waited out (bounded) on a running Scenario, opening a named fault
 * window so the checker measures its unavailability. Choices come from a seeded generator, so a
 * printed seed replays the same sequence of faults.
 */
import { waitFor } from '../../helpers/wait-for.js';
import type { Scenario } from './scenario.js';

/** mulberry32: small, fast, good enough to pick faults reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FaultName = 'kill9-broker' | 'restart-broker' | 'zombie-controller' | 'session-expiry' | 'zookeeper-down' | 'zookeeper-leader-kill9' | 'isolate-broker';

export interface Fault {
  readonly name: FaultName;
  /** Whether the fault can run on this cluster. */
  applies(s: Scenario): boolean;
  /** Injects, heals and waits for the cluster to be whole again; returns what was done. */
  run(s: Scenario, rnd: () => number): Promise<string>;
}

function pick<T>(xs: readonly T[], rnd: () => number): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

function ledPartitions(s: Scenario, brokerId: number): number[] {
  return s.options.assignment.flatMap((replicas, p) => (replicas[0] === brokerId ? [p] : []));
}

async function newController(s: Scenario, old: number): Promise<number> {
  return waitFor(
    async () => {
      const c = await s.cluster.controllerId();
      return c >= 0 && c !== old ? c : undefined;
    },
    `a controller other than ${old}`,
    { timeoutMs: 30_000, intervalMs: 50 },
  );
}

async function whole(s: Scenario): Promise<void> {
  await s.cluster.waitHealthy(45_000);
  await s.cluster.waitLeaders(s.topic, s.options.assignment.length, 45_000);
}

export const FAULTS: readonly Fault[] = [
  {
    name: 'kill9-broker',
    applies: () => true,
    async run(s, rnd) {
      const b = pick(s.cluster.brokers, rnd);
      const f = s.fault(`kill -9 broker ${b.id}`, ledPartitions(s, b.id));
      await b.kill9();
      await s.cluster.restartBroker(b.id);
      f.heal();
      await whole(s);
      return f.name;
    },
  },
  {
    name: 'restart-broker',
    applies: () => true,
    async run(s, rnd) {
      const b = pick(s.cluster.brokers, rnd);
      const f = s.fault(`SIGTERM + restart broker ${b.id}`, ledPartitions(s, b.id));
      await b.terminate(40_000);
      await b.restart();
      f.heal();
      await whole(s);
      return f.name;
    },
  },
  {
    name: 'zombie-controller',
    applies: () => true,
    async run(s) {
      const old = await s.cluster.controllerId();
      const b = s.cluster.broker(old);
      const f = s.fault(`SIGSTOP controller ${old} until a successor, SIGCONT`, ledPartitions(s, old));
      b.pause();
      await newController(s, old);
      b.resume();
      f.heal();
      await whole(s);
      return f.name;
    },
  },
  {
    name: 'session-expiry',
    applies: () => true,
    async run(s, rnd) {
      const b = pick(s.cluster.brokers, rnd);
      const f = s.fault(`ZooKeeper session expiry of broker ${b.id}`, ledPartitions(s, b.id));
      b.blackholeZooKeeper();
      await waitFor(async () => !(await s.cluster.brokerRegistered(b.id)), `broker ${b.id}'s session to expire`, { timeoutMs: 30_000, intervalMs: 50 });
      b.healZooKeeper();
      f.heal();
      await waitFor(async () => s.cluster.brokerRegistered(b.id), `broker ${b.id} to re-register`, { timeoutMs: 30_000, intervalMs: 50 });
      await whole(s);
      return f.name;
    },
  },
  {
    name: 'zookeeper-down',
    applies: (s) => s.cluster.zookeeperNodes.length === 1,
    async run(s, rnd) {
      const zk = s.cluster.zookeeperNodes[0]!;
      const ms = 2_000 + Math.floor(rnd() * 6_000);
      const f = s.fault(`ZooKeeper down ${ms} ms`);
      await s.cluster.stopZooKeeperNode(zk);
      const until = Date.now() + ms;
      // The outage's length is the fault itself, not synchronisation.
      await waitFor(() => Date.now() >= until, `a ${ms} ms ZooKeeper outage`, { timeoutMs: ms + 5_000, intervalMs: 100 });
      await s.cluster.startZooKeeperNode(zk);
      f.heal();
      await whole(s);
      return f.name;
    },
  },
  {
    name: 'zookeeper-leader-kill9',
    applies: (s) => s.cluster.zookeeperNodes.length === 3,
    async run(s) {
      const nodes = s.cluster.zookeeperNodes;
      const modes = await Promise.all(nodes.map((n) => n.mode()));
      const leader = nodes[modes.indexOf('leader')];
      if (leader === undefined) return 'no ZooKeeper leader found; skipped';
      const f = s.fault(`kill -9 ZooKeeper leader ${leader.connectString}`);
      await s.cluster.stopZooKeeperNode(leader);
      await s.cluster.startZooKeeperNode(leader);
      await leader.waitServing(30_000);
      f.heal();
      await whole(s);
      return f.name;
    },
  },
  {
    name: 'isolate-broker',
    applies: (s) => s.cluster.brokers.every((b) => b.extras.lab !== undefined),
    async run(s, rnd) {
      const b = pick(s.cluster.brokers, rnd);
      const f = s.fault(`isolate broker ${b.id} (netns) until its session expires`, ledPartitions(s, b.id));
      await b.isolate();
      await waitFor(async () => !(await s.cluster.brokerRegistered(b.id)), `broker ${b.id}'s session to expire`, { timeoutMs: 30_000, intervalMs: 50 });
      await b.rejoin();
      f.heal();
      await waitFor(async () => s.cluster.brokerRegistered(b.id), `broker ${b.id} to re-register`, { timeoutMs: 30_000, intervalMs: 50 });
      await whole(s);
      return f.name;
    },
  },
];
