/**
 * Requests issued while a ZooKeeper session has no connected client wait here, each up to its
 * own deadline: released together when a client connects, failed together when the session
 * closes.
 */
import type { Scheduler } from '../../common/index.js';
import { CoordinationError } from '../errors.js';

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

export class ConnectionWaiters {
  private waiters: Waiter[] = [];

  /** `servers`: the connect string, for the timeout message. */
  constructor(private readonly sched: Scheduler, private readonly servers: string) {}

  /** Resolves on the next `releaseAll`, rejects with CRD_TIMEOUT after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          this.sched.clearTimeout(t);
          resolve();
        },
        reject: (err) => {
          this.sched.clearTimeout(t);
          reject(err);
        },
      };
      const t = this.sched.setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new CoordinationError('CRD_TIMEOUT', `not connected to ZooKeeper (${this.servers}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  releaseAll(): void {
    for (const w of this.take()) w.resolve();
  }

  failAll(err: Error): void {
    for (const w of this.take()) w.reject(err);
  }

  private take(): Waiter[] {
    const waiters = this.waiters;
    this.waiters = [];
    return waiters;
  }
}
