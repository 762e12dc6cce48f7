/**
 * The benchmark registry: `npm run bench -- <suite>`. Each suite module exports
 * `run(ctx)`, prints readable lines through `ctx.log` and returns the figures that end up in the
 * final JSON line. Benchmarks never fail a test run on a time.
 */
export interface BenchContext {
  args: readonly string[];
  log(line: string): void;
}

export type BenchSuite = (ctx: BenchContext) => Promise<Record<string, unknown>>;

export const SUITES: Record<string, { describe: string; load: () => Promise<BenchSuite> }> = {};
