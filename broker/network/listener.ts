/**
 * One bound listener (`NAME://host:port`): accepts connections, enforces the connection quota,
 * wraps each socket in a FramedConnection and hands frames to a router. Used for both the Kafka
 * client listeners (ordered responses) and the inter-broker listener (msgpack, unordered).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Listener, SecurityProtocol } from '../config/index.js';
import type { Logger } from '../logging.js';
import { ANONYMOUS_PRINCIPAL, type ConnectionInfo } from '../request-context.js';
import { FramedConnection, type ConnectionStats, type DispatchOutcome } from './framed-connection.js';

export interface ConnectionLimits {
  readonly maxFrameBytes: number;
  readonly maxInFlight: number;
  readonly idleTimeoutMs: number;
}

/** Broker-wide connection count shared by the client listeners (`max.connections`). */
export class ConnectionQuota {
  private count = 0;
  constructor(readonly max: number) {}

  tryAcquire(): boolean {
    if (this.count >= this.max) return false;
    this.count++;
    return true;
  }

  release(): void {
    this.count = Math.max(0, this.count - 1);
  }

  get current(): number {
    return this.count;
  }
}

export type FrameRouter = (conn: ConnectionInfo, frame: Buffer, receivedAtMs: number) => Promise<DispatchOutcome>;

interface NetworkListenerOptions {
  readonly listener: Listener;
  readonly securityProtocol: SecurityProtocol;
  readonly limits: ConnectionLimits;
  /** Kafka listeners answer in request order; inter-broker ones as requests finish. */
  readonly ordered: boolean;
  readonly route: FrameRouter;
  readonly logger: Logger;
  /** Absent: no limit (the inter-broker listener is exempt from max.connections, as in Kafka). */
  readonly quota?: ConnectionQuota;
}

let nextConnectionSeq = 0;

export class NetworkListener {
  readonly name: string;
  private readonly opts: NetworkListenerOptions;
  private readonly log: Logger;
  private server: Server | undefined;
  private readonly connections = new Set<FramedConnection>();
  private boundPort = 0;
  private accepting = false;

  constructor(options: NetworkListenerOptions) {
    this.opts = options;
    this.name = options.listener.name;
    this.log = options.logger.child({ listener: this.name });
  }

  /** The port actually bound (differs from the configured one when that is 0). */
  get port(): number {
    return this.boundPort;
  }

  /** Host clients should dial to reach this listener in tests and status lines. */
  get host(): string {
    const h = this.opts.listener.host;
    return h === '' || h === '0.0.0.0' ? '127.0.0.1' : h === '::' ? '::1' : h;
  }

  get url(): string {
    const h = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `${this.name}://${h}:${this.boundPort}`;
  }

  async start(): Promise<void> {
    if (this.server !== undefined) throw new Error(`listener ${this.name} already started`);
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
      try {
        this.onConnection(socket);
      } catch (err) {
        this.log.error({ err }, 'failed to set up a connection');
        socket.destroy();
      }
    });
    this.server = server;
    server.on('error', (err) => this.log.error({ err }, 'listener error'));
    const { host, port } = this.opts.listener;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(new Error(`cannot listen on ${this.name}://${host}:${port}: ${err.message}`, { cause: err }));
      server.once('error', onError);
      // An empty host binds every interface, as in Kafka.
      server.listen(host === '' ? { port, exclusive: true } : { host, port, exclusive: true }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const address = server.address();
    this.boundPort = typeof address === 'object' && address !== null ? address.port : port;
    this.accepting = true;
    this.log.info({ url: this.url }, 'listening');
  }

  /** Stops accepting, drains open connections until `deadlineMs` (wall clock), then closes. */
  async stop(deadlineMs: number): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.accepting = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.drain(deadlineMs)));
    await closed;
    this.server = undefined;
  }

  connectionStats(): ConnectionStats[] {
    return [...this.connections].map((c) => c.stats());
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private onConnection(socket: Socket): void {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    if (!this.accepting) {
      socket.destroy();
      return;
    }
    const quota = this.opts.quota;
    if (quota !== undefined && !quota.tryAcquire()) {
      this.log.warn({ remote, max: quota.max }, 'max.connections reached; refusing connection');
      socket.destroy();
      return;
    }
    const id = `${this.name}-${this.boundPort}-${remote}-${nextConnectionSeq++}`;
    const conn = new FramedConnection({
      id,
      socket,
      maxFrameBytes: this.opts.limits.maxFrameBytes,
      maxInFlight: this.opts.limits.maxInFlight,
      idleTimeoutMs: this.opts.limits.idleTimeoutMs,
      ordered: this.opts.ordered,
      logger: this.log,
      onClose: (c) => {
        this.connections.delete(c);
        quota?.release();
      },
    });
    this.connections.add(conn);
    const info: ConnectionInfo = {
      connectionId: id,
      listenerName: this.name,
      securityProtocol: this.opts.securityProtocol,
      clientAddress: socket.remoteAddress ?? '',
      clientPort: socket.remotePort ?? 0,
      principal: ANONYMOUS_PRINCIPAL,
      signal: conn.signal,
    };
    this.log.debug({ connectionId: id }, 'connection accepted');
    conn.start((frame, receivedAtMs) => this.opts.route(info, frame, receivedAtMs));
    socket.resume();
  }
}
