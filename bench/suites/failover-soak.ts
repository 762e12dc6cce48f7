/**
 * Failover soak: the failover scenarios' harness run longer, with random faults drawn from a
 * seeded generator (the seed is printed; pass it back with --seed to replay the same faults).
 * A 3-broker cluster of processes on its own ZooKeeper, a topic written by acks=all, acks=1 and
 * idempotent producers throughout, a consumer group reading it; at the end every partition is
 * read back and the history checker gives its verdict: no acknowledged record lost, no duplicate
 * from idempotent producers, at most one controller per epoch, and every partition writable
 * again within session timeout + 2 s after each fault healed. Prints one line per fault and the
 * verdict; the final JSON line has per-fault-type unavailability percentiles.
 *   npm run bench -- failover-soak [--seed N] [--duration-s 120] [--rf 1|3] [--zk single|ensemble]
 *                                  [--loopback] [--no-disks] [--faults wipe-broker,pause-leader,...]
 *                                  [--secured-inter-broker]
 * Network namespaces (isolate-broker) and real disks (disk-eio, disk-full) are used when the
 * machine allows them (root), unless --loopback / --no-disks. --secured-inter-broker runs the brokers'
 * INTERNAL listener on SASL_SSL (PLAIN), so every controller request and replica fetch is authenticated.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { basename, join } from 'node:path';
import type { BenchContext } from '../suites.js';
import { keepEvidence, withRotated } from '../../test/helpers/evidence.js';
import { REPO_ROOT } from '../../test/helpers/zookeeper.js';
import { describeViolations } from '../../test/helpers/history/index.js';
import { faultyDiskAvailable } from '../../test/helpers/faulty-disk.js';
import { FAILOVER_DEFAULTS, type DiskSpec } from '../../test/failover/harness/failover-cluster.js';
import { FAULTS, seededRandom, type FaultName } from '../../test/failover/harness/faults.js';
import { netnsCapability } from '../../test/failover/harness/netns.js';
import { Scenario } from '../../test/failover/harness/scenario.js';
import { securedInterBrokerProperties } from '../../test/helpers/secured-inter-broker.js';
import { sleep, systemScheduler } from '../../common/index.js';

export const describe = 'failover soak: random broker/disk/pause/controller/ZooKeeper/network faults (seeded) under acks=all, acks=1 and idempotent writes, history checked at the end';

function arg(args: readonly string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

function percentiles(values: readonly number[]): Percentiles {
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number): number => v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))]!;
  return { count: v.length, p50: at(0.5), p99: at(0.99), max: v[v.length - 1]! };
}

/**
 * A run that is not ok keeps, under data/failover-soak/seed-<seed>-<time>/, what explains it: every
 * broker's log (broker.out, the rotated ones, the harness' archive across restarts) and its
 * state-change lines, the history and the faults with their times. Called before the cluster
 * stops: its temporary directories go at exit.
 */
