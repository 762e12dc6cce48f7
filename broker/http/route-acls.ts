/**
 * Authorization of the HTTP admin API by the same ACLs as the Kafka APIs (broker/security): each
 * route that changes something, or reads records, names the operation and resource of its Kafka
 * twin (POST /topics = CreateTopics: Create on the cluster or the topic; DELETE /topics/:name =
 * DeleteTopics: Delete on the topic; …). With an authorizer configured, a write route missing
 * from the table is refused, so a new route cannot bypass the ACLs. Other reads (descriptions,
 * /health, /metrics) stay open. The principal is the request's: User:<name> with Basic
 * authentication (http-auth.ts), User:ANONYMOUS without, as on a PLAINTEXT Kafka listener.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf } from './http-auth.js';
import { AdminHttpError } from './errors.js';
import { aclHost, AclOperation as Op, CLUSTER_RESOURCE_NAME, ResourceType as Res, type AclAuthorizer, type AclOperationCode, type ResourceTypeCode } from '../security/index.js';

interface Check {
  readonly operation: AclOperationCode;
  readonly resourceType: ResourceTypeCode;
  readonly name: string;
}

type Params = Record<string, string>;
type RouteRule = (params: Params, body: any) => Check[][];

const topic = (operation: AclOperationCode, name: string): Check => ({ operation, resourceType: Res.TOPIC, name });
const cluster = (operation: AclOperationCode): Check => ({ operation, resourceType: Res.CLUSTER, name: CLUSTER_RESOURCE_NAME });
const group = (operation: AclOperationCode, name: string): Check => ({ operation, resourceType: Res.GROUP, name });

/**
 * `METHOD url` → alternatives, each a list of checks that must all pass (one alternative passing
 * is enough: CreateTopics accepts Create on the cluster or on the topic).
 */
export const ROUTE_ACLS: Readonly<Record<string, RouteRule>> = {
  'POST /topics': (_p, body) => [[cluster(Op.CREATE)], [topic(Op.CREATE, String(body?.name ?? ''))]],
  'DELETE /topics/:name': (p) => [[topic(Op.DELETE, p['name']!)]],
  'PATCH /topics/:name/config': (p) => [[topic(Op.ALTER_CONFIGS, p['name']!)]],
  'POST /topics/:name/partitions': (p) => [[topic(Op.ALTER, p['name']!)]],
  'POST /topics/:name/messages': (p) => [[topic(Op.WRITE, p['name']!)]],
  'GET /topics/:name/partitions/:partition/messages': (p) => [[topic(Op.READ, p['name']!)]],
  'POST /topics/:name/elections/preferred': () => [[cluster(Op.ALTER)]],
  'POST /elections/preferred': () => [[cluster(Op.ALTER)]],
  'POST /reassignments': () => [[cluster(Op.ALTER)]],
  'DELETE /groups/:id': (p) => [[group(Op.DELETE, p['id']!)]],
  'POST /groups/:id/offsets': (p) => [[group(Op.READ, p['id']!)]],
  'PUT /quotas': () => [[cluster(Op.ALTER_CONFIGS)]],
};

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RouteRefusal {
  /** Kafka's error name for the resource the route acts on (its most specific alternative). */
  readonly code: 'TOPIC_AUTHORIZATION_FAILED' | 'GROUP_AUTHORIZATION_FAILED' | 'CLUSTER_AUTHORIZATION_FAILED';
  readonly message: string;
}

/** Why the request is refused, or undefined when it may proceed. */
export function routeRefusal(acls: AclAuthorizer, principal: string, host: string, method: string, url: string, params: Params, body: unknown): RouteRefusal | undefined {
  if (acls.isSuperUser(principal)) return undefined;
  const rule = ROUTE_ACLS[`${method} ${url}`];
  if (rule === undefined) {
    return WRITE_METHODS.has(method) ? { code: 'CLUSTER_AUTHORIZATION_FAILED', message: `${method} ${url} has no ACL rule; refused while an authorizer is configured` } : undefined;
  }
  const caller = { principal, host };
  const alternatives = rule(params, body);
  if (alternatives.some((checks) => checks.every((c) => acls.authorize(caller, c.operation, c.resourceType, c.name)))) return undefined;
  const c = alternatives[alternatives.length - 1]![0]!;
  const code = c.resourceType === Res.TOPIC ? 'TOPIC_AUTHORIZATION_FAILED' : c.resourceType === Res.GROUP ? 'GROUP_AUTHORIZATION_FAILED' : 'CLUSTER_AUTHORIZATION_FAILED';
  return { code, message: `${principal} may not ${opName(c.operation)} ${resName(c.resourceType)} ${c.name}` };
}

/** Adds the check to every route (before its handler); `acls()` undefined = no authorizer, allow all. */
export function registerRouteAuthorization(app: FastifyInstance, acls: () => AclAuthorizer | undefined): void {
  app.addHook('preHandler', async (req: FastifyRequest) => {
    const authorizer = acls();
    if (authorizer === undefined) return;
    const url = req.routeOptions.url ?? req.url;
    const refusal = routeRefusal(authorizer, principalOf(req), aclHost(req.socket.remoteAddress ?? ''), req.method, url, (req.params ?? {}) as Params, req.body);
    if (refusal !== undefined) throw new AdminHttpError(403, refusal.code, refusal.message);
  });
}

const opName = (op: number): string => Object.entries(Op).find(([, c]) => c === op)?.[0].toLowerCase().replace(/_/g, ' ') ?? String(op);
const resName = (t: number): string => Object.entries(Res).find(([, c]) => c === t)?.[0].toLowerCase().replace(/_/g, ' ') ?? String(t);
