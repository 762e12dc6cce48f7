import { expect } from 'chai';
import { TopicAdmin } from '../../../broker/admin/index.js';
import { CoordinationError, type CoordinationStore } from '../../../coordination/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ControllerHarness } from '../../cluster/controller/harness.js';

/**
 * Found by the failover soak (seed 5204): the new controller's context load hit CONNECTION_LOSS
 * (a ZooKeeper stall); the retried election returned early because the half-loaded controller was
 * still "active", so the topic was missing from its context, the dead leader's partition was never
 * re-elected, and a later re-read took the existing topic for a new one. Kafka moves the controller
 * (triggerControllerMove) when its failover fails; so must we.
 */
describe('controller > failover interrupted by a ZooKeeper error', () => {
  let zk: FakeZooKeeper;
  let h: ControllerHarness;
  /** Brokers whose next read of the topic's assignment fails once with CONNECTION_LOSS. */
  const failOnce = new Set<number>();

  function flaky(id: number, inner: CoordinationStore): CoordinationStore {
    return new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'getData') {
          return (path: string, watcher?: Parameters<CoordinationStore['getData']>[1]) => {
            if (path === '/brokers/topics/t' && failOnce.delete(id)) return Promise.reject(new CoordinationError('CRD_CONNECTION_LOSS', `getData ${path}: CONNECTION_LOSS (injected)`));
            return target.getData(path, watcher);
          };
        }
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  beforeEach(() => {
    zk = new FakeZooKeeper();
    failOnce.clear();
    let next = 1;
    h = new ControllerHarness({
      openStore: async () => {
        const s = zk.session();
        return { store: flaky(next++, s), close: () => s.close() };
      },
    });
  });

  afterEach(async () => {
    await h.stopAll();
  });

  it('the successor whose context load failed resigns, is elected again with the whole context, and moves leadership off the dead controller', async function () {
    this.timeout(15_000);
    for (const id of [1, 2, 3]) await h.startBroker(id);
    await waitFor(() => h.controllers().length === 1, 'one controller');
    await new TopicAdmin(zk.session(), { assignmentSeed: { startIndex: 0, replicaShift: 0 } }).createTopic({ name: 't', numPartitions: 3, replicationFactor: 3 });
    await waitFor(() => h.allCachesAgree('t', 3), 'leaders known');
    const old = h.controllers()[0]!.id;
    for (const id of [1, 2, 3]) if (id !== old) failOnce.add(id);

    await h.killBroker(old);

    await waitFor(() => h.controllers().length === 1 && failOnce.size < 2, 'a successor that went through the failed load', { timeoutMs: 5_000 });
    await waitFor(() => h.allCachesAgree('t', 3, (leader) => leader !== old), 'every partition led by a live broker', { timeoutMs: 5_000 });
    const c = h.controllers()[0]!;
    expect(c.controller.current?.ctx.assignments.has('t'), 'the topic is in the new controller context').to.equal(true);
  });
});
