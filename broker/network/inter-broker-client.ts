/**
 * The broker's client for other brokers' inter-broker listeners: one lazily connected channel per
 * target broker id. The controller's transport and the replica fetchers sit on `send`.
 */
import { BrokerError } from '../errors.js';
import type { Logger } from '../logging.js';
import { InterBrokerChannel } from './inter-broker-channel.js';
import type { InterBrokerSecurity } from '../security/inter-broker-login.js';
import { backgroundScheduler, type Scheduler } from '../../common/index.js';

export interface BrokerEndpoint {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

/** The shape the controller's channel manager and the replica fetchers program against. */
export interface InterBrokerTransport {
  send(broker: BrokerEndpoint, api: string, body: unknown, options?: SendOptions): Promise<unknown>;
}

export interface SendOptions {
  /** The sender's version of the api, checked by the receiver's range (default 0). */
  readonly version?: number;
  /** Overrides the client's request timeout for this request (e.g. a long-polling replica fetch). */
  readonly timeoutMs?: number;
}

export interface InterBrokerClientOptions {
  readonly logger: Logger;
  readonly scheduler?: Scheduler;
  /** Per-request timeout (Kafka: controller.socket.timeout.ms, 30 s). */
  readonly requestTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** First reconnect delay after a failure, doubled per failure up to the max (Kafka: 50 ms / 1 s). */
  readonly reconnectBackoffMs?: number;
  readonly reconnectBackoffMaxMs?: number;
  /** Largest response frame accepted. */
  readonly maxFrameBytes?: number;
  /** TLS/SASL toward the inter-broker listener (broker/security/inter-broker-login.ts). */
  readonly security?: InterBrokerSecurity;
}

export class InterBrokerClient implements InterBrokerTransport {
  private readonly channels = new Map<number, InterBrokerChannel>();
  private readonly log: Logger;
  private readonly scheduler: Scheduler;
  private readonly requestTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly reconnectBackoffMs: number;
  private readonly reconnectBackoffMaxMs: number;
  private readonly maxFrameBytes: number;
  private readonly security: InterBrokerSecurity | undefined;
  private closed = false;

  constructor(options: InterBrokerClientOptions) {
    this.log = options.logger.child({ module: 'inter-broker-client' });
    this.scheduler = options.scheduler ?? backgroundScheduler;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.reconnectBackoffMs = options.reconnectBackoffMs ?? 50;
    this.reconnectBackoffMaxMs = options.reconnectBackoffMaxMs ?? 1_000;
    this.maxFrameBytes = options.maxFrameBytes ?? 104_857_600;
    this.security = options.security;
  }

  send(broker: BrokerEndpoint, api: string, body: unknown, options: SendOptions = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(new BrokerError('BRK_CLIENT_CLOSED', 'inter-broker client is closed'));
    return this.channel(broker).request(api, options.version ?? 0, body, options.timeoutMs ?? this.requestTimeoutMs);
  }

  /** Same as send; reads better at call sites that await a typed answer. */
  request<T = unknown>(broker: BrokerEndpoint, api: string, body: unknown, options?: SendOptions): Promise<T> {
    return this.send(broker, api, body, options) as Promise<T>;
  }

  isConnected(brokerId: number): boolean {
    return this.channels.get(brokerId)?.isConnected ?? false;
  }

  /** Drops the channel to a broker (it left the cluster); its pending requests fail. */
  remove(brokerId: number): void {
    const ch = this.channels.get(brokerId);
    if (ch === undefined) return;
    this.channels.delete(brokerId);
    ch.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.channels.keys()]) this.remove(id);
  }

  private channel(broker: BrokerEndpoint): InterBrokerChannel {
    const existing = this.channels.get(broker.id);
    if (existing !== undefined && existing.host === broker.host && existing.port === broker.port) return existing;
    // A broker that re-registered at another address gets a fresh channel.
    if (existing !== undefined) this.remove(broker.id);
    const ch = new InterBrokerChannel({
      brokerId: broker.id,
      host: broker.host,
      port: broker.port,
      connectTimeoutMs: this.connectTimeoutMs,
      reconnectBackoffMs: this.reconnectBackoffMs,
      reconnectBackoffMaxMs: this.reconnectBackoffMaxMs,
      maxFrameBytes: this.maxFrameBytes,
      scheduler: this.scheduler,
      logger: this.log,
      security: this.security,
    });
    this.channels.set(broker.id, ch);
    return ch;
  }
}
