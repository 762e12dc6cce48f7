/**
 * Partitioners choose a partition for each record. Keyed records hash their key (xxhash32 by
 * default; murmur2 for Java-client compatibility). Keyless records stick to one partition per
 * topic until the accumulator starts a new batch for it (KIP-480 sticky partitioning), so
 * keyless traffic fills whole batches instead of spraying tiny ones.
 */
import { murmur2, toPositive } from './murmur2.js';
import { xxhash32 } from './xxhash.js';

export interface PartitionerArgs {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Total number of partitions of the topic. */
  partitionCount: number;
  /** Partitions that currently have a leader (may be empty when metadata is partial). */
  availablePartitions: readonly number[];
}

export interface Partitioner {
  partition(args: PartitionerArgs): number;
  /**
   * Called by the producer when a new batch was started for a partition this partitioner chose
   * for a keyless record: the sticky choice moves on.
   */
  onNewBatch?(topic: string, previousPartition: number, args: Omit<PartitionerArgs, 'key' | 'value'>): void;
}

/** Random integer in [0, n). Injected for deterministic tests. */
type RandomInt = (n: number) => number;

const defaultRandom: RandomInt = (n) => Math.floor(Math.random() * n);

/** One sticky partition per topic for keyless records. */
export class StickyPartitionCache {
  private readonly current = new Map<string, number>();

  constructor(private readonly random: RandomInt = defaultRandom) {}

  partition(topic: string, partitionCount: number, available: readonly number[]): number {
    const p = this.current.get(topic);
    if (p !== undefined && p < partitionCount) return p;
    return this.next(topic, -1, partitionCount, available);
  }

  next(topic: string, previous: number, partitionCount: number, available: readonly number[]): number {
    const old = this.current.get(topic);
    // Only move on if the batch that just filled up is the one we were sticking to.
    if (old !== undefined && old !== previous && old < partitionCount) return old;
    const pool = available.length > 0 ? available : range(partitionCount);
    let choice: number;
    if (pool.length === 1) {
      choice = pool[0]!;
    } else {
      const candidates = pool.filter((q) => q !== previous);
      choice = candidates[this.random(candidates.length)]!;
    }
    this.current.set(topic, choice);
    return choice;
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function hashPartitioner(hash: (key: Buffer) => number, random?: RandomInt): Partitioner {
  const sticky = new StickyPartitionCache(random);
  return {
    partition(args) {
      if (args.key === null) return sticky.partition(args.topic, args.partitionCount, args.availablePartitions);
      return hash(args.key) % args.partitionCount;
    },
    onNewBatch(topic, previousPartition, args) {
      sticky.next(topic, previousPartition, args.partitionCount, args.availablePartitions);
    },
  };
}

/** Default: xxhash32 of the key; sticky for keyless records. Requires `loadXxhash()`. */
export function defaultPartitioner(random?: RandomInt): Partitioner {
  return hashPartitioner((key) => xxhash32(key), random);
}

/** Java-client compatible: `toPositive(murmur2(key)) % partitions`; sticky for keyless. */
export function murmur2Partitioner(random?: RandomInt): Partitioner {
  return hashPartitioner((key) => toPositive(murmur2(key)), random);
}

/** Round-robin over available partitions, ignoring keys. */
export function roundRobinPartitioner(): Partitioner {
  const counters = new Map<string, number>();
  return {
    partition(args) {
      const n = counters.get(args.topic) ?? 0;
      counters.set(args.topic, n + 1);
      const pool = args.availablePartitions.length > 0 ? args.availablePartitions : range(args.partitionCount);
      return pool[n % pool.length]!;
    },
  };
}

/** Wrap a plain function as a partitioner (custom partitioning). */
export function customPartitioner(fn: (args: PartitionerArgs) => number): Partitioner {
  return { partition: fn };
}
