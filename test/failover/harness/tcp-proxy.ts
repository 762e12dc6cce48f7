/**
 * A TCP proxy the harness can black-hole: while black-holed it accepts connections and swallows
 * every byte in both directions without closing anything, which is what a silent network
 * partition looks like to ZooKeeper (no pings arrive, the session expires on the server) and to
 * the client (no answers). Healing resets the connections that lived through the black hole, so
 * the client reconnects and learns its session's fate.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  /** Bytes were dropped on this pair: it cannot be trusted after healing. */
  damaged: boolean;
}

export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private blackholed = false;

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    readonly targetHost: string,
    readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(targetHost: string, targetPort: number, listenHost = '127.0.0.1'): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: listenHost, port: 0 }, () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return new TcpProxy(server, listenHost, port, targetHost, targetPort);
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get isBlackholed(): boolean {
    return this.blackholed;
  }

  blackhole(): void {
    this.blackholed = true;
    for (const p of this.pairs) p.damaged = true;
  }

  heal(): void {
    this.blackholed = false;
    for (const p of [...this.pairs]) if (p.damaged) this.drop(p);
  }

  async close(): Promise<void> {
    for (const p of [...this.pairs]) this.drop(p);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const pair: Pair = { client, upstream: undefined, damaged: this.blackholed };
    this.pairs.add(pair);
    client.on('error', () => this.drop(pair));
    client.on('close', () => this.drop(pair));
    client.on('data', (d) => {
      if (!this.blackholed && !pair.damaged) pair.upstream?.write(d);
    });
    if (pair.damaged) {
      client.pause();
      return;
    }
    const upstream = connect({ host: this.targetHost, port: this.targetPort });
    pair.upstream = upstream;
    client.pause();
    upstream.on('connect', () => client.resume());
    upstream.on('data', (d) => {
      if (!this.blackholed && !pair.damaged) client.write(d);
    });
    upstream.on('error', () => this.drop(pair));
    upstream.on('close', () => this.drop(pair));
  }

  private drop(p: Pair): void {
    if (!this.pairs.delete(p)) return;
    p.client.destroy();
    p.upstream?.destroy();
  }
}
