/**
 * The group coordinator as the composition root sees it: one object to build, to hook to the
 * ReplicaManager's leadership changes, and to stop. Offset expiry runs inside the coordinator
 * every offsets.retention.check.interval.ms (GroupCoordinator arms it at construction).
 */
import { silentLogger, type Logger } from '../logging.js';
import { GroupCoordinator, type GroupCoordinatorOptions } from './group-coordinator.js';
import { LogOffsetsStore, type OffsetsLogAccess } from './log-offsets-store.js';
import { OFFSETS_TOPIC_NAME } from './partition-for.js';

export interface GroupCoordinatorComponentOptions extends Omit<GroupCoordinatorOptions, 'store'> {
  /** What the ReplicaManager provides for `__consumer_offsets` (see log-offsets-store.ts). */
  log: OffsetsLogAccess;
  /** offsets.load.buffer.size */
  loadBufferSize?: number;
}

export class GroupCoordinatorComponent {
  readonly coordinator: GroupCoordinator;
  readonly store: LogOffsetsStore;
  private readonly logger: Logger;
  /** Loads and unloads in flight, so shutdown can wait for them. */
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(o: GroupCoordinatorComponentOptions) {
    this.logger = (o.logger ?? silentLogger()).child({ module: 'group-coordinator-component' });
    const { log, loadBufferSize, ...coordinatorOptions } = o;
    this.store = new LogOffsetsStore({
      log,
      commitTimeoutMs: o.config?.offsetsCommitTimeoutMs,
      loadBufferSize,
      logger: o.logger,
    });
    this.coordinator = new GroupCoordinator({ ...coordinatorOptions, store: this.store });
  }

  /**
   * Call for every partition whose role changed (LeaderAndIsr makeLeader/makeFollower, and
   * StopReplica as `isLeader = false`), in the order the changes were applied. Other topics are
   * ignored. Returns at once: the load (replay) continues in the background; groups of a loading
   * partition answer COORDINATOR_LOAD_IN_PROGRESS meanwhile. Order is kept because the engine
   * registers (or drops) ownership synchronously before its first await.
   */
  onLeadershipChange(topic: string, partition: number, isLeader: boolean): void {
    if (topic !== OFFSETS_TOPIC_NAME || this.stopped) return;
    const work = isLeader ? this.coordinator.onBecomeLeader(partition) : this.coordinator.onResign(partition);
    const tracked = work
      .catch((err: unknown) => this.logger.error({ err, partition, isLeader }, 'offsets partition leadership change failed'))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Resolves when every leadership change handed over so far has been applied (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.settled();
    await this.coordinator.shutdown();
  }
}
