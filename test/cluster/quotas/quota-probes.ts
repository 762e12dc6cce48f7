/**
 * What the quota tests read off the brokers: configs.sh, each broker's GET /quotas and its
 * Prometheus metrics per client id. Getters, because the cluster starts in the suite's before().
 */
import type { TestCluster } from '../../helpers/cluster.js';
import { parsePrometheusText } from '../../helpers/prometheus-text.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ok } from '../cli/run-tool.js';

export interface QuotaProbes {
  /** configs.sh against the cluster; resolves to its output. */
  configs(...args: string[]): Promise<string>;
  /** ms until every broker's GET /quotas shows `clientId` with `key` = value (or without it when undefined). */
  msUntilEveryBroker(clientId: string, key: string, value: number | undefined): Promise<number>;
  /** One metric's value for `clientId` on broker `id`. */
  metric(id: number, name: string, clientId: string): Promise<number | undefined>;
  /** The largest value of each named metric for `clientId` on broker `id`, scraped every 300 ms while `work` runs (the rates are windowed and fade after it). */
  peakWhile<T>(id: number, names: string[], clientId: string, work: Promise<T>): Promise<{ result: T; peak: Map<string, number> }>;
}

export function quotaProbes(cluster: () => TestCluster, adminPorts: () => number[]): QuotaProbes {
  const admin = (id: number, path: string): Promise<Response> => fetch(`http://127.0.0.1:${adminPorts()[id - 1]}${path}`, { signal: AbortSignal.timeout(5_000) });

  const metric = async (id: number, name: string, clientId: string): Promise<number | undefined> =>
    parsePrometheusText(await (await admin(id, '/metrics')).text()).get(name)?.samples.find((s) => s.labels.client_id === clientId)?.value;

  return {
    configs: (...args) => ok('configs', ['--bootstrap-server', cluster().bootstrap, ...args]),
    metric,
    async msUntilEveryBroker(clientId, key, value) {
      const start = Date.now();
      await waitFor(async () => {
        for (const id of [1, 2, 3]) {
          const quotas = ((await (await admin(id, '/quotas')).json()) as { quotas: Array<{ entity: { clientId?: string; user?: string }; values: Record<string, number> }> }).quotas;
          const q = quotas.find((e) => e.entity.clientId === clientId && e.entity.user === undefined);
          if (q?.values[key] !== value) return false;
        }
        return true;
      }, `every broker to apply ${key}=${value} for ${clientId}`, { timeoutMs: 10_000, intervalMs: 10 });
      return Date.now() - start;
    },
    async peakWhile(id, names, clientId, work) {
      const peak = new Map<string, number>(names.map((n) => [n, 0]));
      const sample = async (): Promise<void> => {
        for (const n of names) peak.set(n, Math.max(peak.get(n)!, (await metric(id, n, clientId).catch(() => undefined)) ?? 0));
      };
      const samples: Promise<void>[] = [];
      const timer = setInterval(() => samples.push(sample()), 300);
      try {
        const result = await work;
        samples.push(sample());
        return { result, peak };
      } finally {
        clearInterval(timer);
        await Promise.all(samples);
      }
    },
  };
}
