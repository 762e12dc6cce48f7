/**
 * The benchmark registry: every `bench/suites/<name>.ts` is a suite, run by
 * `npm run bench -- <name>`. A suite module exports `describe` (one line) and `run(ctx)`, prints
 * readable lines through `ctx.log` and returns the figures that end up in the final JSON line.
 * Benchmarks never fail a test run on a time.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchContext {
  args: readonly string[];
  log(line: string): void;
}

export interface BenchSuiteModule {
  describe: string;
  run(ctx: BenchContext): Promise<Record<string, unknown>>;
}

const DIR = join(import.meta.dirname, 'suites');

export function suiteNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

export async function loadSuite(name: string): Promise<BenchSuiteModule> {
  return (await import(join(DIR, `${name}.ts`))) as BenchSuiteModule;
}
