import { expect } from 'chai';
import { ErrorCode } from '../../../protocol/index.js';
import { silentLogger } from '../../../broker/index.js';
import { BrokerServer, type BrokerComponent } from '../../../broker/server.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { networkConfig } from './fixture.js';

async function canConnect(port: number): Promise<boolean> {
  return KafkaSocket.connect('127.0.0.1', port).then(
    (s) => {
      s.close();
      return true;
    },
    () => false,
  );
}

describe('network > BrokerServer lifecycle', () => {
  it('starts components in order before listening, and stops them in reverse after the listeners', async () => {
    const events: string[] = [];
    let server: BrokerServer;
    const component = (name: string): BrokerComponent => ({
      name,
      start: async () => {
        events.push(`start ${name} (listening: ${server.endpoints().some((e) => e.port !== 0)})`);
      },
      beforeStop: async () => {
        // Controlled shutdown happens here: clients are still served.
        const s = await KafkaSocket.connect('127.0.0.1', server.endpoint('PLAINTEXT').port);
        const answer = await s.apiVersions(0);
        s.close();
        events.push(`beforeStop ${name} (served: ${answer.errorCode === ErrorCode.NONE})`);
      },
      stop: async () => {
        events.push(`stop ${name} (listening: ${await canConnect(server.endpoint('PLAINTEXT').port)})`);
      },
    });
    server = new BrokerServer({ config: networkConfig(), logger: silentLogger() });
    server.addComponent(component('storage')).addComponent(component('coordination'));
    await server.start();
    await server.stop();
    await server.stop(); // idempotent
    expect(events).to.deep.equal([
      'start storage (listening: false)',
      'start coordination (listening: false)',
      'beforeStop coordination (served: true)',
      'beforeStop storage (served: true)',
      'stop coordination (listening: false)',
      'stop storage (listening: false)',
    ]);
  });

  it('stops what started when a component fails to start, and binds nothing', async () => {
    const events: string[] = [];
    const server = new BrokerServer({ config: networkConfig(), logger: silentLogger() });
    server.addComponent({ name: 'a', start: async () => void events.push('start a'), stop: async () => void events.push('stop a') });
    server.addComponent({
      name: 'b',
      start: async () => {
        throw new Error('disk on fire');
      },
      stop: async () => void events.push('stop b'),
    });
    let failure: Error | undefined;
    await server.start().catch((err: Error) => {
      failure = err;
    });
    expect(failure?.message).to.equal('disk on fire');
    expect(events).to.deep.equal(['start a', 'stop a']);
    expect(server.endpoints().every((e) => e.port === 0)).to.equal(true);
  });
});
