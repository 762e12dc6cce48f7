/**
 * Serializers turn application values into record key/value bytes and back. `null` passes
 * through as a null key/value (a tombstone for compacted topics), never as the string "null".
 */
import { Packr } from 'msgpackr';
import { KafkaClientError } from './errors.js';

export type Serializer<T> = (value: T, topic: string) => Buffer | null;
export type Deserializer<T> = (data: Buffer | null, topic: string) => T | null;

export interface Serde<T> {
  serialize: Serializer<T>;
  deserialize: Deserializer<T>;
}

export const bytesSerde: Serde<Buffer | Uint8Array> = {
  serialize: (value) => {
    if (value === null || value === undefined) return null;
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  },
  deserialize: (data) => data,
};

export const stringSerde: Serde<string> = {
  serialize: (value) => (value === null || value === undefined ? null : Buffer.from(value, 'utf8')),
  deserialize: (data) => (data === null ? null : data.toString('utf8')),
};

export const jsonSerde: Serde<unknown> = {
  serialize: (value, topic) => {
    if (value === null || value === undefined) return null;
    try {
      return Buffer.from(JSON.stringify(value), 'utf8');
    } catch (cause) {
      throw new KafkaClientError('CLI_SERIALIZATION', `cannot JSON-encode a value for topic ${topic}`, { cause });
    }
  },
  deserialize: (data, topic) => {
    if (data === null) return null;
    try {
      return JSON.parse(data.toString('utf8')) as unknown;
    } catch (cause) {
      throw new KafkaClientError('CLI_SERIALIZATION', `cannot JSON-decode a value from topic ${topic}`, { cause });
    }
  },
};

// Records must decode on their own (a consumer may start anywhere), so no shared structures.
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'bigint' });

export const msgpackSerde: Serde<unknown> = {
  serialize: (value, topic) => {
    if (value === null || value === undefined) return null;
    try {
      return packr.pack(value);
    } catch (cause) {
      throw new KafkaClientError('CLI_SERIALIZATION', `cannot msgpack-encode a value for topic ${topic}`, { cause });
    }
  },
  deserialize: (data, topic) => {
    if (data === null) return null;
    try {
      return packr.unpack(data) as unknown;
    } catch (cause) {
      throw new KafkaClientError('CLI_SERIALIZATION', `cannot msgpack-decode a value from topic ${topic}`, { cause });
    }
  },
};
