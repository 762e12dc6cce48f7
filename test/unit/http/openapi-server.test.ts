import { expect } from 'chai';
import { request } from 'node:http';
import { buildAdminApp, openApiPath, startAdminHttp } from '../../../broker/http/index.js';
import { adminFixture, type Fixture } from './admin-http-fixture.js';

const EXPECTED_ROUTES = [
  'GET /health',
  'GET /ready',
  'GET /metrics',
  'GET /cluster',
  'GET /brokers',
  'GET /brokers/{id}',
  'GET /topics',
  'POST /topics',
  'GET /topics/{name}',
  'DELETE /topics/{name}',
  'PATCH /topics/{name}/config',
  'POST /topics/{name}/partitions',
  'POST /reassignments',
  'GET /reassignments',
  'POST /elections/preferred',
  'GET /groups',
  'GET /groups/{id}',
  'DELETE /groups/{id}',
  'POST /groups/{id}/offsets',
  'GET /openapi.json',
  'GET /cluster/stats',
  'GET /topics/{name}/offsets',
  'GET /topics/{name}/configs',
  'POST /topics/{name}/elections/preferred',
  'GET /topics/{name}/partitions/{partition}/messages',
  'GET /transactions',
  'GET /transactions/{id}',
  'GET /quotas',
  'PUT /quotas',
  'POST /topics/{name}/messages',
];

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

type Doc = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Record<string, unknown>>> };

/** The structural rules of OpenAPI 3.1 that a generator can get wrong. */
function openApiProblems(doc: Doc): string[] {
  const problems: string[] = [];
  if (!/^3\.1\.\d+$/.test(doc.openapi)) problems.push(`openapi version ${doc.openapi}`);
  if (typeof doc.info?.title !== 'string' || typeof doc.info?.version !== 'string') problems.push('info.title/version');
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/')) problems.push(`path ${path} must start with /`);
    if (path.includes(':')) problems.push(`path ${path} uses :param instead of {param}`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!METHODS.has(method)) problems.push(`${where}: unknown method`);
      const id = op['operationId'] as string;
      if (typeof id !== 'string' || ids.has(id)) problems.push(`${where}: operationId missing or duplicate (${id})`);
      ids.add(id);
      const params = (op['parameters'] ?? []) as Array<{ name: string; in: string; required?: boolean; schema?: unknown }>;
      for (const name of templated) {
        const p = params.find((x) => x.name === name && x.in === 'path');
        if (p === undefined || p.required !== true || p.schema === undefined) problems.push(`${where}: path parameter ${name} not declared as required`);
      }
      for (const p of params) if (!['path', 'query', 'header', 'cookie'].includes(p.in)) problems.push(`${where}: parameter in ${p.in}`);
      const responses = op['responses'] as Record<string, { description?: unknown; content?: Record<string, { schema?: unknown }> }> | undefined;
      if (responses === undefined || Object.keys(responses).length === 0) problems.push(`${where}: no responses`);
      for (const [code, r] of Object.entries(responses ?? {})) {
        if (!/^([1-5](\d\d|XX)|default)$/.test(code)) problems.push(`${where}: response key ${code}`);
        if (typeof r.description !== 'string') problems.push(`${where} ${code}: description`);
        for (const [type, media] of Object.entries(r.content ?? {})) {
          if (typeof media.schema !== 'object') problems.push(`${where} ${code} ${type}: schema`);
        }
      }
      const body = op['requestBody'] as { content?: Record<string, { schema?: unknown }> } | undefined;
      if (body !== undefined && typeof body.content?.['application/json']?.schema !== 'object') problems.push(`${where}: requestBody schema`);
    }
  }
  return problems;
}

describe('http > openapi and server', () => {
  let f: Fixture;
  before(async () => {
    f = await adminFixture({ withGroups: true, withOperations: true });
  });
  after(async () => {
    await f.app.close();
  });

  it('GET /openapi.json is a valid OpenAPI 3.1 document listing every route', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).to.equal(200);
    const doc = res.json() as Doc;
    expect(openApiProblems(doc)).to.deep.equal([]);
    const listed = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect(listed.sort()).to.deep.equal([...EXPECTED_ROUTES].sort());
  });

  it('the document carries the validation schemas and the error model', async () => {
    const doc = (await f.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Doc;
    const create = doc.paths['/topics']!['post']!;
    const body = (create['requestBody'] as { content: Record<string, { schema: { required: string[] } }> }).content['application/json']!.schema;
    expect(body.required).to.deep.equal(['name']);
    const responses = create['responses'] as Record<string, { content: Record<string, { schema: { properties?: Record<string, unknown> } }> }>;
    expect(Object.keys(responses)).to.include.members(['201', '4XX', '5XX']);
    expect(responses['4XX']!.content['application/json']!.schema.properties).to.have.property('error');
    const metrics = doc.paths['/metrics']!['get']!['responses'] as Record<string, { content: Record<string, unknown> }>;
    expect(Object.keys(metrics['200']!.content)[0]).to.match(/^text\/plain/);
  });

  it('openApiPath turns :params into {params}', () => {
    expect(openApiPath('/topics/:name/config')).to.equal('/topics/{name}/config');
    expect(openApiPath('/a/:x/b/:y_z')).to.equal('/a/{x}/b/{y_z}');
  });

  it('startAdminHttp binds loopback, serves real HTTP, and stop() closes the port', async () => {
    const app = buildAdminApp(f.deps);
    const running = await startAdminHttp(app, { host: '', port: 0 });
    try {
      expect(running.host).to.equal('127.0.0.1');
      expect(running.port).to.be.greaterThan(0);
      const { status, body } = await get(running.port, '/health');
      expect(status).to.equal(200);
      expect(JSON.parse(body)).to.include({ status: 'ok', brokerId: 1 });
    } finally {
      await running.stop();
      await running.stop();
    }
    let refused = false;
    try {
      await get(running.port, '/health');
    } catch (err) {
      refused = (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
    }
    expect(refused, 'port closed after stop').to.equal(true);
  });
});

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: 5000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}