function keepSoakEvidence(s: Scenario, seed: number, error: string, faults: readonly { fault: string; startedAtMs: number }[], started: number, history: unknown): string {
  const dir = join(REPO_ROOT, 'data', 'failover-soak', `seed-${seed}-${new Date(started).toISOString().replace(/[:.]/g, '-')}`);
  const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
  return keepEvidence(dir, {
    error,
    history: history ?? { note: 'the run ended before its history was collected' },
    brokers: s.cluster.brokers.map((b) => ({ brokerId: b.id, log: b.log(), files: [...withRotated(b.process.outFile), b.archiveFile] })),
    extra: {
      // ZooKeeper's own log: a server that stalls (GC, fsync on a loaded disk) explains a lot.
      ...Object.fromEntries(
        s.cluster.zookeeperNodes.flatMap((n, i) => withRotated(join(n.options.dataDir, 'zookeeper.out')).map((f) => [`zookeeper-${i + 1}-${basename(f)}`, readFileSync(f, 'utf8')])),
      ),
      'faults.json': {
        seed,
        startedAt: iso(started),
        faults: faults.map((f) => ({ ...f, at: iso(started + f.startedAtMs) })),
        windows: s.faultWindows.map((w) => ({ ...w, atIso: iso(w.at), healedAtIso: iso(w.healedAt) })),
      },
    },
  });
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const seed = Number(arg(ctx.args, '--seed', String(Math.floor(Math.random() * 2 ** 31))));
  const durationMs = Number(arg(ctx.args, '--duration-s', '120')) * 1000;
  const rf = Number(arg(ctx.args, '--rf', '3'));
  const zookeeper = arg(ctx.args, '--zk', 'single') === 'ensemble' ? 'ensemble' : 'single';
  const only = arg(ctx.args, '--faults', '');
  ctx.log(`seed ${seed} (replay: npm run bench -- failover-soak --seed ${seed} ${ctx.args.filter((a, i, all) => a !== '--seed' && all[i - 1] !== '--seed').join(' ')})`);

  let network: 'loopback' | 'netns' = 'loopback';
  if (!ctx.args.includes('--loopback')) {
    const cap = await netnsCapability();
    if (cap.available) network = 'netns';
    else ctx.log(`network namespaces unavailable (${cap.reason}); isolate-broker faults left out`);
  }
  let disks: Record<number, DiskSpec> | undefined;
  if (!ctx.args.includes('--no-disks')) {
    const cap = await faultyDiskAvailable();
    if (cap.available) disks = { 1: { sizeMb: 256 }, 2: { sizeMb: 256 }, 3: { sizeMb: 256 } };
    else ctx.log(`real disks unavailable (${cap.reason}); disk-eio and disk-full faults left out`);
  }
  const sessionTimeoutMs = Number(FAILOVER_DEFAULTS['zookeeper.session.timeout.ms']);
  const writableBoundMs = sessionTimeoutMs + 2_000;
  const secured = ctx.args.includes('--secured-inter-broker');
  const assignment = rf >= 3 ? [[1, 2, 3], [2, 3, 1], [3, 1, 2]] : [[1], [2], [3]];
  // The producers' answers are timed on this event loop: a stalled harness reads as an unavailable
  // cluster. Its own delay is reported with the verdict so a slow recovery can be told apart.
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  const s = await Scenario.start({
    name: `soak-seed-${seed}`,
    fault: 'random faults',
    cluster: { zookeeper, network, disks, ...(secured ? { properties: securedInterBrokerProperties({ verifyHostname: network === 'loopback' }) } : {}) },
    assignment,
    topicConfigs: rf >= 3 ? { 'min.insync.replicas': '2' } : {},
    group: true,
    progress: (line) => ctx.log(`  ${line}`),
  });
  const rnd = seededRandom(seed);
  /** Fault type of every window the scenario opened, in order. */
  const windowTypes: FaultName[] = [];
  const done: { fault: string; startedAtMs: number }[] = [];
  let stuck: { fault: FaultName; error: string; atMs: number } | undefined;
  let evidence: string | undefined;
  const started = Date.now();
  try {
    const menu = FAULTS.filter((f) => f.applies(s) && (only === '' || only.split(',').includes(f.name)));
    ctx.log(`faults: ${menu.map((f) => f.name).join(', ')}; ${rf >= 3 ? 'RF 3, min ISR 2' : 'RF 1'}; ZooKeeper ${zookeeper}; ${network}${disks ? '; ext4 loop disks' : ''}${secured ? '; SASL_SSL inter-broker' : ''}`);
    await s.warmup();
    for (let i = 0; i < 10_000 && Date.now() - started < durationMs; i++) {
      const f = menu[Math.floor(rnd() * menu.length)]!;
      const at = Date.now() - started;
      const before = s.faultCount;
      try {
        const what = await f.run(s, rnd);
        for (let w = before; w < s.faultCount; w++) windowTypes[w] = f.name;
        await s.recover(10, 60_000);
        done.push({ fault: what, startedAtMs: at });
        ctx.log(`  +${(at / 1000).toFixed(1)} s  ${what}`);
      } catch (err) {
        for (let w = before; w < s.faultCount; w++) windowTypes[w] = f.name;
        // The cluster did not come back: that is the finding. Stop faulting, still check the history.
        stuck = { fault: f.name, error: (err as Error).message, atMs: at };
        ctx.log(`  +${(at / 1000).toFixed(1)} s  ${f.name} — the cluster did not recover: ${stuck.error}`);
        break;
      }
      // A quiet stretch of 1–3 s between faults: part of the drawn schedule.
      const quiet = 1_000 + Math.floor(rnd() * 2_000);
      await sleep(systemScheduler, quiet);
    }
    loopDelay.disable();
    const harnessDelayMs = { p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) };
    ctx.log(`harness event-loop delay: p99 ${harnessDelayMs.p99} ms, max ${harnessDelayMs.max} ms`);
    const r = await s.finish({ leaderAcksDurable: rf < 3 });
    const byType = new Map<string, { ms: number[]; afterHealMs: number[] }>();
    const slow: string[] = [];
    r.verdict.unavailability.forEach((u, i) => {
      const type = windowTypes[i] ?? 'unknown';
      const e = byType.get(type) ?? { ms: [], afterHealMs: [] };
      e.ms.push(u.ms);
      e.afterHealMs.push(u.afterHealMs);
      byType.set(type, e);
      if (u.afterHealMs > writableBoundMs || !u.recovered) slow.push(`${u.fault}: writable again ${u.afterHealMs} ms after the heal${u.recovered ? '' : ' (not recovered)'}`);
      ctx.log(`  ${u.fault}: unavailable ${u.ms} ms, writable ${u.afterHealMs} ms after the heal${u.recovered ? '' : ' (not recovered)'}`);
    });
    ctx.log(r.line);
    if (!r.verdict.ok) ctx.log(describeViolations(r.verdict));
    for (const line of slow) ctx.log(`  SLOW RECOVERY (bound ${writableBoundMs} ms): ${line}`);
    const perFault: Record<string, { unavailabilityMs: Percentiles; afterHealMs: Percentiles }> = {};
    for (const [type, e] of [...byType].sort(([a], [b]) => a.localeCompare(b))) perFault[type] = { unavailabilityMs: percentiles(e.ms), afterHealMs: percentiles(e.afterHealMs) };
    const all = r.verdict.unavailability;
    const ok = r.verdict.ok && slow.length === 0 && stuck === undefined;
    if (!ok) {
      const why = [stuck ? `stuck after ${stuck.fault} at +${(stuck.atMs / 1000).toFixed(1)} s: ${stuck.error}` : '', r.verdict.ok ? '' : describeViolations(r.verdict), ...slow.map((l) => `SLOW RECOVERY (bound ${writableBoundMs} ms): ${l}`)];
      evidence = keepSoakEvidence(s, seed, why.filter((l) => l !== '').join('\n'), stuck ? [...done, { fault: `${stuck.fault} (the cluster did not recover)`, startedAtMs: stuck.atMs }] : done, started, { verdict: r.verdict, history: r.history });
      ctx.log(`evidence kept in ${evidence}`);
    }
    return {
      seed,
      replicationFactor: rf,
      zookeeper,
      network,
      securedInterBroker: secured,
      disks: disks !== undefined,
      durationMs: Date.now() - started,
      faults: done.length + (stuck ? 1 : 0),
      faultCounts: Object.fromEntries([...byType].map(([t, e]) => [t, e.ms.length])),
      unavailabilityMs: all.length === 0 ? null : percentiles(all.map((u) => u.ms)),
      perFault,
      writableBoundMs,
      harnessEventLoopDelayMs: harnessDelayMs,
      slowRecoveries: slow.length,
      stuck: stuck ?? null,
      ok,
      evidence: evidence ?? null,
      historyOk: r.verdict.ok,
      violations: r.verdict.counts,
      stats: r.verdict.stats,
    };
  } catch (err) {
    if (evidence === undefined) ctx.log(`evidence kept in ${keepSoakEvidence(s, seed, (err as Error).stack ?? String(err), done, started, undefined)}`);
    throw err;
  } finally {
    await s.stop();
  }
}
