/** Deterministic PRNG (mulberry32) so property tests replay exactly from a printed seed. */
export class SeededRandom {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  bool(pTrue = 0.5): boolean {
    return this.next() < pTrue;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }
  /** Compressible bytes: repeated words, like real payloads. */
  text(n: number): Buffer {
    const words = ['kafka', 'samsa', 'record', 'batch', ' ', 'offset', '{"a":1}', 'é', '日本'];
    const parts: string[] = [];
    let size = 0;
    while (size < n) {
      const w = this.pick(words);
      parts.push(w);
      size += Buffer.byteLength(w);
    }
    return Buffer.from(parts.join('')).subarray(0, n);
  }
  string(maxLen: number): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz-_.0123456789éß日';
    let s = '';
    const n = this.int(0, maxLen);
    for (let i = 0; i < n; i++) s += alphabet[this.int(0, alphabet.length - 1)];
    return s;
  }
  bigint64(): bigint {
    const hi = BigInt(this.int(0, 0xffffffff));
    const lo = BigInt(this.int(0, 0xffffffff));
    return BigInt.asIntN(64, (hi << 32n) | lo);
  }
}

export function testSeed(): number {
  const env = process.env['SAMSA_TEST_SEED'];
  return env !== undefined ? Number(env) : 0x5a45a;
}
