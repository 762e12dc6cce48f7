/**
 * xxhash32 for the default partitioner. xxhash-wasm initialises asynchronously, once per
 * process; `loadXxhash()` is awaited by `Producer.connect()` before the first record is placed.
 */
import xxhashWasm from 'xxhash-wasm';
import { KafkaClientError } from '../errors.js';

type Hash32 = (input: Uint8Array, seed?: number) => number;

let hash32: Hash32 | undefined;
let loading: Promise<void> | undefined;

export function loadXxhash(): Promise<void> {
  loading ??= xxhashWasm().then((api) => {
    hash32 = api.h32Raw;
  });
  return loading;
}

/** Unsigned 32-bit xxhash32 of `data` (seed 0). `loadXxhash()` must have resolved. */
export function xxhash32(data: Uint8Array): number {
  if (hash32 === undefined) {
    throw new KafkaClientError('CLI_INVALID_CONFIG', 'xxhash is not loaded: await loadXxhash() (Producer.connect() does)');
  }
  return hash32(data, 0) >>> 0;
}
