/**
 * What a compat suite is: it prepares (fetches the Debian source package, installs what it needs,
 * builds), names the broker settings its own harness would give Apache Kafka, and runs its tests
 * against a cluster we started, returning one result per test.
 */
import { availableParallelism } from 'node:os';
import type { PrivateApt } from './apt.js';
import type { CompatCluster } from './cluster.js';
import type { TestResult } from './report.js';

export type CompatMode = 'fast' | 'full';

export interface CompatContext {
  /** data/compat: downloads, builds and logs, kept between runs. */
  cacheRoot: string;
  /** This suite's log directory (process output of the last run). */
  logDir: string;
  mode: CompatMode;
  apt: PrivateApt;
  log(line: string): void;
}

export interface CompatSuite<P = unknown> {
  readonly name: string;
  readonly describe: string;
  /** Broker settings on top of the common ones (cluster.ts). */
  readonly brokerProperties: Record<string, string | number | boolean>;
  /** More listeners per broker besides PLAINTEXT, named after their security protocol (e.g. SASL_PLAINTEXT). */
  readonly extraListeners?: string[];
  /** broker.id of the first of the three brokers (the suite's own harness numbers them so); 1 by default. */
  readonly firstBrokerId?: number;
  prepare(ctx: CompatContext): Promise<P>;
  /** Runs the tests; each cluster it needs comes from `withCluster` (started, then stopped after `fn`). */
  run(ctx: CompatContext, prepared: P, withCluster: WithCluster): Promise<TestResult[]>;
}

/** Starts a cluster with the suite's properties plus `extra`, runs `fn`, stops the cluster. */
export type WithCluster = <T>(extra: Record<string, string | number | boolean>, fn: (cluster: CompatCluster) => Promise<T>) => Promise<T>;

/** Parallel jobs for make. */
export function buildJobs(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** The first lines of text that say why something failed, on one line. */
export function firstLines(text: string, n = 3): string {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, n).join(' | ');
}
