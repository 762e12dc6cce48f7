/**
 * Compiles a MessageSpec into an encoder/decoder pair for one version: a closure per field,
 * built once and cached, so the per-message cost is a walk over closures, not over the spec.
 */
import { ProtocolError } from '../errors.js';
import { Reader } from '../primitives/reader.js';
import { Writer } from '../primitives/writer.js';
import type { FieldSpec, MessageSpec, PrimitiveType } from './spec.js';
import { inVersionRange, parseVersionRange } from './versions.js';

type Enc = (w: Writer, v: unknown) => void;
type Dec = (r: Reader) => unknown;
type Obj = Record<string, unknown>;

interface StructCodec {
  encode(w: Writer, value: Obj): void;
  decode(r: Reader): Obj;
}

const EMPTY = Buffer.alloc(0);
/** Kafka's Uuid.ZERO_UUID, the default of every uuid field. */
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

function primitiveDefault(type: PrimitiveType): unknown {
  switch (type) {
    case 'int64':
      return 0n;
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
      return EMPTY;
    case 'records':
      return null;
    default:
      return 0;
  }
}

/** A fresh default each time: arrays and structs must not be shared between decoded messages. */
function defaultOf(f: FieldSpec): unknown {
  if (f.default !== undefined) return f.type === 'int64' && typeof f.default === 'number' ? BigInt(f.default) : f.default;
  if (f.type.startsWith('[]')) return [];
  if (f.type === 'struct') {
    const out: Obj = {};
    for (const sub of f.fields ?? []) out[sub.name] = defaultOf(sub);
    return out;
  }
  return primitiveDefault(f.type as PrimitiveType);
}

/**
 * Kafka writes a tagged field only when it differs from its default (an empty array, a struct
 * whose every field is at its default, ...); omitted input counts as the default.
 */
function isDefault(f: FieldSpec, v: unknown): boolean {
  if (v === undefined) return true;
  if (f.type === 'struct') {
    if (v === null || typeof v !== 'object') return false;
    return (f.fields ?? []).every((sub) => isDefault(sub, (v as Obj)[sub.name]));
  }
  const d = defaultOf(f);
  if (Array.isArray(d)) return Array.isArray(v) && v.length === 0;
  if (Buffer.isBuffer(d)) return Buffer.isBuffer(v) && v.length === 0;
  if (typeof d === 'bigint') return (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) && BigInt(v) === d;
  return v === d;
}

function toBigInt(v: unknown): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

function primitiveCodec(type: PrimitiveType, flexible: boolean, nullable: boolean): { enc: Enc; dec: Dec } {
  switch (type) {
    case 'int8':
      return { enc: (w, v) => w.int8(v as number), dec: (r) => r.int8() };
    case 'int16':
      return { enc: (w, v) => w.int16(v as number), dec: (r) => r.int16() };
    case 'int32':
      return { enc: (w, v) => w.int32(v as number), dec: (r) => r.int32() };
    case 'uint16':
      return { enc: (w, v) => w.uint16(v as number), dec: (r) => r.uint16() };
    case 'int64':
      return { enc: (w, v) => w.int64(toBigInt(v)), dec: (r) => r.int64() };
    case 'float64':
      return { enc: (w, v) => w.float64(v as number), dec: (r) => r.float64() };
    case 'bool':
      return { enc: (w, v) => w.bool(v as boolean), dec: (r) => r.bool() };
    case 'uuid':
      return { enc: (w, v) => w.uuid(v as string), dec: (r) => r.uuid() };
    case 'string':
      if (flexible) {
        return nullable
          ? { enc: (w, v) => w.compactNullableString(v as string | null), dec: (r) => r.compactNullableString() }
          : { enc: (w, v) => w.compactString(v as string), dec: (r) => r.compactString() };
      }
      return nullable
        ? { enc: (w, v) => w.nullableString(v as string | null), dec: (r) => r.nullableString() }
        : { enc: (w, v) => w.string(v as string), dec: (r) => r.string() };
    case 'bytes':
    case 'records':
      if (flexible) {
        return nullable
          ? { enc: (w, v) => w.compactNullableBytes(v as Buffer | null), dec: (r) => r.compactNullableBytes() }
          : { enc: (w, v) => w.compactBytes(v as Buffer), dec: (r) => r.compactBytes() };
      }
      return nullable
        ? { enc: (w, v) => w.nullableBytes(v as Buffer | null), dec: (r) => r.nullableBytes() }
        : { enc: (w, v) => w.bytes(v as Buffer), dec: (r) => r.bytes() };
    default:
      throw new Error(`unknown primitive type ${String(type)}`);
  }
}

function arrayCodec(item: { enc: Enc; dec: Dec }, flexible: boolean, nullable: boolean): { enc: Enc; dec: Dec } {
  const enc: Enc = (w, v) => {
    if (v === null) {
      if (flexible) w.uvarint(0);
      else w.int32(-1);
      return;
    }
    const items = v as unknown[];
    if (flexible) w.uvarint(items.length + 1);
    else w.int32(items.length);
    for (let i = 0; i < items.length; i++) item.enc(w, items[i]);
  };
  const dec: Dec = (r) => {
    const n = r.arrayLength(flexible, nullable);
    if (n === -1) return null;
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = item.dec(r);
    return out;
  };
  return { enc, dec };
}

