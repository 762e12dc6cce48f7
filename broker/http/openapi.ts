/**
 * OpenAPI 3.1 from the routes' own schemas (collected with fastify's onRoute hook), so the
 * description cannot drift from what the server validates. 3.1 because its schema dialect is
 * JSON Schema, which is what fastify's schemas already are.
 */
import type { FastifySchema } from 'fastify';
import type { JsonSchema } from './schemas.js';

/** The route schema keys fastify uses plus the documentation keys it ignores. */
export interface DocumentedSchema {
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly operationId?: string;
  /** Content type of the 2xx answers; application/json when absent. */
  readonly produces?: string;
  readonly params?: JsonSchema;
  readonly querystring?: JsonSchema;
  readonly body?: JsonSchema;
  readonly response?: Readonly<Record<string, JsonSchema>>;
  /** Documented responses the serializer must not touch (e.g. /metrics' text). */
  readonly documentedResponses?: Readonly<Record<string, JsonSchema>>;
}

export interface CollectedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema?: DocumentedSchema;
}

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

const DEFAULT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted: the controller completes the change asynchronously',
  '4XX': 'Client error: `{ error: { code, message } }`',
  '5XX': 'Server error or unavailable: `{ error: { code, message } }`',
};

/** `/topics/:name/config` → `/topics/{name}/config`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function buildOpenApiDocument(routes: readonly CollectedRoute[], info: OpenApiInfo): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const sorted = [...routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
  for (const route of sorted) {
    const path = openApiPath(route.url);
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return { openapi: '3.1.0', info: { ...info }, paths };
}

function operation(route: CollectedRoute): Record<string, unknown> {
  const s = route.schema ?? {};
  const op: Record<string, unknown> = {
    operationId: s.operationId ?? defaultOperationId(route),
  };
  if (s.summary !== undefined) op['summary'] = s.summary;
  if (s.description !== undefined) op['description'] = s.description;
  if (s.tags !== undefined) op['tags'] = [...s.tags];
  const parameters = [...parametersOf(s.params, 'path'), ...parametersOf(s.querystring, 'query')];
  if (parameters.length > 0) op['parameters'] = parameters;
  if (s.body !== undefined) {
    op['requestBody'] = { required: true, content: { 'application/json': { schema: s.body } } };
  }
  const responses: Record<string, unknown> = {};
  for (const [code, schema] of Object.entries({ ...s.response, ...s.documentedResponses })) {
    const key = code.toUpperCase();
    const type = key.startsWith('2') ? (s.produces ?? 'application/json') : 'application/json';
    responses[key] = {
      description: (schema['description'] as string | undefined) ?? DEFAULT_DESCRIPTIONS[key] ?? 'Response',
      content: { [type]: { schema } },
    };
  }
  if (Object.keys(responses).length === 0) responses['default'] = { description: 'Response' };
  op['responses'] = responses;
  return op;
}

function parametersOf(schema: JsonSchema | undefined, where: 'path' | 'query'): Record<string, unknown>[] {
  const props = (schema?.['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema?.['required'] ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => {
    const p: Record<string, unknown> = { name, in: where, required: where === 'path' || required.has(name), schema: s };
    if (typeof s['description'] === 'string') p['description'] = s['description'];
    return p;
  });
}

function defaultOperationId(route: CollectedRoute): string {
  const words = route.url.split('/').filter((w) => w.length > 0).map((w) => (w.startsWith(':') ? `by-${w.slice(1)}` : w));
  return [route.method.toLowerCase(), ...words].join('-').replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase());
}

/** Route schema with documentation keys; fastify ignores the keys it does not know. */
export const documented = (schema: DocumentedSchema): FastifySchema => schema as FastifySchema;
