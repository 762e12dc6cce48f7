/**
 * Leader failover: 3 in-process brokers (controller + metadata cache, no data path) on a real
 * ZooKeeper, one topic with 1,000 partitions at RF 3. A broker's session is frozen until the
 * server expires it; we time from the expiry (seen as the deletion of /brokers/ids/<id> by an
 * observer session) until every partition it led has a new leader in the MetadataCache of every
 * remaining broker. Run once with a plain leader broker as the victim and once with the
 * controller itself (which adds a full controller failover).
 *   npm run bench -- failover [--partitions N] [--runs N] [--zk host:port]
 */
import type { BenchContext } from '../suites.js';
import { TopicAdmin } from '../../broker/admin/index.js';
import { ZkSession } from '../../coordination/index.js';
import { ControllerHarness, type HarnessBroker } from '../../test/cluster/controller/harness.js';
import { randomName } from '../../test/helpers/random.js';
import { startZooKeeper, type ZooKeeperNode } from '../../test/helpers/zookeeper.js';
import { waitFor } from '../../test/helpers/wait-for.js';

export const describe = 'controller failover: 1,000 partitions RF 3 on 3 brokers, ms from a leader session expiry to new leaders in every MetadataCache';

const SESSION_TIMEOUT_MS = 2000;

function arg(args: readonly string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

interface RunResult {
  victimWasController: boolean;
  ledByVictim: number;
  msExpiryToAllCaches: number;
}

async function oneRun(zkConnect: string, partitions: number, killController: boolean, log: (l: string) => void): Promise<RunResult> {
  const connect = `${zkConnect}/${randomName('bench-failover')}`;
  const sessions: ZkSession[] = [];
  const open = async (): Promise<ZkSession> => {
    const s = new ZkSession({ connect, sessionTimeoutMs: SESSION_TIMEOUT_MS, requestTimeoutMs: 30_000 });
    await s.start();
    sessions.push(s);
    return s;
  };
  const h = new ControllerHarness({ openStore: async () => { const s = await open(); return { store: s, close: () => s.close() }; } });
  h.transport.record = false;
  try {
    for (const id of [1, 2, 3]) await h.startBroker(id);
    const controller = await waitFor(() => (h.controllers().length === 1 ? h.controllers()[0] : undefined), 'a controller');
    const adminSession = await open();
    const created = Date.now();
    await new TopicAdmin(adminSession).createTopic({ name: 'bench', numPartitions: partitions, replicationFactor: 3 });
    await waitFor(() => h.allCachesAgree('bench', partitions), 'all partitions led', { timeoutMs: 60_000, intervalMs: 5 });
    log(`  topic with ${partitions} partitions online on every broker in ${Date.now() - created} ms`);

    const victim: HarnessBroker = killController ? controller : [...h.brokers.values()].find((b) => b.id !== controller.id)!;
    const anyCache = [...h.brokers.values()].find((b) => b.id !== victim.id)!.cache;
    const led: number[] = [];
    for (let p = 0; p < partitions; p++) if (anyCache.leaderFor('bench', p) === victim.id) led.push(p);

    const observer = await open();
    let expiredAt = 0;
    await observer.exists(`/brokers/ids/${victim.id}`, (e) => {
      if (e.type === 'deleted') expiredAt = Date.now();
    });
    (victim.handle.store as ZkSession).freezeForTest();
    const survivors = [...h.brokers.values()].filter((b) => b.id !== victim.id);
    await waitFor(() => expiredAt > 0, 'the victim session to expire', { timeoutMs: 30_000, intervalMs: 2 });
    await waitFor(
      () => survivors.every((b) => led.every((p) => {
        const l = b.cache.leaderFor('bench', p);
        return l !== victim.id && l >= 0;
      })),
      'new leaders in every surviving cache',
      { timeoutMs: 30_000, intervalMs: 1 },
    );
    const doneAt = Date.now();
    const result = {
      victimWasController: killController,
      ledByVictim: led.length,
      msExpiryToAllCaches: doneAt - expiredAt,
    };
    log(`  victim broker ${victim.id}${killController ? ' (the controller)' : ''} led ${led.length} partitions: new leaders in every cache ${result.msExpiryToAllCaches} ms after its session expired`);
    (victim.handle.store as ZkSession).abandonForTest();
    h.brokers.delete(victim.id);
    h.transport.unregister(victim.id);
    await victim.controller.shutdown();
    return result;
  } finally {
    await h.stopAll();
    for (const s of sessions) await s.close();
  }
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const partitions = Number(arg(ctx.args, '--partitions', '1000'));
  const runs = Number(arg(ctx.args, '--runs', '3'));
  let zk: ZooKeeperNode | undefined;
  let connect = arg(ctx.args, '--zk', process.env['SAMSA_TEST_ZK'] ?? '');
  if (connect === '') {
    zk = await startZooKeeper();
    connect = zk.connectString;
    ctx.log(`started ZooKeeper at ${connect}`);
  }
  try {
    const leader: RunResult[] = [];
    const ctrl: RunResult[] = [];
    for (let i = 0; i < runs; i++) {
      ctx.log(`run ${i + 1}/${runs}: leader broker expires`);
      leader.push(await oneRun(connect, partitions, false, ctx.log));
      ctx.log(`run ${i + 1}/${runs}: controller broker expires`);
      ctrl.push(await oneRun(connect, partitions, true, ctx.log));
    }
    const stats = (xs: number[]) => ({ min: Math.min(...xs), median: [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!, max: Math.max(...xs) });
    const l = stats(leader.map((r) => r.msExpiryToAllCaches));
    const c = stats(ctrl.map((r) => r.msExpiryToAllCaches));
    ctx.log(`leader broker expiry → new leaders everywhere: median ${l.median} ms (min ${l.min}, max ${l.max}); target < 1000 ms`);
    ctx.log(`controller broker expiry → new leaders everywhere: median ${c.median} ms (min ${c.min}, max ${c.max})`);
    return {
      partitions,
      replicationFactor: 3,
      brokers: 3,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      leaderExpiryToAllCachesMs: l,
      controllerExpiryToAllCachesMs: c,
      partitionsMovedPerRun: leader.map((r) => r.ledByVictim),
    };
  } finally {
    await zk?.stop();
  }
}
