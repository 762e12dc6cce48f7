import { expect } from 'chai';
import { CoordinationError, type CoordinationStore, FencedWriter, type Op, ops, tryElectController } from '../../../coordination/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';

/** A session whose multis are counted: what reaches ZooKeeper. */
async function setup(nodes: number): Promise<{ zk: FakeZooKeeper; w: FencedWriter; multis: () => number; store: CoordinationStore }> {
  const zk = new FakeZooKeeper();
  const s = zk.session();
  const won = await tryElectController(s, 1, 0n);
  if (!won.won) throw new Error('expected to win');
  await s.create('/p', null);
  for (let i = 0; i < nodes; i++) await s.create(`/p/${i}`, Buffer.from('v0'));
  let count = 0;
  const counted = Object.create(s) as CoordinationStore;
  counted.multi = (list: readonly Op[]) => {
    count++;
    return s.multi(list);
  };
  return { zk, w: new FencedWriter(counted, won.lease.controllerEpoch, won.lease.epochZkVersion), multis: () => count, store: s };
}

const setAll = (n: number, version = (_i: number) => 0): Op[][] => Array.from({ length: n }, (_, i) => [ops.setData(`/p/${i}`, Buffer.from('v1'), version(i))]);

describe('coordination > FencedWriter.writeAll groups multis', () => {
  it('2,500 one-partition writes reach ZooKeeper as a few multis, each answered with its own stat', async () => {
    const { zk, w, multis } = await setup(2500);
    const r = await w.writeAll(setAll(2500));
    expect(multis()).to.be.at.most(3);
    expect(r.every((x) => x.ok && x.results.length === 1 && x.results[0]!.op === 'setData' && x.results[0]!.stat.version === 1)).to.equal(true);
    for (let i = 0; i < 2500; i += 499) expect(zk.text(`/p/${i}`)).to.equal('v1');
  });

  it('a znode at another version fails its own write only (opIndex within it); the rest are written', async () => {
    const { zk, w, store } = await setup(600);
    await store.setData('/p/300', Buffer.from('moved'), 0);
    const batches = setAll(600);
    batches[301] = [ops.create('/p/new', null), ops.setData('/p/301', Buffer.from('v1'), 5)];
    const r = await w.writeAll(batches);
    expect(r.map((x, i) => (x.ok ? -1 : i)).filter((i) => i >= 0)).to.deep.equal([300, 301]);
    expect(!r[300]!.ok && [r[300]!.error.code, r[300]!.error.opIndex]).to.deep.equal(['CRD_BAD_VERSION', 0]);
    expect(!r[301]!.ok && [r[301]!.error.code, r[301]!.error.opIndex]).to.deep.equal(['CRD_BAD_VERSION', 1]);
    expect(zk.stat('/p/new')).to.equal(undefined);
    expect(zk.text('/p/300')).to.equal('moved');
    expect(zk.text('/p/0')).to.equal('v1');
    expect(zk.text('/p/599')).to.equal('v1');
  });

  it('a run of refusals (writes that had already applied) costs one more pipelined round, not one round per write', async () => {
    const { w, multis } = await setup(1000);
    // Half of them are one version ahead, as after a lost connection that had applied them.
    const r = await w.writeAll(setAll(1000, (i) => (i >= 500 ? 7 : 0)));
    expect(r.filter((x) => x.ok)).to.have.length(500);
    expect(r.slice(500).every((x) => !x.ok && x.error.code === 'CRD_BAD_VERSION')).to.equal(true);
    // the group, then the 499 after the first refusal on their own and the 500 before it together
    expect(multis()).to.equal(1 + 1 + 499);
  });

  it('a later write of the same batch sees the version an earlier one made, as separate multis did', async () => {
    const { zk, w } = await setup(1);
    const r = await w.writeAll([[ops.setData('/p/0', Buffer.from('a'), 0)], [ops.setData('/p/0', Buffer.from('b'), 1)], [ops.setData('/p/0', Buffer.from('c'), 1)]]);
    expect(r.map((x) => x.ok)).to.deep.equal([true, true, false]);
    expect(zk.text('/p/0')).to.equal('b');
  });

  it('a multi refused before it is sent (no op index: data too large) fails alone', async () => {
    const { zk, w, store } = await setup(5);
    const big = Buffer.alloc(64);
    const inner = store.multi.bind(store);
    // As the real client: an oversized op is refused before anything reaches ZooKeeper.
    (w as unknown as { store: CoordinationStore }).store.multi = (list: readonly Op[]) => {
      if (list.some((op) => 'data' in op && op.data !== null && op.data.length >= big.length)) return Promise.reject(new CoordinationError('CRD_DATA_TOO_LARGE', 'too large'));
      return inner(list);
    };
    const batches = setAll(5);
    batches[2] = [ops.setData('/p/2', big, 0)];
    const r = await w.writeAll(batches);
    expect(r.map((x) => (x.ok ? 'ok' : x.error.code))).to.deep.equal(['ok', 'ok', 'CRD_DATA_TOO_LARGE', 'ok', 'ok']);
    expect(zk.text('/p/4')).to.equal('v1');
  });

  it('a new controller fences the whole group: writeAll throws CRD_CONTROLLER_MOVED and nothing is written', async () => {
    const { zk, w, store } = await setup(10);
    await store.setData('/controller_epoch', Buffer.from('9'));
    let code: string | undefined;
    try {
      await w.writeAll(setAll(10));
    } catch (err) {
      code = (err as { code?: string }).code;
    }
    expect(code).to.equal('CRD_CONTROLLER_MOVED');
    expect(zk.text('/p/3')).to.equal('v0');
  });
});
