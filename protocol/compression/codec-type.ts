/** Compression codec ids as stored in bits 0–2 of the record batch attributes. */
export const CompressionType = Object.freeze({ None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const);
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];

export function compressionName(type: number): string {
  return ['none', 'gzip', 'snappy', 'lz4', 'zstd'][type] ?? `unknown(${type})`;
}
