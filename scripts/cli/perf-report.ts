/**
 * What the two perf tools share: a latency recorder (sampled like Kafka's ProducerPerformance,
 * at most 500 000 samples), a terminal progress bar (only when stdout is a TTY), and number
 * formatting in Kafka's style.
 */

export class LatencyStats {
  private readonly samples: Float64Array;
  private readonly every: number;
  private n = 0;
  private kept = 0;
  count = 0;
  totalMs = 0;
  maxMs = 0;
  windowCount = 0;
  windowTotalMs = 0;
  windowMaxMs = 0;
  windowBytes = 0;
  windowStart = performance.now();

  constructor(expected: number) {
    const size = Math.max(1, Math.min(expected, 500_000));
    this.samples = new Float64Array(size);
    this.every = Math.max(1, Math.floor(expected / size));
  }

  record(latencyMs: number, bytes: number): void {
    this.count++;
    this.totalMs += latencyMs;
    if (latencyMs > this.maxMs) this.maxMs = latencyMs;
    this.windowCount++;
    this.windowTotalMs += latencyMs;
    this.windowBytes += bytes;
    if (latencyMs > this.windowMaxMs) this.windowMaxMs = latencyMs;
    if (this.n++ % this.every === 0 && this.kept < this.samples.length) this.samples[this.kept++] = latencyMs;
  }

  /** Kafka's window line; resets the window. */
  windowLine(now = performance.now()): string {
    const secs = Math.max((now - this.windowStart) / 1000, 1e-9);
    const line =
      `${this.windowCount} records sent, ${(this.windowCount / secs).toFixed(1)} records/sec (${(this.windowBytes / 1024 / 1024 / secs).toFixed(2)} MB/sec), ` +
      `${(this.windowCount === 0 ? 0 : this.windowTotalMs / this.windowCount).toFixed(1)} ms avg latency, ${this.windowMaxMs.toFixed(1)} ms max latency.`;
    this.windowCount = 0;
    this.windowTotalMs = 0;
    this.windowMaxMs = 0;
    this.windowBytes = 0;
    this.windowStart = now;
    return line;
  }

  percentiles(ps: readonly number[]): number[] {
    const sorted = Array.from(this.samples.subarray(0, this.kept)).sort((a, b) => a - b);
    return ps.map((p) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!));
  }
}

/** A one-line bar redrawn in place; a no-op when stdout is not a terminal. */
export class ProgressBar {
  private readonly enabled = process.stdout.isTTY === true;
  private last = 0;

  constructor(
    private readonly total: number,
    private readonly unit: string,
  ) {}

  update(done: number, ratePerSec: number, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const width = 30;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 0;
    const filled = Math.round(frac * width);
    process.stdout.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${this.total} ${this.unit} ${Math.round(ratePerSec)} ${this.unit}/s\x1b[K`);
  }

  clear(): void {
    if (this.enabled) process.stdout.write('\r\x1b[K');
  }
}

/** Kafka's ConsumerPerformance date format: yyyy-MM-dd HH:mm:ss:SSS (UTC here). */
export function kafkaDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}:${iso.slice(20, 23)}`;
}
