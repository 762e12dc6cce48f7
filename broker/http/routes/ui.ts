/**
 * The dashboard: plain ES modules and one CSS file from broker/http/ui, uPlot from its npm
 * package, served under /ui/ by @fastify/static. Nothing is fetched from elsewhere, so it works
 * offline. The routes are hidden from /openapi.json: they are pages, not API.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const UI_ROOT = join(samsaHome(dirname(fileURLToPath(import.meta.url))), 'broker', 'http', 'ui');
const UPLOT_DIST = dirname(createRequire(import.meta.url).resolve('uplot'));

/**
 * The checkout's root, the first directory upwards with a package.json: this module runs from
 * broker/http/routes/ under tsx and from a bundle in .build/<build>/broker/ (scripts/lib/build.mjs).
 */
function samsaHome(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}: cannot find the dashboard's files`);
  }
}

/** The page's own origin only; uPlot sets inline styles on its elements. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'";

export function registerUiRoutes(app: FastifyInstance): void {
  const setHeaders = (res: { setHeader(name: string, value: string): unknown }): void => {
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
  };
  // Plugins load when the app is readied (listen or inject), after the other routes.
  void app.register(fastifyStatic, { root: UI_ROOT, prefix: '/ui', redirect: true, index: ['index.html'], cacheControl: false, setHeaders });
  void app.register(fastifyStatic, { root: UPLOT_DIST, prefix: '/ui/vendor/uplot/', decorateReply: false, maxAge: 3_600_000, setHeaders });
}
