/**
 * bufferMemory accounting: bytes held by records waiting in the accumulator or in flight.
 * A reservation that does not fit waits, first come first served (so a later small record
 * cannot overtake an earlier big one and reorder a partition), and fails after maxBlockMs.
 */
import type { Scheduler, TimerHandle } from '../../common/index.js';
import { KafkaClientError } from '../errors.js';

interface Waiter {
  bytes: number;
  resolve: () => void;
  reject: (err: KafkaClientError) => void;
  timer: TimerHandle | undefined;
}

export class BufferPool {
  private used = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    readonly totalBytes: number,
    private readonly maxBlockMs: number,
    private readonly scheduler: Scheduler,
  ) {}

  get usedBytes(): number {
    return this.used;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Reserve without waiting; false if it does not fit now (or others are already waiting). */
  tryReserve(bytes: number): boolean {
    if (this.waiters.length > 0 || this.used + bytes > this.totalBytes) return false;
    this.used += bytes;
    return true;
  }

  /** Reserve, waiting up to maxBlockMs for memory to be released. */
  reserve(bytes: number): Promise<void> {
    if (bytes > this.totalBytes) {
      return Promise.reject(
        new KafkaClientError('CLI_RECORD_TOO_LARGE', `a record of ~${bytes} bytes exceeds bufferMemory (${this.totalBytes})`),
      );
    }
    if (this.tryReserve(bytes)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { bytes, resolve, reject, timer: undefined };
      waiter.timer = this.scheduler.setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(
          new KafkaClientError(
            'CLI_BUFFER_EXHAUSTED',
            `bufferMemory (${this.totalBytes} bytes) stayed full for maxBlockMs (${this.maxBlockMs} ms)`,
            { retriable: true },
          ),
        );
        // The head may have been the one blocking smaller waiters behind it.
        this.wake();
      }, this.maxBlockMs);
      this.waiters.push(waiter);
    });
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    this.wake();
  }

  /** Fail every waiter (the producer is closing). */
  abortWaiters(err: KafkaClientError): void {
    for (const w of this.waiters.splice(0)) {
      if (w.timer !== undefined) this.scheduler.clearTimeout(w.timer);
      w.reject(err);
    }
  }

  private wake(): void {
    while (this.waiters.length > 0) {
      const head = this.waiters[0]!;
      if (this.used + head.bytes > this.totalBytes) return;
      this.waiters.shift();
      this.used += head.bytes;
      if (head.timer !== undefined) this.scheduler.clearTimeout(head.timer);
      head.resolve();
    }
  }
}
