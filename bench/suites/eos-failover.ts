/**
 * Exactly-once consume-transform-produce under every fault the CI case does not cover:
 * `npm run bench -- eos-failover [--targets input-leader,output-leader,txn-coordinator]
 * [--signals kill9,term] [--records N]`. Each run: 3 broker processes, a job copying N uniquely
 * numbered records while one broker is killed (test/failover/harness/eos-pipeline.ts); prints the
 * exactly-once verdict per run. CI runs output-leader × kill9 (test/failover/exactly-once.test.ts).
 */
import { runEosPipeline, type EosSignal, type EosTarget } from '../../test/failover/harness/eos-pipeline.js';
import type { BenchContext } from '../suites.js';

export const describe = 'exactly-once pipeline (Samsa client) under kill -9 / SIGTERM of the input leader, output leader, transaction coordinator';

function list<T extends string>(args: readonly string[], name: string, all: readonly T[]): T[] {
  const i = args.indexOf(name);
  if (i < 0 || args[i + 1] === undefined) return [...all];
  const picked = args[i + 1]!.split(',') as T[];
  for (const p of picked) if (!all.includes(p)) throw new Error(`${name}: ${p} is not one of ${all.join(', ')}`);
  return picked;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const targets = list<EosTarget>(ctx.args, '--targets', ['input-leader', 'output-leader', 'txn-coordinator']);
  const signals = list<EosSignal>(ctx.args, '--signals', ['kill9', 'term']);
  const i = ctx.args.indexOf('--records');
  const records = i >= 0 ? Number(ctx.args[i + 1]) : 1500;
  const runs: Array<Record<string, unknown>> = [];
  for (const target of targets) {
    for (const signal of signals) {
      const r = await runEosPipeline(target, signal, { records, log: ctx.log, zookeeper: 'single' });
      ctx.log(r.line);
      runs.push({ target, signal, ok: r.verdict.ok, missing: r.verdict.missing, duplicated: r.verdict.duplicated, outOfOrder: r.verdict.outOfOrder, transactions: r.transactions, aborts: r.aborts, faultToDoneMs: r.faultToDoneMs });
    }
  }
  return { records, runs, ok: runs.every((r) => r['ok'] === true) };
}
