/**
 * The cleaner's key → latest offset map with a fixed memory budget (Kafka's SkimpyOffsetMap):
 * keys are reduced to a 64-bit xxhash and kept in two typed arrays with open addressing, so
 * memory is `capacity × 16` bytes whatever the key sizes. A hash collision can only make the
 * cleaner keep a record it could have dropped, never drop the newest value of a key... except
 * for two keys with the same 64-bit hash, a risk Kafka accepts too.
 */
import xxhash from 'xxhash-wasm';

export type KeyHasher = (key: Uint8Array) => bigint;

let loading: Promise<KeyHasher> | undefined;

/** xxhash64 from xxhash-wasm, instantiated once per process. */
export function loadKeyHasher(): Promise<KeyHasher> {
  loading ??= xxhash().then((api) => (key: Uint8Array) => api.h64Raw(key));
  return loading;
}

const EMPTY = 0n;
const MAX_LOAD = 0.9;

export class OffsetMap {
  private readonly hashes: BigUint64Array;
  private readonly offsets: BigInt64Array;
  private used = 0;
  /** Largest offset put so far (-1 when empty). */
  latestOffset = -1n;

  constructor(memoryBytes: number, private readonly hasher: KeyHasher) {
    const slots = Math.max(16, Math.floor(memoryBytes / 16));
    this.hashes = new BigUint64Array(slots);
    this.offsets = new BigInt64Array(slots);
  }

  get size(): number {
    return this.used;
  }

  /** Entries the map accepts before `put` refuses. */
  get capacity(): number {
    return Math.floor(this.hashes.length * MAX_LOAD);
  }

  get isFull(): boolean {
    return this.used >= this.capacity;
  }

  private slot(hash: bigint): number {
    const n = this.hashes.length;
    let i = Number(hash % BigInt(n));
    for (let probes = 0; probes < n; probes++) {
      const h = this.hashes[i]!;
      if (h === EMPTY || h === hash) return i;
      i = i + 1 === n ? 0 : i + 1;
    }
    return -1;
  }

  private hash(key: Uint8Array): bigint {
    const h = BigInt.asUintN(64, this.hasher(key));
    return h === EMPTY ? 1n : h; // 0 marks an empty slot
  }

  /** Records `offset` as the latest for `key`; false when the map is full and the key is new. */
  put(key: Uint8Array, offset: bigint): boolean {
    const hash = this.hash(key);
    const i = this.slot(hash);
    if (i < 0) return false;
    if (this.hashes[i] === EMPTY) {
      if (this.isFull) return false;
      this.hashes[i] = hash;
      this.used++;
    }
    this.offsets[i] = offset;
    if (offset > this.latestOffset) this.latestOffset = offset;
    return true;
  }

  /** Latest offset recorded for `key`, or -1. */
  get(key: Uint8Array): bigint {
    const i = this.slot(this.hash(key));
    return i < 0 || this.hashes[i] === EMPTY ? -1n : this.offsets[i]!;
  }

  clear(): void {
    this.hashes.fill(EMPTY);
    this.used = 0;
    this.latestOffset = -1n;
  }
}
