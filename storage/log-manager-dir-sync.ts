/**
 * Coalesced fsyncs of a log directory. Creating a log makes an entry in its log directory that
 * must survive a crash, so the directory is fsynced before the log is used; creating 10,000
 * logs at once (one LeaderAndIsr) must not mean 10,000 fsyncs of the same directory. A caller
 * joins the next sync that has not started yet: a sync already running may have begun before
 * the caller's entry was made, so it does not count for it.
 */
export class DirectorySyncs {
  private readonly running = new Map<string, Promise<void>>();
  private readonly queued = new Map<string, Promise<void>>();

  constructor(private readonly syncDir: (dir: string) => Promise<void>) {}

  /** Resolves once a sync of `dir` that started after this call has completed. */
  sync(dir: string): Promise<void> {
    const queued = this.queued.get(dir);
    if (queued !== undefined) return queued;
    const before = this.running.get(dir) ?? Promise.resolve();
    const next = before
      .catch(() => undefined) // the previous sync's failure belongs to its own callers
      .then(async () => {
        this.queued.delete(dir);
        this.running.set(dir, next);
        try {
          await this.syncDir(dir);
        } finally {
          if (this.running.get(dir) === next) this.running.delete(dir);
        }
      });
    this.queued.set(dir, next);
    return next;
  }

  /** Directory syncs started so far (for tests). */
  get inFlight(): number {
    return this.running.size + this.queued.size;
  }
}
