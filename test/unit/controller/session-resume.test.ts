import { expect } from 'chai';
import { TopicAdmin } from '../../../broker/admin/index.js';
import type { CoordinationStore, NodeData, Op, OpResult, SessionListener, Stat, Watcher } from '../../../coordination/index.js';
import { FakeZooKeeper, type FakeCoordinationStore } from '../../helpers/fake-coordination-store.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ControllerHarness } from '../../cluster/controller/harness.js';

/**
 * What ZkSession does when the watchdog (or a ZooKeeper outage longer than the handshake timeout)
 * moves the SAME session to a new client object: ephemerals survive, every watch registered on
 * the old object is silently lost, and listeners get `newSession` with the unchanged id.
 */
class ResumableStore implements CoordinationStore {
  private generation = 0;
  private wrapped = new WeakMap<Watcher, Watcher>();
  private readonly listeners = new Set<SessionListener>();

  constructor(readonly inner: FakeCoordinationStore) {}

  get sessionId(): bigint {
    return this.inner.sessionId;
  }

  resumeOnNewClient(): void {
    this.generation++;
    this.wrapped = new WeakMap();
    for (const l of [...this.listeners]) l.newSession?.(this.sessionId);
  }

  /** One wrapper per watcher and client generation, so re-arming does not stack duplicates. */
  private w(watcher: Watcher | undefined): Watcher | undefined {
    if (watcher === undefined) return undefined;
    let x = this.wrapped.get(watcher);
    if (x === undefined) {
      const gen = this.generation;
      x = (event) => {
        if (gen === this.generation) watcher(event);
      };
      this.wrapped.set(watcher, x);
    }
    return x;
  }

  create(path: string, data: Buffer | null, mode?: Parameters<CoordinationStore['create']>[2]): Promise<string> {
    return this.inner.create(path, data, mode);
  }
  getData(path: string, watcher?: Watcher): Promise<NodeData> {
    return this.inner.getData(path, this.w(watcher));
  }
  setData(path: string, data: Buffer, version?: number): Promise<Stat> {
    return this.inner.setData(path, data, version);
  }
  exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    return this.inner.exists(path, this.w(watcher));
  }
  getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    return this.inner.getChildren(path, this.w(watcher));
  }
  remove(path: string, version?: number): Promise<void> {
    return this.inner.remove(path, version);
  }
  multi(list: readonly Op[]): Promise<OpResult[]> {
    return this.inner.multi(list);
  }
  mkdirp(path: string): Promise<void> {
    return this.inner.mkdirp(path);
  }
  addSessionListener(listener: SessionListener): () => void {
    this.listeners.add(listener);
    const off = this.inner.addSessionListener(listener);
    return () => {
      this.listeners.delete(listener);
      off();
    };
  }
}

describe('controller > session resumed on a new client object (watches lost, same session)', () => {
  let zk: FakeZooKeeper;
  let h: ControllerHarness;
  const stores = new Map<number, ResumableStore>();

  async function start(ids: number[]): Promise<void> {
    for (const id of ids) {
      const b = await h.startBroker(id);
      stores.set(id, b.handle.store as ResumableStore);
    }
    await waitFor(() => h.controllers().length === 1 && [...h.brokers.values()].every((b) => b.controller.activeControllerId !== -1), 'one controller');
  }

  const admin = (): TopicAdmin => new TopicAdmin(zk.session(), { assignmentSeed: { startIndex: 0, replicaShift: 0 } });

  beforeEach(() => {
    zk = new FakeZooKeeper();
    stores.clear();
    h = new ControllerHarness({
      openStore: async () => {
        const s = new ResumableStore(zk.session());
        return { store: s, close: () => s.inner.close() };
      },
    });
  });

  afterEach(async () => {
    await h.stopAll();
  });

  it('the controller still follows broker deaths and restarts, and new topics, after its session resumed', async () => {
    await start([1, 2, 3]);
    await admin().createTopic({ name: 't', numPartitions: 3, replicationFactor: 3 });
    await waitFor(() => h.allCachesAgree('t', 3), 'leaders known');
    const c = h.controllers()[0]!;
    const epochBefore = c.controller.controllerEpoch;
    const brokerEpochBefore = c.epoch;
    stores.get(c.id)!.resumeOnNewClient();
    await c.controller.idle();
    // Same session: still the controller, same controller epoch and broker epoch.
    expect(c.controller.isActive).to.equal(true);
    expect(c.controller.controllerEpoch).to.equal(epochBefore);
    expect(c.epoch).to.equal(brokerEpochBefore);

    const victim = [1, 2, 3].find((id) => id !== c.id)!;
    await h.killBroker(victim);
    await waitFor(() => c.controller.current?.ctx.isLive(victim) === false, 'controller sees the dead broker');
    await waitFor(() => h.allCachesAgree('t', 3, (leader) => leader !== victim), 'leadership moved off the dead broker');

    const back = await h.startBroker(victim);
    stores.set(victim, back.handle.store as ResumableStore);
    await waitFor(() => c.controller.current?.ctx.brokerEpoch(victim) === back.epoch, 'controller sees the restarted broker');
    await waitFor(() => back.cache.leaderFor('t', 0) !== undefined && h.allCachesAgree('t', 3), 'the restarted broker gets cluster metadata');

    await admin().createTopic({ name: 'after', numPartitions: 2, replicationFactor: 2 });
    await waitFor(() => h.allCachesAgree('after', 2), 'a topic created after the resume gets leaders');
  });

  it('a non-controller whose session resumed still takes over when the controller goes', async () => {
    await start([1, 2]);
    const c = h.controllers()[0]!;
    const other = [1, 2].find((id) => id !== c.id)!;
    stores.get(other)!.resumeOnNewClient();
    await h.brokers.get(other)!.controller.idle();
    await h.killBroker(c.id);
    await waitFor(() => h.controllers().length === 1 && h.controllers()[0]!.id === other, 'the other broker becomes controller');
  });
});
