import { expect } from 'chai';
import { connect as tcpConnect, createServer, type Server, type Socket } from 'node:net';
import { ZkSession } from '../../../coordination/index.js';
import { sharedZooKeeperConnect } from '../../helpers/shared-zookeeper.js';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';

/** A TCP proxy to ZooKeeper whose existing connections can be made to hang (a SIGSTOPped server). */
class HangingProxy {
  private server: Server | undefined;
  private readonly pairs: Array<{ client: Socket; upstream: Socket; hung: boolean }> = [];
  connections = 0;

  async start(target: string): Promise<number> {
    const [host, port] = target.split(':') as [string, string];
    this.server = createServer((client) => {
      this.connections++;
      const upstream = tcpConnect({ host, port: Number(port) });
      const pair = { client, upstream, hung: false };
      this.pairs.push(pair);
      client.on('data', (d) => !pair.hung && upstream.write(d));
      upstream.on('data', (d) => !pair.hung && client.write(d));
      const end = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', () => !pair.hung && end());
      upstream.on('error', end).on('close', () => !pair.hung && end());
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return (this.server.address() as { port: number }).port;
  }

  /** Every open connection stops passing bytes but stays open; new connections work. */
  hang(): void {
    for (const p of this.pairs) p.hung = true;
  }

  stop(): void {
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.server?.close();
  }
}

describe('coordination > watchdog against a hung server connection', function () {
  this.timeout(30_000);

  it('moves the same session to a new connection before it expires; the ephemeral survives; watches are re-armed', async () => {
    const proxy = new HangingProxy();
    const port = await proxy.start(sharedZooKeeperConnect());
    const chroot = `/${randomName('samsa-wd')}`;
    const s = new ZkSession({ connect: `127.0.0.1:${port}${chroot}`, sessionTimeoutMs: 4000 });
    const observer = new ZkSession({ connect: `${sharedZooKeeperConnect()}${chroot}`, sessionTimeoutMs: 4000 });
    try {
      await s.start();
      await observer.start();
      await s.create('/eph', null, 'ephemeral');
      const sessionId = s.sessionId;
      const rearmed: bigint[] = [];
      s.addSessionListener({ newSession: (id) => rearmed.push(id) });
      const hungAt = Date.now();
      proxy.hang();
      await waitFor(() => rearmed.length > 0, 'the watchdog to switch connections', { timeoutMs: 10_000 });
      const switchedAfter = Date.now() - hungAt;
      expect(rearmed).to.deep.equal([sessionId]);
      expect(switchedAfter).to.be.below(4000);
      expect(proxy.connections).to.be.at.least(2);
      // Past the session timeout the node is still there: the session was kept alive.
      await waitFor(() => Date.now() - hungAt > 5000, 'time past the session timeout', { timeoutMs: 8000, intervalMs: 100 });
      expect((await observer.exists('/eph'))?.ephemeralOwner).to.equal(sessionId);
      expect((await s.getData('/eph')).stat.ephemeralOwner).to.equal(sessionId);
    } finally {
      await s.close();
      await observer.close();
      proxy.stop();
    }
  });
});
