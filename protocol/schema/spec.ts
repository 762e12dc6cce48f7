/**
 * The declarative message description: a TypeScript transcription of the facts in Kafka's JSON
 * message specs (field names camelCased, the same `versions`/`nullableVersions`/`tag` ranges).
 * Encoders and decoders are compiled from it per version (compile.ts), and the TypeScript body
 * types are derived from it (Body<...>), so widening a range is a table change.
 */
export type PrimitiveType = 'int8' | 'int16' | 'int32' | 'int64' | 'uint16' | 'float64' | 'bool' | 'string' | 'uuid' | 'bytes' | 'records';
export type FieldType = PrimitiveType | `[]${PrimitiveType}` | '[]' | 'struct';

export interface FieldSpec {
  readonly name: string;
  /**
   * '[]' = array of structs described by `fields`; 'struct' = one nested struct. 'uuid' is
   * Kafka's 16-byte Uuid, carried as its printed form (22 characters of URL-safe base64).
   */
  readonly type: FieldType;
  /** Kafka version range syntax: '0+', '3-5', '4'. */
  readonly versions: string;
  readonly nullableVersions?: string;
  readonly default?: number | bigint | boolean | string | null;
  readonly fields?: readonly FieldSpec[];
  /** KIP-482 tagged field: written in the tagged section of flexible versions. */
  readonly tag?: number;
  readonly taggedVersions?: string;
}

export interface MessageSpec {
  readonly name: string;
  readonly apiKey: number;
  readonly type: 'request' | 'response';
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly fields: readonly FieldSpec[];
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type PrimitiveValue<T> = T extends 'int64'
  ? bigint
  : T extends 'int8' | 'int16' | 'int32' | 'uint16' | 'float64'
    ? number
    : T extends 'bool'
      ? boolean
      : T extends 'string' | 'uuid'
        ? string
        : T extends 'bytes' | 'records'
          ? Buffer
          : never;

type FieldValue<F extends FieldSpec> = F['type'] extends '[]'
  ? Body<NonNullable<F['fields']>>[]
  : F['type'] extends 'struct'
    ? Body<NonNullable<F['fields']>>
    : F['type'] extends `[]${infer E}`
      ? PrimitiveValue<E>[]
      : PrimitiveValue<F['type']>;

type MaybeNull<F extends FieldSpec, V> = F extends { readonly nullableVersions: string } ? V | null : V;

/**
 * The JS shape of a struct. Fields present in every version ('0+', untagged) are required;
 * version-gated and tagged fields are optional when encoding (their Kafka default is written).
 * Decoding always fills every field, using the default for fields absent in that version.
 */
export type Body<Fs extends readonly FieldSpec[]> = Simplify<
  {
    -readonly [F in Fs[number] as F extends { readonly versions: '0+'; readonly tag?: undefined } ? F['name'] : never]: MaybeNull<F, FieldValue<F>>;
  } & {
    -readonly [F in Fs[number] as F extends { readonly versions: '0+'; readonly tag?: undefined } ? never : F['name']]?: MaybeNull<F, FieldValue<F>>;
  }
>;

export type MessageBody<M extends MessageSpec> = Body<M['fields']>;

/**
 * The shape decoders actually produce: every field present (absent-in-version fields carry
 * their default). decodeRequest/decodeResponse are typed with the encode-side Body for
 * compatibility; cast with `as Decoded<MetadataRequest>` to drop the optionality.
 */
export type Decoded<T> = unknown extends T
  ? T
  : T extends Buffer | bigint | number | string | boolean | null
    ? T
    : T extends ReadonlyArray<infer E>
      ? Decoded<E>[]
      : { [K in keyof T]-?: Decoded<Exclude<T[K], undefined>> };
