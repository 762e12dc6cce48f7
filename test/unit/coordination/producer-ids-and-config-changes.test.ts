import { expect } from 'chai';
import { allocateProducerIdBlock, ConfigChangeListener, encodeConfigChange } from '../../../coordination/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('coordination > producer id blocks and config change notifications', () => {
  it('claims consecutive blocks of 1000, also when brokers race', async () => {
    const zk = new FakeZooKeeper();
    const first = await allocateProducerIdBlock(zk.session(), 1);
    expect(first).to.deep.equal({ brokerId: 1, blockStart: 0n, blockEnd: 999n });
    expect(zk.text('/latest_producer_id_block')).to.equal('{"version":1,"broker":1,"block_start":"0","block_end":"999"}');
    const raced = await Promise.all([1, 2, 3, 4].map((b) => allocateProducerIdBlock(zk.session(), b)));
    const starts = raced.map((r) => r.blockStart).sort((a, b) => (a < b ? -1 : 1));
    expect(starts).to.deep.equal([1000n, 2000n, 3000n, 4000n]);
  });

  it('each new notification is handled once, in order; old ones are purged; existing ones are skipped at start', async () => {
    const zk = new FakeZooKeeper();
    const admin = zk.session();
    await admin.mkdirp('/config/changes');
    await admin.create('/config/changes/config_change_', encodeConfigChange('topics/old'), 'persistent_sequential');
    const seen: string[] = [];
    const clock = new TestScheduler(Date.now());
    const listener = new ConfigChangeListener({
      store: zk.session(),
      onChange: (p) => void seen.push(p),
      purgeAfterMs: 60_000,
      scheduler: clock,
    });
    await listener.start();
    await admin.create('/config/changes/config_change_', encodeConfigChange('topics/a'), 'persistent_sequential');
    await admin.create('/config/changes/config_change_', encodeConfigChange('brokers/<default>'), 'persistent_sequential');
    await waitFor(() => seen.length === 2, 'two notifications');
    expect(seen).to.deep.equal(['topics/a', 'brokers/<default>']);
    clock.tick(120_000);
    await listener.refresh();
    expect(zk.paths('/config/changes')).to.deep.equal(['/config/changes']);
    expect(seen).to.have.length(2);
    listener.stop();
  });
});
