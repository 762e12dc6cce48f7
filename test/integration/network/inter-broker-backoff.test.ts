import { expect } from 'chai';
import { silentLogger } from '../../../broker/index.js';
import { InterBrokerClient } from '../../../broker/network/index.js';
import { freePort } from '../../helpers/ports.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startNetworkBroker } from './fixture.js';

describe('network > inter-broker client reconnect backoff', () => {
  it('waits an exponentially growing, jittered backoff between failed attempts and resets it on success', async () => {
    // Time moves only when the test says so; sockets stay real.
    const scheduler = new TestScheduler(1_000);
    /** Pending reconnect delays (shorter than the request and connect timeouts). */
    const backoffs = (): number[] => scheduler.pendingDelays().filter((d) => d < 1_000);
    const client = new InterBrokerClient({
      logger: silentLogger(),
      scheduler,
      requestTimeoutMs: 600_000,
      connectTimeoutMs: 300_000,
      reconnectBackoffMs: 20,
      reconnectBackoffMaxMs: 70,
    });
    const port = await freePort();
    const target = { id: 3, host: '127.0.0.1', port };
    const outcome = (p: Promise<unknown>): { settled: boolean; error?: { code?: string } } => {
      const o: { settled: boolean; error?: { code?: string } } = { settled: false };
      p.then(
        () => (o.settled = true),
        (e: { code?: string }) => Object.assign(o, { settled: true, error: e }),
      );
      return o;
    };
    try {
      // First attempt: immediate.
      const first = outcome(client.send(target, 'Echo', 1));
      await waitFor(() => first.settled, 'the first attempt to fail');
      expect(first.error?.code).to.equal('BRK_BROKER_UNREACHABLE');

      const delays: number[] = [];
      for (let i = 0; i < 4; i++) {
        const next = outcome(client.send(target, 'Echo', 1));
        const [delay] = backoffs();
        expect(delay, `attempt ${i + 2} waits`).to.be.a('number');
        delays.push(delay!);
        expect(next.settled, 'no attempt before the backoff passes').to.equal(false);
        scheduler.tick(delay!);
        await waitFor(() => next.settled, `attempt ${i + 2} to fail`);
        expect(next.error?.code).to.equal('BRK_BROKER_UNREACHABLE');
      }
      // 20 ms doubling up to 70 ms, each ±20% (Kafka's reconnect jitter) and never above 70.
      const expected = [20, 40, 70, 70];
      delays.forEach((d, i) => expect(d, `backoff ${i}`).to.be.within(Math.floor(expected[i]! * 0.8), Math.min(70, expected[i]! * 1.2)));

      const broker = await startNetworkBroker({ listeners: `PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:${port}` }, (s) =>
        s.registerInternal('Echo', async (_ctx, body) => body),
      );
      try {
        const ok = client.send(target, 'Echo', 'up');
        scheduler.tick(70); // no backoff is longer than reconnectBackoffMaxMs
        expect(await ok).to.equal('up');
        expect(client.isConnected(3)).to.equal(true);
      } finally {
        await broker.server.stop();
      }
      // A lost connection (after a success) waits only the base backoff.
      await waitFor(() => !client.isConnected(3), 'the client to notice the server stopped');
      const retry = outcome(client.send(target, 'Echo', 1));
      const [base] = backoffs();
      expect(base, 'the base backoff after a connection that worked').to.be.within(16, 24);
      scheduler.tick(base!);
      await waitFor(() => retry.settled, 'the retry to fail');
    } finally {
      await client.close();
    }
  });
});
