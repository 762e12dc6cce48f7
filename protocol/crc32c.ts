/**
 * CRC-32C (Castagnoli), the checksum of record batch v2. The native implementation is the hot
 * path; the slice-by-8 JavaScript version is the fallback and the test oracle.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

const POLY = 0x82f63b78; // reflected Castagnoli polynomial

function buildTables(): Uint32Array[] {
  const tables: Uint32Array[] = [];
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[n] = c >>> 0;
  }
  tables.push(t0);
  for (let t = 1; t < 8; t++) {
    const prev = tables[t - 1]!;
    const cur = new Uint32Array(256);
    for (let n = 0; n < 256; n++) cur[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
    tables.push(cur);
  }
  return tables;
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = buildTables() as [
  Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array,
];

/** Pure-JS CRC-32C; `initial` continues a previous result (same convention as the native one). */
export function crc32cJs(data: Uint8Array, initial = 0): number {
  let crc = ~initial >>> 0;
  let i = 0;
  const n = data.length;
  const end8 = n - (n % 8);
  while (i < end8) {
    const a = (crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    crc =
      T7[a & 0xff]! ^
      T6[(a >>> 8) & 0xff]! ^
      T5[(a >>> 16) & 0xff]! ^
      T4[a >>> 24]! ^
      T3[data[i + 4]!]! ^
      T2[data[i + 5]!]! ^
      T1[data[i + 6]!]! ^
      T0[data[i + 7]!]!;
    i += 8;
  }
  while (i < n) crc = T0[(crc ^ data[i++]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function probeNative(): boolean {
  try {
    return nativeCrc32c(Buffer.from('123456789')) >>> 0 === 0xe3069283;
  } catch {
    return false;
  }
}

const NATIVE_OK = probeNative();

/** CRC-32C of `data` as an unsigned 32-bit number. */
export function crc32c(data: Uint8Array, initial = 0): number {
  if (NATIVE_OK) return nativeCrc32c(data, initial) >>> 0;
  return crc32cJs(data, initial);
}
