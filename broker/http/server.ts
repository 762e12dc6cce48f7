/**
 * Binding the admin app to `admin.http.listener`. Loopback unless the operator names another
 * host: the admin API can delete topics and has no authentication yet.
 */
import type { FastifyInstance } from 'fastify';

export const DEFAULT_ADMIN_HOST = '127.0.0.1';

export interface AdminHttpListen {
  /** Default 127.0.0.1. */
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

export class AdminHttpListenerError extends Error {
  override readonly name = 'AdminHttpListenerError';
  readonly code = 'BRK_ADMIN_HTTP_LISTENER';
  readonly retriable = false;
}

/** `host:port`, `[::1]:port` or `:port` (admin.http.listener); empty/undefined: disabled (null). */
export function parseAdminListener(value: string | undefined): AdminHttpListen | null {
  const v = value?.trim() ?? '';
  if (v === '') return null;
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(v);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port > 65535) throw new AdminHttpListenerError(`admin.http.listener must be host:port, got "${value}"`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? DEFAULT_ADMIN_HOST : host, port };
}

export async function startAdminHttp(app: FastifyInstance, listen: AdminHttpListen): Promise<RunningAdminHttp> {
  const host = listen.host ?? DEFAULT_ADMIN_HOST;
  await app.listen({ host, port: listen.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : listen.port;
  let stopping: Promise<void> | undefined;
  return {
    host,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stop: () => (stopping ??= app.close()),
  };
}
