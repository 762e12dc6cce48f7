/**
 * HTTP Basic authentication of the admin API (issue 17): the caller names a SASL user (PLAIN or
 * SCRAM) and becomes `User:<name>`, the principal the route ACLs check (route-acls.ts), as a SASL
 * connection does for the Kafka APIs. Missing or wrong credentials are 401 with
 * `WWW-Authenticate: Basic` (RFC 7617) before routing, so an unknown path reveals nothing either.
 * Open paths (admin.http.open.paths: /health, /metrics, /ready by default) are served to anyone,
 * as User:ANONYMOUS. Over HTTPS with client auth, a verified client certificate logs in without a
 * password; Basic credentials, when sent, replace it (as SASL replaces the certificate on SASL_SSL).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ANONYMOUS_PRINCIPAL } from '../request-context.js';
import type { BasicAuthentication } from './deps.js';

const principals = new WeakMap<FastifyRequest, string>();

/** The request's principal: `User:<name>` once authenticated, User:ANONYMOUS otherwise. */
export function principalOf(req: FastifyRequest): string {
  return principals.get(req) ?? ANONYMOUS_PRINCIPAL;
}

export const BASIC_CHALLENGE = 'Basic realm="samsa-admin", charset="UTF-8"';

export function isOpenPath(openPaths: readonly string[], path: string): boolean {
  return openPaths.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p));
}

/** `Authorization: Basic base64(user:password)` → credentials, undefined when absent or malformed. */
export function parseBasicAuthorization(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (m === null) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

export function registerBasicAuthentication(app: FastifyInstance, auth: BasicAuthentication): void {
  app.addHook('onRequest', async (req, reply) => {
    if (isOpenPath(auth.openPaths, req.url.split('?')[0]!)) return;
    const creds = parseBasicAuthorization(req.headers.authorization);
    const fromCertificate = req.headers.authorization === undefined ? auth.certificatePrincipal?.(req.raw.socket) : undefined;
    if (fromCertificate !== undefined) {
      principals.set(req, fromCertificate);
      return;
    }
    if (creds !== undefined && (await auth.check(creds.user, creds.password))) {
      principals.set(req, `User:${creds.user}`);
      return;
    }
    req.log.debug({ url: req.url, user: creds?.user }, 'admin http authentication failed');
    const message = creds === undefined ? 'HTTP Basic credentials required' : 'Authentication failed: Invalid username or password';
    return reply.code(401).header('www-authenticate', BASIC_CHALLENGE).send({ error: { code: 'SASL_AUTHENTICATION_FAILED', message } });
  });
}
