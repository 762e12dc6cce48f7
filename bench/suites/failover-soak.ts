/**
 * Failover soak: the failover scenarios' harness run longer, with random faults drawn from a
 * seeded generator (the seed is printed; pass it back with --seed to replay the same faults).
 * A 3-broker cluster of processes on its own ZooKeeper, a topic written by acks=all and acks=1
 * producers throughout; at the end every partition is read back and the history checker gives
 * its verdict. Prints one line per fault (unavailability) and the verdict; never fails on a time.
 *   npm run bench -- failover-soak [--seed N] [--duration-s 120] [--rf 1|3] [--zk single|ensemble]
 *                                  [--netns] [--faults kill9-broker,zombie-controller,...]
 */
import type { BenchContext } from '../suites.js';
import { describeViolations } from '../../test/helpers/history/index.js';
import { FAULTS, seededRandom, type FaultName } from '../../test/failover/harness/faults.js';
import { netnsCapability } from '../../test/failover/harness/netns.js';
import { Scenario } from '../../test/failover/harness/scenario.js';
import { sleep, systemScheduler } from '../../common/index.js';

export const describe = 'failover soak: random broker/controller/ZooKeeper/network faults (seeded) under acks=all + acks=1 writes, history checked at the end';

function arg(args: readonly string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const seed = Number(arg(ctx.args, '--seed', String(Math.floor(Math.random() * 2 ** 31))));
  const durationMs = Number(arg(ctx.args, '--duration-s', '120')) * 1000;
  const rf = Number(arg(ctx.args, '--rf', '1'));
  const zookeeper = arg(ctx.args, '--zk', 'single') === 'ensemble' ? 'ensemble' : 'single';
  const wantNetns = ctx.args.includes('--netns');
  const only = arg(ctx.args, '--faults', '');
  ctx.log(`seed ${seed} (replay: npm run bench -- failover-soak --seed ${seed} ${ctx.args.filter((a, i, all) => a !== '--seed' && all[i - 1] !== '--seed').join(' ')})`);

  let network: 'loopback' | 'netns' = 'loopback';
  if (wantNetns) {
    const cap = await netnsCapability();
    if (cap.available) network = 'netns';
    else ctx.log(`network namespaces unavailable (${cap.reason}); isolate-broker faults left out`);
  }
  const assignment = rf >= 3 ? [[1, 2, 3], [2, 3, 1], [3, 1, 2]] : [[1], [2], [3]];
  const s = await Scenario.start({
    name: `soak-seed-${seed}`,
    fault: 'random faults',
    cluster: { zookeeper, network },
    assignment,
    topicConfigs: rf >= 3 ? { 'min.insync.replicas': '2' } : {},
    group: true,
    progress: (line) => ctx.log(`  ${line}`),
  });
  const rnd = seededRandom(seed);
  const faults: { fault: string; startedAtMs: number }[] = [];
  const started = Date.now();
  try {
    const menu = FAULTS.filter((f) => f.applies(s) && (only === '' || only.split(',').includes(f.name as FaultName)));
    ctx.log(`faults: ${menu.map((f) => f.name).join(', ')}; ${rf >= 3 ? 'RF 3, min ISR 2' : 'RF 1'}; ZooKeeper ${zookeeper}; ${network}`);
    await s.warmup();
    for (let i = 0; i < 10_000 && Date.now() - started < durationMs; i++) {
      const f = menu[Math.floor(rnd() * menu.length)]!;
      const at = Date.now() - started;
      let what: string;
      try {
        what = await f.run(s, rnd);
        await s.recover(10, 60_000);
      } catch (err) {
        // The cluster did not come back: that is the finding. Report it with the seed.
        ctx.log(`  +${(at / 1000).toFixed(1)} s  ${f.name} — the cluster did not recover: ${(err as Error).message}`);
        return { seed, replicationFactor: rf, zookeeper, network, faults: faults.length + 1, ok: false, stuckAfter: f.name, error: (err as Error).message };
      }
      faults.push({ fault: what, startedAtMs: at });
      ctx.log(`  +${(at / 1000).toFixed(1)} s  ${what}`);
      // A quiet stretch of 1–3 s between faults: part of the drawn schedule.
      const quiet = 1_000 + Math.floor(rnd() * 2_000);
      await sleep(systemScheduler, quiet);
    }
    const r = await s.finish({ leaderAcksDurable: rf < 3 });
    for (const u of r.verdict.unavailability) ctx.log(`  ${u.fault}: unavailable ${u.ms} ms${u.recovered ? '' : ' (not recovered)'}`);
    ctx.log(r.line);
    if (!r.verdict.ok) ctx.log(describeViolations(r.verdict));
    const ms = r.verdict.unavailability.map((u) => u.ms).sort((a, b) => a - b);
    return {
      seed,
      replicationFactor: rf,
      zookeeper,
      network,
      durationMs: Date.now() - started,
      faults: faults.length,
      unavailabilityMs: ms.length === 0 ? null : { min: ms[0], median: ms[Math.floor(ms.length / 2)], max: ms[ms.length - 1] },
      ok: r.verdict.ok,
      violations: r.verdict.counts,
      stats: r.verdict.stats,
    };
  } finally {
    await s.stop();
  }
}
