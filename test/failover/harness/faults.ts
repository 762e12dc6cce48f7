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

export type FaultName =
  | 'kill9-broker'
  | 'restart-broker'
  | 'wipe-broker'
  | 'pause-leader'
  | 'pause-follower'
  | 'zombie-controller'
  | 'session-expiry'
  | 'zookeeper-down'
  | 'zookeeper-leader-kill9'
  | 'isolate-broker'
  | 'disk-eio'
  | 'disk-full';

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

/** Partitions with a replica on the broker (what its loss can touch). */
function hostedPartitions(s: Scenario, brokerId: number): number[] {
  return s.options.assignment.flatMap((replicas, p) => (replicas.includes(brokerId) ? [p] : []));
}

const replicated = (s: Scenario): boolean => s.options.assignment.every((r) => r.length >= 3);

/** A pause drawn around the session timeout: shorter ones resume the same session, longer ones expire it. */
function pauseMs(rnd: () => number): number {
  return 1_000 + Math.floor(rnd() * 7_000);
}

/** The fault's length is the fault itself, not synchronisation. */
async function hold(ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  await waitFor(() => Date.now() >= until, what, { timeoutMs: ms + 5_000, intervalMs: 50 });
}

/** A broker whose disk failed halts on its own; this waits for that (bounded). */
async function halted(s: Scenario, id: number): Promise<void> {
  const b = s.cluster.broker(id);
  await waitFor(() => !b.isAlive(), `broker ${id} to halt after its disk failed`, { timeoutMs: 30_000, intervalMs: 50 });
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
      // The broker's own worst case: controlled.shutdown.max.retries (3) attempts of up to 10 s each,
      // 5 s backoff between them, then the drain; a soak at load 40 saw all three time out (40 s).
      await b.terminate(60_000);
      await b.restart();
      f.heal();
      await whole(s);
      return f.name;
    },
  },
  {
    // A lost disk: down, every log dir emptied, back with the same broker.id (RF 3 only: with one
    // replica, losing the disk loses the data by definition).
    name: 'wipe-broker',
    applies: replicated,
    async run(s, rnd) {
      const b = pick(s.cluster.brokers, rnd);
      const f = s.fault(`kill -9 broker ${b.id}, wipe its log dirs, restart`, hostedPartitions(s, b.id));
      await b.kill9();
      b.wipe();
      await s.cluster.restartBroker(b.id);
      f.heal();
      await whole(s);
      return f.name;
    },
  },
  {
    name: 'pause-leader',
    applies: () => true,
    async run(s, rnd) {
      const p = Math.floor(rnd() * s.options.assignment.length);
      const leader = (await s.cluster.partitionState(s.topic, p)).leader;
      if (leader < 0) return `p${p} has no leader; skipped`;
      const ms = pauseMs(rnd);
      const b = s.cluster.broker(leader);
      const f = s.fault(`SIGSTOP leader ${leader} of p${p} for ${ms} ms, SIGCONT`, hostedPartitions(s, leader));
      b.pause();
      await hold(ms, `a ${ms} ms pause of broker ${leader}`);
      b.resume();
      f.heal();
      await whole(s);
      return f.name;
    },
  },
  {
    name: 'pause-follower',
    applies: (s) => s.options.assignment.some((r) => r.length > 1),
    async run(s, rnd) {
      const p = Math.floor(rnd() * s.options.assignment.length);
      const st = await s.cluster.partitionState(s.topic, p);
      const followers = s.options.assignment[p]!.filter((r) => r !== st.leader);
      if (followers.length === 0) return `p${p} has no follower; skipped`;
      const id = pick(followers, rnd);
      const ms = pauseMs(rnd);
      const b = s.cluster.broker(id);
      const f = s.fault(`SIGSTOP follower ${id} of p${p} for ${ms} ms, SIGCONT`, hostedPartitions(s, id));
      b.pause();
      await hold(ms, `a ${ms} ms pause of broker ${id}`);
      b.resume();
      f.heal();
      await whole(s);
      return f.name;
    },
  },
  {
    // EIO from the device (EXT4_IOC_SHUTDOWN): the broker's only log dir fails, it halts; the
    // disk is replaced and the broker returns empty.
    name: 'disk-eio',
    applies: (s) => replicated(s) && s.cluster.brokers.every((b) => b.disk !== undefined),
    async run(s, rnd) {
      const b = pick(s.cluster.brokers, rnd);
      const f = s.fault(`EIO on broker ${b.id}'s log dir (halts), new disk, restart`, hostedPartitions(s, b.id));
      await b.disk!.failIo();
      await halted(s, b.id);
      await b.disk!.replace();
      await s.cluster.restartBroker(b.id);
      f.heal();
      await whole(s);
      return f.name;
    },
  },
  {
    // ENOSPC: the disk fills up, the broker halts; space is freed and it restarts with its data.
    name: 'disk-full',
    applies: (s) => s.cluster.brokers.every((b) => b.disk !== undefined),
    async run(s, rnd) {
      const b = pick(s.cluster.brokers, rnd);
      const f = s.fault(`disk of broker ${b.id} full (halts), freed, restart`, hostedPartitions(s, b.id));
      b.disk!.fill();
      await halted(s, b.id);
      b.disk!.free();
      await s.cluster.restartBroker(b.id);
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
      await hold(ms, `a ${ms} ms ZooKeeper outage`);
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