function fieldCodec(f: FieldSpec, version: number, flexible: boolean, path: string): { enc: Enc; dec: Dec } {
  const nullable = inVersionRange(version, f.nullableVersions);
  let base: { enc: Enc; dec: Dec };
  if (f.type === '[]' || f.type === 'struct') {
    const inner = compileStruct(f.fields ?? [], version, flexible, path);
    const structCodec = { enc: (w: Writer, v: unknown) => inner.encode(w, v as Obj), dec: (r: Reader) => inner.decode(r) };
    base = f.type === '[]' ? arrayCodec(structCodec, flexible, nullable) : structCodec;
  } else if (f.type.startsWith('[]')) {
    base = arrayCodec(primitiveCodec(f.type.slice(2) as PrimitiveType, flexible, false), flexible, nullable);
  } else {
    base = primitiveCodec(f.type as PrimitiveType, flexible, nullable);
  }
  if (nullable || (f.type !== 'string' && f.type !== 'bytes' && f.type !== 'records' && !f.type.startsWith('[]'))) return base;
  return {
    enc: (w, v) => {
      if (v === null) throw new ProtocolError('PRT_ENCODE', `${path} is not nullable in version ${version}`);
      base.enc(w, v);
    },
    dec: base.dec,
  };
}

interface CompiledField {
  name: string;
  spec: FieldSpec;
  enc: Enc;
  dec: Dec;
}

function compileStruct(fields: readonly FieldSpec[], version: number, flexible: boolean, path: string): StructCodec {
  const regular: CompiledField[] = [];
  const tagged: Array<CompiledField & { tag: number }> = [];
  const absent: FieldSpec[] = [];
  for (const f of fields) {
    const fpath = `${path}.${f.name}`;
    if (!inVersionRange(version, f.versions)) {
      absent.push(f);
    } else if (f.tag !== undefined) {
      if (flexible && inVersionRange(version, f.taggedVersions)) {
        tagged.push({ name: f.name, spec: f, tag: f.tag, ...fieldCodec(f, version, true, fpath) });
      } else absent.push(f);
    } else {
      regular.push({ name: f.name, spec: f, ...fieldCodec(f, version, flexible, fpath) });
    }
  }
  tagged.sort((a, b) => a.tag - b.tag);

  const encode = (w: Writer, value: Obj): void => {
    for (let i = 0; i < regular.length; i++) {
      const f = regular[i]!;
      let v = value[f.name];
      if (v === undefined) v = defaultOf(f.spec);
      f.enc(w, v);
    }
    if (!flexible) return;
    const tags = new Map<number, Buffer>();
    for (const f of tagged) {
      const v = value[f.name];
      if (isDefault(f.spec, v)) continue;
      const sub = new Writer(64);
      f.enc(sub, v);
      tags.set(f.tag, Buffer.from(sub.finish()));
    }
    w.taggedFields(tags);
  };

  const decode = (r: Reader): Obj => {
    const out: Obj = {};
    for (let i = 0; i < regular.length; i++) {
      const f = regular[i]!;
      out[f.name] = f.dec(r);
    }
    for (const f of absent) out[f.name] = defaultOf(f);
    if (flexible) {
      const tags = r.taggedFields();
      for (const f of tagged) {
        const raw = tags?.get(f.tag);
        out[f.name] = raw === undefined ? defaultOf(f.spec) : f.dec(new Reader(raw));
      }
    }
    return out;
  };
  return { encode, decode };
}

export interface MessageCodec {
  readonly spec: MessageSpec;
  readonly version: number;
  readonly flexible: boolean;
  encode(w: Writer, body: unknown): void;
  decode(r: Reader): unknown;
}

const compiled = new WeakMap<MessageSpec, Map<number, MessageCodec>>();

export function isFlexible(spec: MessageSpec, version: number): boolean {
  return inVersionRange(version, spec.flexibleVersions);
}

function isValidVersion(spec: MessageSpec, version: number): boolean {
  const r = parseVersionRange(spec.validVersions);
  return version >= r.min && version <= r.max;
}

/** The codec for one version of a message, compiled on first use. */
export function messageCodec(spec: MessageSpec, version: number): MessageCodec {
  let byVersion = compiled.get(spec);
  if (byVersion === undefined) {
    byVersion = new Map();
    compiled.set(spec, byVersion);
  }
  let codec = byVersion.get(version);
  if (codec === undefined) {
    if (!isValidVersion(spec, version)) {
      throw new ProtocolError('PRT_UNSUPPORTED_VERSION', `${spec.name} version ${version} is not supported (valid ${spec.validVersions})`);
    }
    const flexible = isFlexible(spec, version);
    const struct = compileStruct(spec.fields, version, flexible, spec.name);
    codec = {
      spec,
      version,
      flexible,
      encode: (w, body) => struct.encode(w, (body ?? {}) as Obj),
      decode: (r) => struct.decode(r),
    };
    byVersion.set(version, codec);
  }
  return codec;
}
