/**
 * One operation at a time per key (per group). Node is single-threaded, but every `await`
 * lets another request in: each group's operations, timer callbacks included, run strictly in
 * arrival order, and a failing task never blocks the ones after it.
 */
export class KeyedSerialQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T> | T): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(task, task);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Keys with queued or running work. */
  get activeKeys(): number {
    return this.tails.size;
  }
}
