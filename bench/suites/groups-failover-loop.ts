/**
 * The interop coordinator-failover scenario (test/interop/groups/coordinator-failover.ts) run over
 * and over, outside CI, to catch what fails once in many runs. Three broker processes on a
 * ZooKeeper of their own; each run creates a fresh topic and group, takes the coordinator broker
 * down mid-consume, checks the scenario's invariants, then checks every acknowledged record
 * against the log read back from the live brokers, and restarts the stopped broker for the next
 * run (as the CI test does between its scenarios). A failing run keeps its evidence under the
 * printed folder: each broker's log of that run and its state-change lines, the run's history
 * (every send with its acknowledged offset, the fault, coordinator moves, partition states) and
 * the error, and the KafkaJS client's debug log (kept also for a passing run in which KafkaJS
 * resolved a send with no answer for its partition); the next run then starts on a fresh cluster.
 *   npm run bench -- groups-failover-loop [--runs 10] [--min-isr 1|2] [--variant kcat|kafkajs|ci]
 *                                         [--signal term|kill] [--out DIR] [--keep-all]
 * `--variant ci` runs, per run, what the CI test runs on its one cluster: kcat members with the
 * coordinator SIGKILLed, then KafkaJS members with the coordinator SIGTERMed. `--keep-all` keeps
 * the evidence of passing runs too (to study a slow one).
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LogEntry } from 'kafkajs';
import type { BenchContext } from '../suites.js';
import { acknowledgedButMissing, FAILOVER_CLUSTER_PROPERTIES, restartStoppedBrokers, runCoordinatorFailover, ScenarioHistory, type MemberClient, type StopSignal } from '../../test/interop/groups/coordinator-failover.js';
import { startGroupFixture, type GroupFixture } from '../../test/interop/groups/fixtures.js';
import { stopAll, type GroupMember } from '../../test/interop/groups/members.js';
import { keepEvidence } from '../../test/helpers/evidence.js';
import { randomName } from '../../test/helpers/random.js';
import { REPO_ROOT, startZooKeeper } from '../../test/helpers/zookeeper.js';

export const describe = 'coordinator failover of a consumer group, looped: every failing run keeps broker logs, state-change logs and its history';

const MAX_RUNS = 200;

function arg(args: readonly string[], name: string, fallback: string, allowed?: readonly string[]): string {
  const i = args.indexOf(name);
  const v = i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
  if (allowed !== undefined && !allowed.includes(v)) throw new Error(`${name} must be one of ${allowed.join(', ')} (got "${v}")`);
  return v;
}

/** The part of a file written since `from` (a broker's log during one run). */
function readFrom(file: string, from: number): string {
  if (!existsSync(file)) return '';
  const size = statSync(file).size;
  const start = from <= size ? from : 0; // restarted meanwhile: the file began again
  const buf = Buffer.alloc(size - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8');
}

/**
 * The fixture client's KafkaJS log (admin + producer, DEBUG: every request, every parsed
 * response but Fetch data) of the current step, as JSON lines; bounded.
 */
class ClientLog {
  private lines: string[] = [];
  readonly add = (e: LogEntry): void => {
    if (this.lines.length >= 200_000) this.lines.shift();
    const { timestamp, message, ...extra } = e.log;
    const rest = JSON.stringify(extra, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    this.lines.push(`${timestamp} ${e.label} [${e.namespace}] ${message} ${rest.length > 4000 ? `${rest.slice(0, 4000)}…` : rest}`);
  };

  clear(): void {
    this.lines = [];
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

function logSizes(f: GroupFixture): Map<number, number> {
  return new Map(f.cluster.brokers.map((b) => [b.brokerId, existsSync(b.outFile) ? statSync(b.outFile).size : 0]));
}

function keepRunEvidence(dir: string, f: GroupFixture, from: Map<number, number>, h: ScenarioHistory, error: string, extra: Record<string, unknown>, clientLog: string): void {
  keepEvidence(dir, {
    error,
    history: { ...extra, history: h },
    brokers: f.cluster.brokers.map((b) => ({ brokerId: b.brokerId, log: readFrom(b.outFile, from.get(b.brokerId) ?? 0) })),
    extra: { 'kafkajs-client.log': clientLog },
  });
}

interface Step {
  client: MemberClient;
  signal: StopSignal;
}

/** The CI test's order on one cluster: kcat members under SIGKILL, then KafkaJS under SIGTERM. */
const CI_STEPS: Step[] = [
  { client: 'kcat', signal: 'kill' },
  { client: 'kafkajs', signal: 'term' },
];

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const runs = Math.min(MAX_RUNS, Math.max(1, Number(arg(ctx.args, '--runs', '10'))));
  const minIsr = Number(arg(ctx.args, '--min-isr', '1', ['1', '2']));
  const variant = arg(ctx.args, '--variant', 'kafkajs', ['kcat', 'kafkajs', 'ci']);
  const signal = arg(ctx.args, '--signal', 'term', ['term', 'kill']) as StopSignal;
  const keepAll = ctx.args.includes('--keep-all');
  const steps = variant === 'ci' ? CI_STEPS : [{ client: variant as MemberClient, signal }];
  const out = resolve(arg(ctx.args, '--out', join(REPO_ROOT, 'data', 'groups-failover-loop', new Date().toISOString().replace(/[:.]/g, '-'))));
  mkdirSync(out, { recursive: true });
  const describeStep = (s: Step): string => `${s.client} members, coordinator ${s.signal === 'term' ? 'SIGTERM (controlled shutdown)' : 'SIGKILL'}`;
  ctx.log(`groups-failover-loop: ${runs} runs of [${steps.map(describeStep).join('; then ')}], min.insync.replicas=${minIsr}`);
  ctx.log(`evidence of ${keepAll ? 'every run' : 'failing runs'} under ${out}`);

  const clientLog = new ClientLog();
  const zk = await startZooKeeper();
  const properties = { ...FAILOVER_CLUSTER_PROPERTIES, 'min.insync.replicas': minIsr };
  // A cluster that does not come up (a loaded machine) is not a finding of this loop: retry it.
  const fresh = async (): Promise<GroupFixture> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startGroupFixture(properties, { zookeeperConnect: `${zk.connectString}/${randomName('loop')}`, clientLog: clientLog.add });
      } catch (err) {
        if (attempt >= 3) throw err;
        ctx.log(`  cluster start failed (${(err as Error).message.split('\n')[0]}); again`);
      }
    }
  };
  const results: { run: number; step: string; ok: boolean; ms: number; ackedMissing: number; unanswered: number; error?: string; evidence?: string }[] = [];
  let f: GroupFixture | undefined;
  try {
    for (let i = 1; i <= runs; i++) {
      for (const [n, step] of steps.entries()) {
        f ??= await fresh();
        const label = steps.length === 1 ? `run ${i}/${runs}` : `run ${i}/${runs} step ${n + 1} (${step.client}/${step.signal})`;
        const members: GroupMember[] = [];
        const h = new ScenarioHistory();
        const from = logSizes(f);
        clientLog.clear();
        const started = Date.now();
        let error: string | undefined;
        try {
          await runCoordinatorFailover(f, { client: step.client, signal: step.signal, members, history: h });
        } catch (err) {
          error = (err as Error).stack ?? String(err);
        }
        await stopAll(members);
        // Acknowledged means durable: check every acked send against what the live brokers serve.
        const topic = h.events.find((e) => e.type === 'start')?.['topic'] as string | undefined;
        const acks = topic === undefined ? undefined : await acknowledgedButMissing(f, topic, h).catch((e: Error) => ({ acknowledged: 0, missing: [] as string[], misplaced: [] as string[], unreadable: [] as number[], unanswered: 0, unansweredNotInLog: 0, error: e.message }));
        const ackedMissing = (acks?.missing.length ?? 0) + (acks?.misplaced.length ?? 0);
        if (ackedMissing > 0 && error === undefined) error = `acknowledged records missing or misplaced: ${[...acks!.missing, ...acks!.misplaced].slice(0, 10).join(', ')}`;
        const ms = Date.now() - started;
        const dir = join(out, steps.length === 1 ? `run-${i}` : `run-${i}-step-${n + 1}`);
        // A run where KafkaJS resolved a send with no answer passed thanks to the workaround: keep it too.
        if (error !== undefined || keepAll || (acks?.unanswered ?? 0) > 0) {
          keepRunEvidence(dir, f, from, h, error ?? 'passed', { run: i, step, minIsr, ms, acknowledgedCheck: acks }, clientLog.text());
        }
        if (error === undefined) {
          const unanswered = (acks?.unanswered ?? 0) > 0 ? `; KafkaJS resolved sends of ${acks!.unanswered} records with no answer, sent again` : '';
          ctx.log(`${label}: ok in ${(ms / 1000).toFixed(1)} s (${acks?.acknowledged ?? 0} acknowledged records all in the log${unanswered})`);
          results.push({ run: i, step: `${step.client}/${step.signal}`, ok: true, ms, ackedMissing, unanswered: acks?.unanswered ?? 0 });
        } else {
          ctx.log(`${label}: FAILED after ${(ms / 1000).toFixed(1)} s: ${error.split('\n')[0]}`);
          ctx.log(`  acknowledged ${acks?.acknowledged ?? '?'}, missing ${acks?.missing.length ?? '?'}, misplaced ${acks?.misplaced.length ?? '?'}, unreadable partitions ${JSON.stringify(acks?.unreadable ?? [])}; evidence in ${dir}`);
          if ((acks?.unanswered ?? 0) > 0) ctx.log(`  send() resolved with no answer for the partition (KafkaJS): ${acks!.unanswered} records, ${acks!.unansweredNotInLog} of them not in the log`);
          results.push({ run: i, step: `${step.client}/${step.signal}`, ok: false, ms, ackedMissing, unanswered: acks?.unanswered ?? 0, error: error.split('\n')[0], evidence: dir });
        }
        try {
          if (error !== undefined) throw new Error('fresh cluster after a failing run');
          await restartStoppedBrokers(f);
        } catch {
          await f.stop();
          f = undefined;
        }
      }
    }
  } finally {
    await f?.stop();
    await zk.stop();
  }
  const ms = results.filter((r) => r.ok).map((r) => r.ms).sort((a, b) => a - b);
  const failed = results.filter((r) => !r.ok);
  const failedRuns = [...new Set(failed.map((r) => r.run))];
  ctx.log(`${runs - failedRuns.length}/${runs} runs passed${failedRuns.length > 0 ? `; failed: ${failedRuns.join(', ')}` : ''}`);
  return {
    runs,
    variant,
    signal: variant === 'ci' ? 'kill, then term' : signal,
    minIsr,
    passed: runs - failedRuns.length,
    failed: failedRuns.length,
    ackedMissing: results.reduce((n, r) => n + r.ackedMissing, 0),
    kafkajsUnansweredRecords: results.reduce((n, r) => n + r.unanswered, 0),
    stepMs: ms.length === 0 ? null : { min: ms[0], median: ms[Math.floor(ms.length / 2)], max: ms[ms.length - 1] },
    failures: failed.map((r) => ({ run: r.run, step: r.step, error: r.error, evidence: r.evidence })),
    evidence: out,
  };
}
