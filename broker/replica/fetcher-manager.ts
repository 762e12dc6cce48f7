/**
 * Which fetcher fetches which followed partition (Kafka's ReplicaFetcherManager): one
 * `ReplicaFetcher` per source (leader) broker, created on first use and shut down when its last
 * partition leaves.
 */
import type { Partition } from './partition.js';
import { ReplicaFetcher, type FetcherDeps } from './replica-fetcher.js';

export class ReplicaFetcherManager {
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private readonly sourceOf = new Map<string, number>();
  private stopped = false;

  constructor(private readonly deps: FetcherDeps) {}

  /** Source broker of a followed partition (tests, metrics). */
  sourceBroker(key: string): number | undefined {
    return this.sourceOf.get(key);
  }

  get fetcherCount(): number {
    return this.fetchers.size;
  }

  addPartition(p: Partition, leaderId: number, leaderEpoch: number): void {
    if (this.stopped) return;
    let f = this.fetchers.get(leaderId);
    if (f === undefined) this.fetchers.set(leaderId, (f = new ReplicaFetcher(leaderId, this.deps)));
    this.sourceOf.set(p.key, leaderId);
    f.addPartition(p, leaderEpoch);
  }

  /** Resolves once no fetcher writes these partitions any more. */
  async removePartitions(keys: readonly string[]): Promise<void> {
    const bySource = new Map<number, string[]>();
    for (const k of keys) {
      const src = this.sourceOf.get(k);
      if (src === undefined) continue;
      this.sourceOf.delete(k);
      bySource.set(src, [...(bySource.get(src) ?? []), k]);
    }
    await Promise.all(
      [...bySource].map(async ([src, ks]) => {
        const f = this.fetchers.get(src);
        if (f === undefined) return;
        await f.removePartitions(ks);
        if (f.partitionCount === 0 && this.fetchers.get(src) === f) {
          this.fetchers.delete(src);
          await f.shutdown();
        }
      }),
    );
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    const all = [...this.fetchers.values()];
    this.fetchers.clear();
    this.sourceOf.clear();
    await Promise.all(all.map((f) => f.shutdown()));
  }
}
