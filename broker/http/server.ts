/**
 * Binding the admin app to `admin.http.listener`. Loopback unless the operator names another
 * host: without admin.http.authentication=basic anyone who reaches it can delete topics.
 */
import type { FastifyInstance } from 'fastify';

export const DEFAULT_ADMIN_HOST = '127.0.0.1';

/** BrokerConfig's `adminHttp` (parsed admin.http.listener) fits as is. */
export interface AdminHttpListen {
  /** Default (also for ''): 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
}

export interface RunningAdminHttp {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish, closes. Idempotent. */
  stop(): Promise<void>;
}

export async function startAdminHttp(app: FastifyInstance, listen: AdminHttpListen): Promise<RunningAdminHttp> {
  // An empty host would make Node bind every interface: loopback unless named.
  const host = listen.host === undefined || listen.host === '' ? DEFAULT_ADMIN_HOST : listen.host;
  await app.listen({ host, port: listen.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : listen.port;
  let stopping: Promise<void> | undefined;
  return {
    host,
    port,
    url: `${app.initialConfig.https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stop: () => (stopping ??= app.close()),
  };
}
