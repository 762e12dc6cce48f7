/**
 * The broker's composition root. `BrokerServer` owns the named components of one broker process
 * and starts them in dependency order, stopping them in reverse:
 *
 *   start: components (in the order added: storage, coordination, controller, …) → listeners
 *   stop:  components' beforeStop in reverse order (controlled shutdown, listeners still up) →
 *          listeners (stop accepting, drain in-flight requests until a deadline) → components'
 *          stop in reverse order → inter-broker client
 *
 * Listeners come last on start so that no request reaches a handler before the modules it needs
 * are ready, and first on stop so that no new work arrives while modules shut down.
 */
import type { BrokerConfig } from './config/index.js';
import { createHandlerRegistry, type HandlerRegistry } from './handlers/index.js';
import type { Logger } from './logging.js';
import { InterBrokerClient } from './network/inter-broker-client.js';
import { InternalRouter, type InternalApiVersions } from './network/internal-router.js';
import { RequestRouter } from './network/request-router.js';
import type { Scheduler } from '../common/index.js';
import { type BoundEndpoint, SocketServer } from './network/socket-server.js';
import type { Authorizer, InternalHandler, KafkaHandler } from './request-context.js';
import type { ScramCredentialLookup } from '../protocol/index.js';
import { interBrokerSecurity } from './security/inter-broker-login.js';

/** A module with a lifecycle, plugged into the broker by the composition root. */
export interface BrokerComponent {
  readonly name: string;
  start(): Promise<void>;
  /**
   * Optional first phase of shutdown, run (in reverse order) while every listener still serves:
   * controlled shutdown lives here, because the controller's LeaderAndIsr/StopReplica must still
   * reach this broker and clients must still get NOT_LEADER answers, as in Kafka.
   */
  beforeStop?(): Promise<void>;
  stop(): Promise<void>;
}

export interface BrokerServerOptions {
  readonly config: BrokerConfig;
  /** The process's root logger; the server takes children per module. */
  readonly logger: Logger;
  /** How long stop() lets in-flight requests finish before closing connections (default 5 s). */
  readonly shutdownDrainMs?: number;
  readonly scheduler?: Scheduler;
  readonly authorizer?: Authorizer;
  /** SCRAM credentials for SASL listeners (the broker's ZooKeeper-backed cache). */
  readonly scramCredentials?: ScramCredentialLookup;
  readonly onAuthentication?: (listener: string, outcome: 'success' | 'failure') => void;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

export class BrokerServer {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly handlers: HandlerRegistry;
  readonly router: RequestRouter;
  readonly internalRouter: InternalRouter;
  readonly socketServer: SocketServer;
  readonly interBrokerClient: InterBrokerClient;
  private readonly components: BrokerComponent[] = [];
  private readonly started: BrokerComponent[] = [];
  private readonly shutdownDrainMs: number;
  private state: State = 'new';
  private stopping: Promise<void> | undefined;

  constructor(options: BrokerServerOptions) {
    this.config = options.config;
    this.logger = options.logger.child({ module: 'server' });
    this.shutdownDrainMs = options.shutdownDrainMs ?? 5_000;
    this.handlers = createHandlerRegistry();
    this.router = new RequestRouter({
      registry: this.handlers,
      logger: options.logger.child({ module: 'network.router' }),
      authorizer: options.authorizer,
    });
    this.internalRouter = new InternalRouter(options.logger.child({ module: 'network.internal' }));
    this.socketServer = new SocketServer({
      config: this.config,
      router: this.router,
      internalRouter: this.internalRouter,
      logger: options.logger.child({ module: 'network' }),
      scramCredentials: options.scramCredentials,
      onAuthentication: options.onAuthentication,
    });
    this.interBrokerClient = new InterBrokerClient({
      logger: options.logger,
      scheduler: options.scheduler,
      requestTimeoutMs: this.config.int('controller.socket.timeout.ms'),
      maxFrameBytes: this.config.int('socket.request.max.bytes'),
      security: interBrokerSecurity(this.config),
    });
  }

  get brokerId(): number {
    return this.config.brokerId;
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  /** Adds a component; components start in the order added (add dependencies first). */
  addComponent(component: BrokerComponent): this {
    if (this.state !== 'new') throw new Error(`cannot add component ${component.name} to a ${this.state} broker`);
    if (this.components.some((c) => c.name === component.name)) throw new Error(`component ${component.name} added twice`);
    this.components.push(component);
    return this;
  }

  component<T extends BrokerComponent>(name: string): T {
    const c = this.components.find((x) => x.name === name);
    if (c === undefined) throw new Error(`no component named ${name}`);
    return c as T;
  }

  registerHandler(handler: KafkaHandler): this {
    this.handlers.register(handler);
    return this;
  }

  /** `versions`: the frame versions accepted (default v0 only, what every sender sends today). */
  registerInternal(api: string, handler: InternalHandler, versions?: InternalApiVersions): this {
    this.internalRouter.register(api, handler, versions);
    return this;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`broker already ${this.state}`);
    this.state = 'starting';
    try {
      for (const c of this.components) {
        this.logger.info({ component: c.name }, 'starting component');
        await c.start();
        this.started.push(c);
      }
      await this.socketServer.start();
    } catch (err) {
      this.logger.error({ err }, 'broker failed to start; stopping what started');
      await this.stopComponents();
      await this.interBrokerClient.close();
      this.state = 'stopped';
      throw err;
    }
    this.state = 'running';
    this.logger.info({ brokerId: this.brokerId, listeners: this.endpoints().map((e) => e.url) }, 'broker started');
  }

  /** Idempotent; concurrent calls share one shutdown. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  endpoints(): BoundEndpoint[] {
    return this.socketServer.endpoints();
  }

  endpoint(listenerName: string): BoundEndpoint {
    return this.socketServer.endpoint(listenerName);
  }

  /** The bound inter-broker endpoint, as other brokers should dial it. */
  interBrokerEndpoint(): BoundEndpoint {
    return this.socketServer.endpoint(this.config.interBrokerListenerName);
  }

  private async doStop(): Promise<void> {
    if (this.state === 'new' || this.state === 'stopped') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.logger.info({ brokerId: this.brokerId }, 'broker stopping');
    for (const c of [...this.started].reverse()) {
      if (c.beforeStop === undefined) continue;
      try {
        await c.beforeStop();
      } catch (err) {
        this.logger.error({ err, component: c.name }, 'component failed to prepare for shutdown');
      }
    }
    try {
      await this.socketServer.stop(Date.now() + this.shutdownDrainMs);
    } catch (err) {
      this.logger.error({ err }, 'closing listeners failed');
    }
    await this.stopComponents();
    await this.interBrokerClient.close();
    this.state = 'stopped';
    this.logger.info({ brokerId: this.brokerId }, 'broker stopped');
  }

  private async stopComponents(): Promise<void> {
    for (const c of this.started.splice(0).reverse()) {
      try {
        await c.stop();
      } catch (err) {
        // Keep going: a failing component must not keep later ones (and the process) running.
        this.logger.error({ err, component: c.name }, 'component failed to stop');
      }
    }
  }
}
