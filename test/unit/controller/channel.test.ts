import { expect } from 'chai';
import sinon from 'sinon';
import { ControllerChannelManager, type ControlTarget } from '../../../broker/controller/index.js';
import { silentLogger } from '../../../broker/logging.js';
import { systemScheduler } from '../../../common/index.js';

describe('controller > per-broker send queues', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers()));
  afterEach(() => clock.restore());

  it('retries the same request until acknowledged, in order, one at a time', async () => {
    const sent: string[] = [];
    let failures = 2;
    const transport = {
      async send(_t: ControlTarget, api: string, body: unknown) {
        sent.push(`${api}:${(body as { n: number }).n}`);
        if (failures-- > 0) throw new Error('connection refused');
        return { errorCode: 'NONE' };
      },
    };
    const ch = new ControllerChannelManager({ transport, scheduler: systemScheduler, logger: silentLogger(), retryBackoffMs: 100 });
    ch.addBroker({ id: 1, host: 'h', port: 1 });
    const a = ch.send(1, 'LeaderAndIsr', { n: 1 });
    const b = ch.send(1, 'UpdateMetadata', { n: 2 });
    await clock.tickAsync(1000);
    expect(await a).to.deep.equal({ errorCode: 'NONE' });
    expect(await b).to.deep.equal({ errorCode: 'NONE' });
    expect(sent).to.deep.equal(['LeaderAndIsr:1', 'LeaderAndIsr:1', 'LeaderAndIsr:1', 'UpdateMetadata:2']);
  });

  it('gives up (null) when the broker leaves the live set', async () => {
    const transport = { send: async () => Promise.reject(new Error('down')) };
    const ch = new ControllerChannelManager({ transport, scheduler: systemScheduler, logger: silentLogger() });
    ch.addBroker({ id: 1, host: 'h', port: 1 });
    const p = ch.send(1, 'StopReplica', {});
    await clock.tickAsync(500);
    ch.removeBroker(1);
    expect(await p).to.equal(null);
    expect(await ch.send(1, 'StopReplica', {})).to.equal(null);
  });
});
