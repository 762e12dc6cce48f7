/**
 * One golden case per api: for every version, the full body (as decoding returns it: fields the
 * version lacks at their Kafka default) and the expected bytes, written with the independent
 * Bytes oracle from Kafka's JSON message spec.
 */
import type { Decoded, RequestBodyMap, ResponseBodyMap } from '../../../../protocol/index.js';
import type { Bytes } from './bytes.js';

export interface MessageCase<T> {
  /** The body at version v. Give every field a non-default value in the versions that have it. */
  body(v: number): T;
  /** The bytes of `x` at version v, field by field in spec order (tagged sections included). */
  bytes(b: Bytes, v: number, x: T): void;
}

type Key = keyof RequestBodyMap & keyof ResponseBodyMap;

export interface ApiCase<K extends Key = Key> {
  readonly api: K;
  /** The spec's flexibleVersions start (Infinity: "none"), stated here, not read from protocol/. */
  readonly flexibleFrom: number;
  readonly request: MessageCase<Decoded<RequestBodyMap[K]>>;
  readonly response: MessageCase<Decoded<ResponseBodyMap[K]>>;
}

/** Typed constructor: the body literals are checked against the api's decoded shape. */
export function apiCase<K extends Key>(c: ApiCase<K>): ApiCase {
  return c as unknown as ApiCase;
}
