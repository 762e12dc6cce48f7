import { expect } from 'chai';
import { Producer } from '../../../client/producer/producer.js';
import { Consumer } from '../../../client/consumer/consumer.js';
import { API } from '../../../client/wire.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startFakeCluster } from './fake-broker.js';

describe('client > lifecycle: timers and rejections', () => {
  let cluster: Awaited<ReturnType<typeof startFakeCluster>>;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeEach(async () => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
    cluster = await startFakeCluster(2);
    cluster.state.addTopic('t', [1, 2]);
  });

  afterEach(async () => {
    process.off('unhandledRejection', onUnhandled);
    await cluster.stop();
  });

  /** Let pending promise reactions run, so an unhandled rejection would have been reported. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('a producer that delivered, failed and fired-and-forgot leaves no timer and no unhandled rejection after close', async () => {
    const scheduler = TestScheduler.realTime();
    cluster.state.produceHook = (_t, partition) => (partition === 1 ? 10 : undefined); // MESSAGE_TOO_LARGE on p1
    const p = new Producer<string, string>({ brokers: cluster.bootstrap, scheduler, lingerMs: 3 });
    await p.send({ topic: 't', partition: 0, value: 'ok' });
    const failed = await p.send({ topic: 't', partition: 1, value: 'bad' }).then(() => null, (e: unknown) => e);
    expect(failed).to.include({ kafkaError: 'MESSAGE_TOO_LARGE' });
    for (let i = 0; i < 50; i++) p.produce({ topic: 't', partition: i % 2, value: `f${i}` });
    await p.close();
    await settle();
    expect(scheduler.pending, 'live timers after close').to.equal(0);
    expect(unhandled).to.deep.equal([]);
  });

  it('close() with a silent broker gives up after timeoutMs: pending sends reject, nothing is left running', async () => {
    const scheduler = TestScheduler.realTime();
    const p = new Producer<string, string>({ brokers: cluster.bootstrap, scheduler, lingerMs: 1, requestTimeoutMs: 5000 });
    await p.send({ topic: 't', partition: 0, value: 'warm' });
    for (const b of cluster.brokers) b.silent = true;
    const pending = p.send({ topic: 't', partition: 0, value: 'stuck' }).then(() => null, (e: unknown) => e);
    const started = Date.now();
    await p.close({ timeoutMs: 200 });
    expect(Date.now() - started).to.be.lessThan(2000);
    expect(await pending).to.include({ code: 'CLI_CLOSED' });
    await settle();
    expect(scheduler.pending).to.equal(0);
    expect(unhandled).to.deep.equal([]);
  });

  it('a consumer closed while polling returns and leaves no timer', async () => {
    const scheduler = TestScheduler.realTime();
    const c = new Consumer({ brokers: cluster.bootstrap, scheduler, fetchMaxWaitMs: 100, autoOffsetReset: 'earliest' });
    c.assign([{ topic: 't', partition: 0 }]);
    const polling = c.poll({ timeoutMs: 5000 });
    await waitFor(() => cluster.state.requests.some((r) => r.apiKey === API.Fetch), 'the consumer to fetch');
    const closing = c.close();
    expect(await polling).to.deep.equal([]);
    await closing;
    await settle();
    expect(scheduler.pending).to.equal(0);
    expect(unhandled).to.deep.equal([]);
  });

  it('a group member closed while heartbeating leaves no timer (heartbeats stop) and no unhandled rejection', async () => {
    const scheduler = TestScheduler.realTime();
    const c = new Consumer({ brokers: cluster.bootstrap, scheduler, groupId: 'life', heartbeatIntervalMs: 20, fetchMaxWaitMs: 20, autoOffsetReset: 'earliest' });
    c.subscribe(['t']);
    for (let i = 0; i < 100 && c.assignment().length < 2; i++) await c.poll({ timeoutMs: 20 });
    expect(c.assignment()).to.have.length(2);
    await waitFor(() => cluster.state.requests.some((r) => r.apiKey === API.Heartbeat), 'a heartbeat');
    await c.close();
    await settle();
    expect(scheduler.pending).to.equal(0);
    expect(unhandled).to.deep.equal([]);
  });
});
