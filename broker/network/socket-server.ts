/**
 * All of a broker's listeners: one Kafka-protocol listener per client listener of `listeners`,
 * and the msgpack listener named by `inter.broker.listener.name`. Limits come from Kafka's keys:
 * socket.request.max.bytes, queued.max.requests (per connection here), connections.max.idle.ms,
 * max.connections (client listeners only).
 */
import type { BrokerConfig } from '../config/index.js';
import type { Logger } from '../logging.js';
import type { ConnectionStats } from './framed-connection.js';
import type { InternalRouter } from './internal-router.js';
import { ConnectionQuota, type ConnectionLimits, type FrameRouter, NetworkListener } from './listener.js';
import type { MutableConnectionInfo } from '../request-context.js';
import type { RequestRouter } from './request-router.js';
import type { ScramCredentialLookup } from '../../protocol/index.js';
import { KafkaSaslAuthenticator } from '../security/kafka-authenticator.js';
import { InternalSaslAuthenticator } from '../security/internal-authenticator.js';
import { listenerSasl } from '../security/sasl-server.js';
import { listenerTls } from '../security/tls-config.js';

export interface SocketServerOptions {
  readonly config: BrokerConfig;
  readonly router: RequestRouter;
  readonly internalRouter: InternalRouter;
  readonly logger: Logger;
  /** SCRAM credentials (the broker's ZooKeeper-backed cache); absent: every SCRAM login fails. */
  readonly scramCredentials?: ScramCredentialLookup;
  /** Counts authentications per outcome (metrics). */
  readonly onAuthentication?: (listener: string, outcome: 'success' | 'failure') => void;
}

export interface BoundEndpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly interBroker: boolean;
}

function connectionLimits(config: BrokerConfig): ConnectionLimits {
  return {
    maxFrameBytes: config.int('socket.request.max.bytes'),
    maxInFlight: config.int('queued.max.requests'),
    idleTimeoutMs: config.int('connections.max.idle.ms'),
  };
}

export class SocketServer {
  private readonly listeners: NetworkListener[] = [];
  private readonly interBrokerName: string;
  readonly quota: ConnectionQuota;

  constructor(options: SocketServerOptions) {
    const { config, router, internalRouter } = options;
    const log = options.logger;
    const limits = connectionLimits(config);
    this.interBrokerName = config.interBrokerListenerName;
    this.quota = new ConnectionQuota(config.int('max.connections'));
    for (const l of config.listeners) {
      const interBroker = l.name === this.interBrokerName;
      const securityProtocol = config.securityProtocolMap.get(l.name) ?? 'PLAINTEXT';
      const tls = securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL' ? listenerTls(config, l.name) : undefined;
      const sasl =
        securityProtocol === 'SASL_PLAINTEXT' || securityProtocol === 'SASL_SSL'
          ? listenerSasl(config, l.name, options.scramCredentials ?? (() => undefined))
          : undefined;
      const authLog = log.child({ listener: l.name, module: 'network.authenticator' });
      const counted = (o: 'success' | 'failure'): void => options.onAuthentication?.(l.name, o);
      const authenticate =
        sasl === undefined
          ? undefined
          : interBroker
            ? (info: MutableConnectionInfo, route: FrameRouter) => new InternalSaslAuthenticator(info, sasl, route, () => Date.now(), authLog, counted).route
            : (info: MutableConnectionInfo, route: FrameRouter) => new KafkaSaslAuthenticator(info, sasl, route, () => Date.now(), authLog, counted).route;
      this.listeners.push(
        new NetworkListener({
          listener: l,
          securityProtocol,
          limits,
          ordered: !interBroker,
          route: interBroker ? (c, f, t) => internalRouter.route(c, f, t) : (c, f, t) => router.route(c, f, t),
          logger: log,
          quota: interBroker ? undefined : this.quota,
          tls,
          authenticate,
        }),
      );
    }
  }

  /**
   * Binds every listener; the inter-broker one first, so that a broker reachable by clients can
   * always be reached by the controller too. On failure, what was bound is released.
   */
  async start(): Promise<void> {
    const order = [...this.listeners].sort((a, b) => Number(b.name === this.interBrokerName) - Number(a.name === this.interBrokerName));
    const started: NetworkListener[] = [];
    try {
      for (const l of order) {
        await l.start();
        started.push(l);
      }
    } catch (err) {
      await Promise.all(started.map((l) => l.stop(Date.now())));
      throw err;
    }
  }

  /** Client listeners first (no new client work), then the inter-broker one. */
  async stop(deadlineMs: number): Promise<void> {
    const clients = this.listeners.filter((l) => l.name !== this.interBrokerName);
    await Promise.all(clients.map((l) => l.stop(deadlineMs)));
    await Promise.all(this.listeners.filter((l) => l.name === this.interBrokerName).map((l) => l.stop(deadlineMs)));
  }

  endpoints(): BoundEndpoint[] {
    return this.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port, url: l.url, interBroker: l.name === this.interBrokerName }));
  }

  /** The bound endpoint of a listener by name (ports differ from the config when it said 0). */
  endpoint(name: string): BoundEndpoint {
    const e = this.endpoints().find((x) => x.name === name.toUpperCase());
    if (e === undefined) throw new Error(`no listener named ${name}`);
    return e;
  }

  /** TLS handshakes refused across listeners (plaintext clients, untrusted certificates). */
  get tlsFailures(): number {
    return this.listeners.reduce((n, l) => n + l.tlsFailures, 0);
  }

  connectionStats(): ConnectionStats[] {
    return this.listeners.flatMap((l) => l.connectionStats());
  }
}
