import { expect } from 'chai';
import { IsrManager, Partition, type AlterIsrItem, type AlterIsrItemResult } from '../../../broker/replica/index.js';
import { silentLogger } from '../../../broker/index.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';
import { fakeLog, setLogEnd } from './fake-log.js';

const LAG = 3_000;
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('replica > ISR manager (AlterIsr, one change in flight)', () => {
  let sched: TestScheduler;
  let p: Partition;
  let sent: AlterIsrItem[][];
  let answer: (items: readonly AlterIsrItem[]) => Promise<AlterIsrItemResult[]>;
  let changed: number;
  let m: IsrManager;

  beforeEach(() => {
    sched = new TestScheduler(0);
    p = new Partition('t', 0, 1, fakeLog(10n), LAG);
    p.applyState({ leader: 1, leaderEpoch: 4, isr: [1, 2, 3], replicas: [1, 2, 3], zkVersion: 9, controllerEpoch: 1 }, 0);
    sent = [];
    changed = 0;
    answer = async (items) => items.map((i) => ({ topic: i.topic, partition: i.partition, errorCode: 'NONE', leader: 1, leaderEpoch: i.leaderEpoch, isr: [...i.newIsr], currentIsrVersion: i.currentIsrVersion + 1 }));
    m = new IsrManager({
      scheduler: sched,
      replicaLagTimeMaxMs: LAG,
      send: (items) => {
        sent.push([...items]);
        return answer(items);
      },
      logger: silentLogger(),
      leaderPartitions: () => [p],
      onIsrChanged: () => changed++,
      retryBackoffMs: 100,
    });
    m.start();
  });

  afterEach(() => m.stop());

  it('shrinks a follower that has not caught up for replica.lag.time.max.ms, on the periodic check', async () => {
    p.updateFollowerFetchState(2, 10n, 0);
    p.updateFollowerFetchState(3, 10n, 0);
    setLogEnd(p.log, 20n);
    sched.tick(LAG - 1);
    p.updateFollowerFetchState(2, 20n, sched.now());
    expect(sent).to.deep.equal([]);
    sched.tick(LAG);
    expect(sent).to.have.length(1);
    expect(sent[0]![0]).to.deep.include({ leaderEpoch: 4, newIsr: [1, 2], currentIsrVersion: 9 });
    // Pending shrink: the leaving member still counts until the controller answers.
    expect(p.maximalIsr).to.deep.equal([1, 2, 3]);
    await flush();
    expect(p.isr).to.deep.equal([1, 2]);
    expect(p.zkVersion).to.equal(10);
    expect(changed).to.equal(1);
  });

  it('expands a caught-up follower, counting it at once; one change in flight at a time', async () => {
    p.applyState({ leader: 1, leaderEpoch: 5, isr: [1, 2], replicas: [1, 2, 3], zkVersion: 11, controllerEpoch: 1 }, 0);
    p.updateFollowerFetchState(2, 10n, 0);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const base = answer;
    answer = async (items) => {
      await gate;
      return base(items);
    };
    p.updateFollowerFetchState(3, 10n, 0);
    m.maybeExpand(p, 3);
    m.maybeExpand(p, 3);
    expect(sent).to.have.length(1);
    expect([...p.maximalIsr].sort()).to.deep.equal([1, 2, 3]);
    expect(p.isr).to.deep.equal([1, 2]);
    release();
    await flush();
    expect(p.isr).to.deep.equal([1, 2, 3]);
    expect(p.pendingIsr).to.equal(undefined);
  });

  it('a conflicting version adopts the controller\'s state; a refusal clears the pending change after a backoff', async () => {
    answer = async (items) => items.map((i) => ({ topic: i.topic, partition: i.partition, errorCode: 'INVALID_UPDATE_VERSION', leader: 1, leaderEpoch: 4, isr: [1, 3], currentIsrVersion: 12 }));
    p.updateFollowerFetchState(2, 10n, 0);
    p.updateFollowerFetchState(3, 10n, 0);
    setLogEnd(p.log, 20n);
    sched.tick(LAG * 2);
    await flush();
    expect(p.isr).to.deep.equal([1, 3]);
    expect(p.zkVersion).to.equal(12);

    answer = async () => {
      throw new Error('controller unreachable');
    };
    setLogEnd(p.log, 30n);
    sched.tick(LAG * 2);
    await flush();
    expect(p.pendingIsr?.kind).to.equal('shrink');
    sched.tick(100);
    expect(p.pendingIsr).to.equal(undefined);
  });

  it('an answer for an older leader epoch is ignored', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const base = answer;
    answer = async (items) => {
      await gate;
      return base(items);
    };
    p.updateFollowerFetchState(2, 10n, 0);
    p.updateFollowerFetchState(3, 10n, 0);
    setLogEnd(p.log, 20n);
    sched.tick(LAG * 2);
    expect(sent).to.have.length(1);
    p.applyState({ leader: 1, leaderEpoch: 6, isr: [1, 2, 3], replicas: [1, 2, 3], zkVersion: 20, controllerEpoch: 2 }, sched.now());
    release();
    await flush();
    expect(p.isr).to.deep.equal([1, 2, 3]);
    expect(p.zkVersion).to.equal(20);
  });

  it('changes proposed while an AlterIsr is in flight travel together in the next one (Kafka\'s AlterIsrManager)', async () => {
    const ps = [1, 2, 3].map((i) => {
      const q = new Partition('t', i, 1, fakeLog(10n), LAG);
      q.applyState({ leader: 1, leaderEpoch: 4, isr: [1, 2], replicas: [1, 2, 3], zkVersion: 9, controllerEpoch: 1 }, 0);
      q.updateFollowerFetchState(2, 10n, 0);
      q.updateFollowerFetchState(3, 10n, 0);
      return q;
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const base = answer;
    answer = async (items) => {
      await gate;
      return base(items);
    };
    for (const q of ps) m.maybeExpand(q, 3);
    // The first goes alone; the two proposed while it is in flight wait and go as one request.
    expect(sent.map((r) => r.map((i) => i.partition))).to.deep.equal([[1]]);
    release();
    await flush();
    await flush();
    expect(sent.map((r) => r.map((i) => i.partition))).to.deep.equal([[1], [2, 3]]);
    for (const q of ps) {
      expect(q.isr).to.deep.equal([1, 2, 3]);
      expect(q.pendingIsr).to.equal(undefined);
    }
  });

  it('the periodic check re-runs the HW: a caught-up follower outside the ISR that stopped fetching stops holding it', async () => {
    p.applyState({ leader: 1, leaderEpoch: 5, isr: [1, 2], replicas: [1, 2, 3], zkVersion: 11, controllerEpoch: 1 }, 0);
    p.updateFollowerFetchState(2, 10n, 0);
    p.updateFollowerFetchState(3, 5n, 0);
    setLogEnd(p.log, 20n);
    p.updateFollowerFetchState(2, 20n, 0);
    p.updateFollowerFetchState(3, 10n, 0); // caught up to where the leader's end was at its last fetch
    expect(p.log.highWatermark).to.equal(10n);
    // Follower 2's idle fetches (log end unchanged) do not recompute it; the periodic check does, past the lag time.
    sched.tick(LAG + 1);
    p.updateFollowerFetchState(2, 20n, sched.now());
    expect(p.log.highWatermark).to.equal(10n);
    sched.tick(LAG);
    expect(p.log.highWatermark).to.equal(20n);
  });
});
