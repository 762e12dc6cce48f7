/**
 * buildAdminApp: the HTTP admin API as a fastify instance, built but not listening (server.ts
 * listens; tests use `app.inject()`). One error handler and one not-found handler give every
 * failure, fastify's own included, the `{ error: { code, message } }` shape.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { TlsOptions } from 'node:tls';
import type { AdminHttpDeps } from './deps.js';
import { toHttpFailure } from './errors.js';
import { buildOpenApiDocument, documented, type CollectedRoute, type DocumentedSchema } from './openapi.js';
import { registerClusterRoutes } from './routes/cluster.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerMessageRoutes } from './routes/messages.js';
import { registerUiRoutes } from './routes/ui.js';
import { registerGroupRoutes } from './routes/groups.js';
import { registerTransactionRoutes } from './routes/transactions.js';
import { registerQuotaRoutes } from './routes/quotas.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerOperationRoutes } from './routes/operations.js';
import { registerTopicRoutes } from './routes/topics.js';
import { registerRouteAuthorization } from './route-acls.js';
import { registerBasicAuthentication } from './http-auth.js';

export interface AdminAppOptions {
  /** Largest accepted request body (bytes). */
  readonly bodyLimit?: number;
  /** Serve HTTPS with these options (broker/security's tlsServerOptions); absent: plain HTTP. */
  readonly https?: TlsOptions;
}

export const ADMIN_API_VERSION = '1';

export function buildAdminApp(deps: AdminHttpDeps, options: AdminAppOptions = {}): FastifyInstance {
  const app = Fastify({
    ...(deps.logger === undefined ? { logger: false } : { loggerInstance: deps.logger }),
    // Scrapes every few seconds would flood info logs; requests are logged at debug below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ...(options.https === undefined ? {} : { https: options.https }),
    ajv: {
      // A misspelt field must be refused, not silently dropped; and no coercion: with it a null
      // replica list became [0] and a null config value "".
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false, allowUnionTypes: true },
    },
  }) as unknown as FastifyInstance;

  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // Hidden routes (the dashboard's static files) are pages, not API.
    if ((route.schema as { hide?: boolean } | undefined)?.hide === true) return;
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routes.push({ method, url: route.url, schema: route.schema as DocumentedSchema | undefined });
    }
  });

  if (deps.authentication !== undefined) registerBasicAuthentication(app, deps.authentication);
  if (deps.acls !== undefined) registerRouteAuthorization(app, deps.acls);

  app.addHook('onResponse', async (req, reply) => {
    req.log.debug({ method: req.method, url: req.url, statusCode: reply.statusCode, ms: reply.elapsedTime }, 'admin http request');
  });

  app.setErrorHandler(async (err, req, reply) => {
    const failure = toHttpFailure(err, () => deps.cluster().controllerId);
    if (failure.statusCode >= 500 && failure.statusCode !== 501 && failure.statusCode !== 503) {
      req.log.error({ err, method: req.method, url: req.url }, 'admin http request failed');
    } else {
      req.log.debug({ err, method: req.method, url: req.url, statusCode: failure.statusCode }, 'admin http request refused');
    }
    return reply.status(failure.statusCode).send(failure.body);
  });

  app.setNotFoundHandler(async (req, reply) =>
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: `Route ${req.method} ${req.url.split('?')[0]} not found` } }),
  );

  registerHealthRoutes(app, deps);
  registerClusterRoutes(app, deps);
  registerTopicRoutes(app, deps);
  registerOperationRoutes(app, deps);
  registerGroupRoutes(app, deps);
  registerTransactionRoutes(app, deps);
  registerQuotaRoutes(app, deps);
  registerDashboardRoutes(app, deps);
  registerMessageRoutes(app, deps);
  registerUiRoutes(app);

  let openApi: Record<string, unknown> | undefined;
  app.get('/openapi.json', { schema: documented({ summary: 'This API, described as OpenAPI 3.1', tags: ['meta'] }) }, async () => {
    openApi ??= buildOpenApiDocument(routes, {
      title: 'Samsa broker admin API',
      version: ADMIN_API_VERSION,
      description: `Admin API of broker ${deps.brokerId}. Errors are { error: { code, message } } with Kafka's error names.`,
    });
    return openApi;
  });

  return app;
}
