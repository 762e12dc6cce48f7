import { expect } from 'chai';
import { CoordinationError, FencedWriter, ops, registerBroker, tryElectController, type BrokerInfo } from '../../../coordination/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';
import { waitFor } from '../../helpers/wait-for.js';

const broker = (id: number): BrokerInfo => ({ id, endpoints: [], rack: null, jmxPort: -1, timestamp: 0n, version: 4 });

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as CoordinationError).code;
  }
  return undefined;
}

describe('coordination > fake store semantics and the pure coordination logic on it', () => {
  it('versions, one-shot watches, ephemerals removed on expiry', async () => {
    const zk = new FakeZooKeeper();
    const a = zk.session();
    const b = zk.session();
    await a.create('/x', Buffer.from('1'));
    const seen: string[] = [];
    await b.getData('/x', (e) => seen.push(e.type));
    await a.setData('/x', Buffer.from('2'), 0);
    await a.setData('/x', Buffer.from('3'), 1);
    await waitFor(() => seen.length > 0, 'watch');
    expect(seen).to.deep.equal(['dataChanged']);
    expect(await code(a.setData('/x', Buffer.from('4'), 0))).to.equal('CRD_BAD_VERSION');
    await a.create('/e', null, 'ephemeral');
    expect(await code(a.create('/e/child', null))).to.equal('CRD_NO_CHILDREN_FOR_EPHEMERALS');
    const events: string[] = [];
    a.addSessionListener({ sessionExpired: () => events.push('expired'), newSession: () => events.push('new') });
    await a.expire();
    expect(events).to.deep.equal(['expired', 'new']);
    expect(zk.stat('/e')).to.equal(undefined);
  });

  it('sequential nodes get 10-digit suffixes', async () => {
    const zk = new FakeZooKeeper();
    const s = zk.session();
    await s.mkdirp('/config/changes');
    expect(await s.create('/config/changes/config_change_', null, 'persistent_sequential')).to.equal('/config/changes/config_change_0000000000');
    expect(await s.create('/config/changes/config_change_', null, 'persistent_sequential')).to.equal('/config/changes/config_change_0000000001');
  });

  it('registration: a node left by our previous session is replaced, a live owner is a duplicate', async () => {
    const zk = new FakeZooKeeper();
    const a = zk.session();
    await a.mkdirp('/brokers/ids');
    const first = await registerBroker(a, broker(1));
    // Simulate ZOOKEEPER-2985: the old session's node outlives it.
    const other = zk.session();
    expect(await code(registerBroker(other, broker(1)))).to.equal('CRD_DUPLICATE_BROKER');
    const oldSession = a.sessionId;
    const second = await registerBroker(other, broker(1), oldSession);
    expect(second.brokerEpoch > first.brokerEpoch).to.equal(true);
    expect(zk.stat('/brokers/ids/1')!.ephemeralOwner).to.equal(other.sessionId);
  });

  it('two brokers racing for the controller: exactly one wins, the epoch moves once', async () => {
    const zk = new FakeZooKeeper();
    const [a, b] = [zk.session(), zk.session()];
    const [ra, rb] = await Promise.all([tryElectController(a, 1, 0n), tryElectController(b, 2, 0n)]);
    expect([ra.won, rb.won].filter(Boolean)).to.have.length(1);
    expect(zk.text('/controller_epoch')).to.equal('1');
  });

  it('the fenced writer prepends the epoch check and hides it from op indexes', async () => {
    const zk = new FakeZooKeeper();
    const s = zk.session();
    const won = await tryElectController(s, 1, 0n);
    if (!won.won) throw new Error('expected to win');
    const w = new FencedWriter(s, won.lease.controllerEpoch, won.lease.epochZkVersion);
    await s.create('/p', Buffer.from('a'));
    const r = await w.writeAll([[ops.setData('/p', Buffer.from('b'), 0)], [ops.create('/q', null), ops.setData('/p', Buffer.from('c'), 0)]]);
    expect(r[0]!.ok).to.equal(true);
    expect(!r[1]!.ok && r[1]!.error.code).to.equal('CRD_BAD_VERSION');
    expect(!r[1]!.ok && r[1]!.error.opIndex).to.equal(1);
    expect(zk.stat('/q')).to.equal(undefined);
    await s.setData('/controller_epoch', Buffer.from('9'));
    expect(await code(w.write([ops.create('/r', null)]))).to.equal('CRD_CONTROLLER_MOVED');
    expect(w.fenced).to.equal(true);
  });
});
