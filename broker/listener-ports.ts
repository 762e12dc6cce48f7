import { createServer } from 'node:net';
import type { BrokerConfig } from './config/index.js';

/**
 * Fails fast, before anything registers in ZooKeeper, when a listener's port is taken (the
 * listeners themselves open only after every component started). Kafka binds its sockets early
 * for the same reason.
 */
export async function checkListenerPorts(config: BrokerConfig): Promise<void> {
  const all = [...config.listeners];
  if (config.adminHttp !== null) all.push({ name: 'admin.http.listener', host: config.adminHttp.host === '' ? '127.0.0.1' : config.adminHttp.host, port: config.adminHttp.port });
  for (const l of all) {
    if (l.port === 0) continue;
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', (err) => reject(new Error(`cannot listen on ${l.name}://${l.host}:${l.port}: ${err.message}`, { cause: err })));
      probe.listen(l.host === '' ? { port: l.port, exclusive: true } : { host: l.host, port: l.port, exclusive: true }, () => probe.close(() => resolve()));
    });
  }
}
