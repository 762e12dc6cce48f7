/**
 * Random message bodies generated from a MessageSpec for one version, plus the body a decoder
 * must return for it (fields absent in that version read back as their defaults).
 */
import type { FieldSpec, MessageSpec } from '../../../protocol/index.js';
import { isFlexible } from '../../../protocol/index.js';
import type { SeededRandom } from './seeded-random.js';

function inRange(version: number, spec: string | undefined): boolean {
  if (spec === undefined || spec === 'none') return false;
  if (spec.endsWith('+')) return version >= Number(spec.slice(0, -1));
  if (spec.includes('-')) {
    const [a, b] = spec.split('-').map(Number) as [number, number];
    return version >= a && version <= b;
  }
  return version === Number(spec);
}

function defaultOf(f: FieldSpec): unknown {
  if (f.default !== undefined) return f.default;
  if (f.type.startsWith('[]')) return [];
  switch (f.type) {
    case 'struct':
      return Object.fromEntries((f.fields ?? []).map((sub) => [sub.name, defaultOf(sub)]));
    case 'uuid':
      return 'AAAAAAAAAAAAAAAAAAAAAA';
    case 'int64':
      return 0n;
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    default:
      return 0;
  }
}

function primitive(rnd: SeededRandom, type: string): unknown {
  switch (type) {
    case 'int8':
      return rnd.int(-128, 127);
    case 'int16':
      return rnd.int(-32768, 32767);
    case 'uint16':
      return rnd.int(0, 65535);
    case 'int32':
      return rnd.int(-2147483648, 2147483647);
    case 'int64':
      return rnd.bigint64();
    case 'float64':
      return rnd.next() * 1e6;
    case 'bool':
      return rnd.bool();
    case 'string':
      return rnd.string(20);
    case 'uuid':
      return rnd.bytes(16).toString('base64url');
    case 'bytes':
    case 'records':
      return rnd.bytes(rnd.int(0, 40));
    default:
      throw new Error(`no generator for ${type}`);
  }
}

export interface Generated {
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
}

export function randomStruct(rnd: SeededRandom, fields: readonly FieldSpec[], version: number, flexible: boolean, depth = 0): Generated {
  const input: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  for (const f of fields) {
    const tagged = f.tag !== undefined;
    const present = inRange(version, f.versions) && (!tagged || (flexible && inRange(version, f.taggedVersions)));
    if (!present) {
      expected[f.name] = defaultOf(f);
      if (rnd.bool(0.2)) input[f.name] = primitiveOrNothing(rnd, f);
      continue;
    }
    if (inRange(version, f.nullableVersions) && rnd.bool(0.15)) {
      input[f.name] = null;
      expected[f.name] = null;
      continue;
    }
    if (rnd.bool(0.1) && !tagged) {
      // omitted by the caller: the encoder writes the default
      expected[f.name] = defaultOf(f);
      continue;
    }
    if (f.type === '[]') {
      const n = depth > 2 ? 0 : rnd.int(0, 3);
      const items = Array.from({ length: n }, () => randomStruct(rnd, f.fields ?? [], version, flexible, depth + 1));
      input[f.name] = items.map((i) => i.input);
      expected[f.name] = items.map((i) => i.expected);
    } else if (f.type === 'struct') {
      const inner = randomStruct(rnd, f.fields ?? [], version, flexible, depth + 1);
      input[f.name] = inner.input;
      expected[f.name] = inner.expected;
    } else if (f.type.startsWith('[]')) {
      const items = Array.from({ length: rnd.int(0, 4) }, () => primitive(rnd, f.type.slice(2)));
      input[f.name] = items;
      expected[f.name] = items;
    } else {
      const v = primitive(rnd, f.type);
      input[f.name] = v;
      expected[f.name] = v;
    }
  }
  return { input, expected };
}

/** Values for fields the version does not have: the encoder must ignore them. */
function primitiveOrNothing(rnd: SeededRandom, f: FieldSpec): unknown {
  if (f.type === '[]' || f.type === 'struct') return [];
  if (f.type.startsWith('[]')) return [];
  return primitive(rnd, f.type);
}

export function randomBody(rnd: SeededRandom, spec: MessageSpec, version: number): Generated {
  return randomStruct(rnd, spec.fields, version, isFlexible(spec, version));
}

export function versionsOf(spec: MessageSpec): number[] {
  const [a, b] = spec.validVersions.split('-').map(Number) as [number, number];
  const out: number[] = [];
  for (let v = a; v <= (b ?? a); v++) out.push(v);
  return out;
}
