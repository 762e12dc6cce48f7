/**
 * One bound listener (`NAME://host:port`): accepts connections, enforces the connection quota,
 * wraps each socket in a FramedConnection and hands frames to a router. Used for both the Kafka
 * client listeners (ordered responses) and the inter-broker listener (msgpack, unordered).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Listener, SecurityProtocol } from '../config/index.js';
import type { Logger } from '../logging.js';
import { ANONYMOUS_PRINCIPAL, type ConnectionInfo, type MutableConnectionInfo } from '../request-context.js';
import { certificatePrincipal, tlsServerOptions, type ListenerTls } from '../security/tls-config.js';
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
  /** SSL and SASL_SSL listeners: TLS settings (a client that does not complete the TLS handshake never reaches the router). */
  readonly tls?: ListenerTls;
  /** SASL listeners: wraps the router in a per-connection authenticator that sets `info.principal`. */
  readonly authenticate?: (info: MutableConnectionInfo, route: FrameRouter) => FrameRouter;
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
  /** TLS handshakes that failed (plaintext clients, untrusted certificates), for tests and metrics. */
  tlsFailures = 0;

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
    const accept = (socket: Socket): void => {
      try {
        this.onConnection(socket);
      } catch (err) {
        this.log.error({ err }, 'failed to set up a connection');
        socket.destroy();
      }
    };
    const tls = this.opts.tls;
    let server: Server;
    if (tls === undefined) {
      server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, accept);
    } else {
      server = createTlsServer({ ...tlsServerOptions(tls), allowHalfOpen: true }, accept);
      // A plaintext client, an untrusted or expired certificate: that connection only, never the listener.
      server.on('tlsClientError', (err, socket) => {
        this.log.info({ reason: err.message, remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}` }, 'TLS handshake failed');
        this.tlsFailures++;
      });
    }
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

  /**
   * An SSL listener's principal: the verified client certificate's DN (RFC 2253) through
   * ssl.principal.mapping.rules; ANONYMOUS without a verified certificate (ssl.client.auth=none
   * or requested and not sent), as Kafka. On SASL_SSL the SASL identity replaces it.
   */
  private certificatePrincipal(socket: TLSSocket): string {
    return certificatePrincipal(socket, this.opts.tls!.principalMapper) ?? ANONYMOUS_PRINCIPAL;
  }

  private onConnection(socket: Socket): void {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    if (!this.accepting) {
      socket.destroy();
      return;
    }
    let principal = ANONYMOUS_PRINCIPAL;
    try {
      if (this.opts.tls !== undefined) principal = this.certificatePrincipal(socket as TLSSocket);
    } catch (err) {
      this.log.info({ remote, reason: (err as Error).message }, 'TLS client certificate refused');
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
    const info: MutableConnectionInfo = {
      connectionId: id,
      listenerName: this.name,
      securityProtocol: this.opts.securityProtocol,
      clientAddress: socket.remoteAddress ?? '',
      clientPort: socket.remotePort ?? 0,
      principal,
      signal: conn.signal,
    };
    this.log.debug({ connectionId: id, principal: info.principal }, 'connection accepted');
    const route = this.opts.authenticate?.(info, this.opts.route) ?? this.opts.route;
    conn.start((frame, receivedAtMs) => route(info, frame, receivedAtMs));
    socket.resume();
  }
}
