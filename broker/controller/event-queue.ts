/**
 * The controller's single event queue (Kafka's ControllerEventManager): events are processed one
 * at a time, each to completion (including its awaits) before the next starts, so no two
 * controller decisions ever interleave. `clearAndPut` drops everything queued (session expiry:
 * nothing decided under the old session may run) but never interrupts the running event.
 */
interface QueuedEvent {
  readonly type: string;
}

export class ControllerEventQueue<E extends QueuedEvent> {
  private queue: E[] = [];
  private running = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private current: E | undefined;

  constructor(
    private readonly process: (event: E) => Promise<void>,
    private readonly onError: (event: E, err: unknown) => void,
  ) {}

  put(event: E): void {
    if (this.closed) return;
    this.queue.push(event);
    this.pump();
  }

  /** Drops queued events (they are returned so the caller can answer waiting callers). */
  clearAndPut(event: E): E[] {
    const dropped = this.queue;
    this.queue = [];
    this.put(event);
    return dropped;
  }

  get size(): number {
    return this.queue.length;
  }

  get processing(): string | undefined {
    return this.current?.type;
  }

  /** Resolves when the queue is empty and nothing is running. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): E[] {
    this.closed = true;
    const dropped = this.queue;
    this.queue = [];
    return dropped;
  }

  private pump(): void {
    if (this.running) return;
    this.running = true;
    void (async () => {
      while (this.queue.length > 0) {
        const event = this.queue.shift()!;
        this.current = event;
        try {
          await this.process(event);
        } catch (err) {
          this.onError(event, err);
        }
        this.current = undefined;
      }
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    })();
  }
}
