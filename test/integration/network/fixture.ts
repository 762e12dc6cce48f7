/**
 * An in-process BrokerServer with port-0 listeners and nothing but the network layer, for the
 * network tests. ZooKeeper is configured (the config requires it) but never contacted.
 */
import { loadBrokerConfig, silentLogger, type BrokerConfig } from '../../../broker/index.js';
import { BrokerServer } from '../../../broker/server.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';

export function networkConfig(overrides: Record<string, string | number> = {}): BrokerConfig {
  const all: Record<string, string | number> = {
    'broker.id': 1,
    listeners: 'PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT',
    'inter.broker.listener.name': 'INTERNAL',
    'zookeeper.connect': '127.0.0.1:1',
    'admin.http.listener': '',
    ...overrides,
  };
  return loadBrokerConfig({ overrides: Object.entries(all).map(([k, v]) => `${k}=${v}`) });
}

export interface StartedBroker {
  server: BrokerServer;
  port: number;
  interBrokerPort: number;
  connect(): Promise<KafkaSocket>;
}

/** Builds a server; `setup` may register handlers before it starts. */
export async function startNetworkBroker(
  overrides: Record<string, string | number> = {},
  setup: (server: BrokerServer) => void = () => undefined,
  options: { shutdownDrainMs?: number } = {},
): Promise<StartedBroker> {
  const server = new BrokerServer({ config: networkConfig(overrides), logger: silentLogger(), shutdownDrainMs: options.shutdownDrainMs ?? 1_000 });
  setup(server);
  await server.start();
  const port = server.endpoint('PLAINTEXT').port;
  return {
    server,
    port,
    interBrokerPort: server.interBrokerEndpoint().port,
    connect: () => KafkaSocket.connect('127.0.0.1', port),
  };
}
