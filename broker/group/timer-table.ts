/**
 * Named timers of the group coordinator on common/'s Scheduler: scheduling a name again replaces
 * the previous timer of that name, so "the heartbeat timer of member m" is one thing.
 */
import type { Scheduler, TimerHandle } from '../../common/index.js';

export class TimerTable {
  private readonly handles = new Map<string, TimerHandle>();

  constructor(private readonly scheduler: Scheduler) {}

  set(name: string, delayMs: number, fn: () => void): void {
    this.clear(name);
    const handle = this.scheduler.setTimeout(() => {
      this.handles.delete(name);
      fn();
    }, delayMs);
    this.handles.set(name, handle);
  }

  clear(name: string): void {
    if (!this.handles.has(name)) return;
    this.scheduler.clearTimeout(this.handles.get(name));
    this.handles.delete(name);
  }

  /** Cancel every timer whose name starts with `prefix`. */
  clearPrefix(prefix: string): void {
    for (const name of [...this.handles.keys()]) if (name.startsWith(prefix)) this.clear(name);
  }

  has(name: string): boolean {
    return this.handles.has(name);
  }

  get size(): number {
    return this.handles.size;
  }
}
