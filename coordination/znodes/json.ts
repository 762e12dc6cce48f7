/** Strict readers for znode JSON: a malformed node is a CRD_BAD_DATA error naming the path. */
import { CoordinationError } from '../errors.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function parseJsonObject(data: Buffer | null, path: string): JsonObject {
  if (data === null || data.length === 0) throw bad(path, 'is empty');
  let v: unknown;
  try {
    v = JSON.parse(data.toString('utf8'));
  } catch {
    throw bad(path, `is not JSON: ${truncate(data.toString('utf8'))}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(path, 'is not a JSON object');
  return v as JsonObject;
}

export function bad(path: string, what: string): CoordinationError {
  return new CoordinationError('CRD_BAD_DATA', `znode ${path} ${what}`, { path });
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

export function num(o: JsonObject, key: string, path: string): number {
  const v = o[key];
  // Kafka writes some numbers as strings (timestamps, block bounds); accept both on read.
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw bad(path, `has no numeric "${key}"`);
  return n;
}

export function optNum(o: JsonObject, key: string, path: string, fallback: number): number {
  return o[key] === undefined || o[key] === null ? fallback : num(o, key, path);
}

export function str(o: JsonObject, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw bad(path, `has no string "${key}"`);
  return v;
}

export function intArray(v: Json | undefined, path: string, what: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x))) throw bad(path, `has a bad ${what}`);
  return v as number[];
}

export function bigStr(o: JsonObject, key: string, path: string): bigint {
  const v = o[key];
  try {
    if (typeof v === 'string' || typeof v === 'number') return BigInt(v);
  } catch {
    // fall through
  }
  throw bad(path, `has no integer "${key}"`);
}

export function encode(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
