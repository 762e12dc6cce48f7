/**
 * The mirror process: `scripts/mirror-maker.sh <mm2.properties>` (Kafka's
 * connect-mirror-maker.sh shape). Runs every enabled flow until SIGTERM/SIGINT, then stops them
 * committing what was mirrored. With admin.http.listener: GET /health (200 when every flow runs
 * with all its tasks, else 503; JSON status either way) and GET /metrics (Prometheus text).
 * Exit codes: 0 after a clean stop, 1 on a bad command line or configuration, 2 if stopping failed.
 */
import { readFileSync } from 'node:fs';
import { fastify } from 'fastify';
// Sub-modules, not broker/index.ts: the whole broker is not needed to read a properties file.
import { parseProperties } from '../../broker/config/index.js';
import { createRootLogger } from '../../broker/logging.js';
import { startAdminHttp, type RunningAdminHttp } from '../../broker/http/server.js';
import { mirror } from '../../client/index.js';
import { mirrorRegistry } from './metrics.js';

const USAGE = 'usage: mirror-maker.sh <mm2.properties>   (--help: every key with its default)';

function helpText(): string {
  const lines = [USAGE, '', 'Mirrors topics between clusters, MirrorMaker 2 style. Keys (MM2 names and defaults):', ''];
  const show = (prefix: string, defs: readonly mirror.KeyDef[]): void => {
    for (const d of defs) lines.push(`  ${prefix}${d.key}  [${d.type}]  default: ${d.default === '' ? '(none)' : d.default}`, `      ${d.doc}`);
  };
  show('', mirror.GLOBAL_KEYS);
  show('<alias>.', mirror.CLUSTER_KEYS);
  lines.push('', 'Flow keys: for every flow, or for one as <source>-><target>.<key> (e.g. A->B.topics):', '');
  show('', mirror.FLOW_KEYS);
  return lines.join('\n') + '\n';
}

function loadConfig(file: string): mirror.MirrorMakerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  return mirror.parseMirrorMakerConfig(parseProperties(text, file), file);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(helpText());
    return;
  }
  if (args.length !== 1 || args[0]!.startsWith('-')) {
    process.stderr.write(`error: ${args.length === 0 ? 'missing the properties file' : `unexpected arguments: ${args.join(' ')}`}\n${USAGE}\n`);
    process.exit(1);
  }
  let config: mirror.MirrorMakerConfig;
  try {
    config = loadConfig(args[0]!);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exit(1);
  }

  const logger = createRootLogger({ base: { component: 'mirror-maker' } });
  const metrics = mirrorRegistry();
  const mm = new mirror.MirrorMaker(config, { log: logger, onReplicationLatency: metrics.observeLatency });
  metrics.attach(mm);

  let http: RunningAdminHttp | undefined;
  if (config.httpListener !== null) {
    const app = fastify({ logger: false });
    app.get('/health', async (_req, reply) => {
      const healthy = mm.healthy();
      return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'degraded', flows: mm.status() });
    });
    app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
    http = await startAdminHttp(app, config.httpListener);
  }

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping the mirror (committing what was mirrored)');
    Promise.all([mm.stop(), http?.stop()]).then(
      () => logger.flush(() => process.exit(0)),
      (err: unknown) => {
        logger.error({ err }, 'stopping failed');
        logger.flush(() => process.exit(2));
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection (a bug: every promise must be handled)'));

  mm.start();
  const flows = config.flows.map((f) => `${f.source}->${f.target}`).join(', ');
  process.stdout.write(`mirror maker started: flows ${flows}\n`);
  if (http !== undefined) process.stdout.write(`admin http on ${http.url}\n`);
  logger.info({ flows, http: http?.url ?? null }, 'mirror maker started');
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
