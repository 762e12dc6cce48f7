/**
 * The vocabulary of the per-API authorization policies: what a policy may ask about the caller
 * (`AuthzView`), and the few shapes every policy is built from — a whole-request check, and the
 * narrowing of a resource list (the handler sees only what is authorized; the refused entries are
 * added back to its response with their error, as Kafka's KafkaApis does).
 */
import type { AuthorizationVerdict } from '../../request-context.js';
import { AclOperation, ResourceType, SUPPORTED_OPERATIONS, type AclOperationCode, type ResourceTypeCode } from '../acl.js';

export { AclOperation as Op, ResourceType as Res };

export interface AuthzView {
  readonly apiVersion: number;
  can(operation: AclOperationCode, resourceType: ResourceTypeCode, name: string): boolean;
  /** Allowed on the cluster resource. */
  canCluster(operation: AclOperationCode): boolean;
  /** Allowed on some resource of the type (KIP-679's authorizeByResourceType). */
  canAnyOfType(operation: AclOperationCode, resourceType: ResourceTypeCode): boolean;
  /** KIP-430 authorized operations of one resource as a bit field (bit N = AclOperation N). */
  operations(resourceType: ResourceTypeCode, name: string): number;
  /** Known to the metadata cache (Metadata: auto-creation needs Create only for topics that do not exist). */
  topicExists(name: string): boolean;
  readonly autoCreateTopics: boolean;
}

/** (request, view) → verdict; request and response bodies are the decoded protocol bodies. */
export type ApiPolicy = (request: any, view: AuthzView) => AuthorizationVerdict;

export const ALLOWED: AuthorizationVerdict = 'ALLOWED';
export const deny = (errorCode: number): AuthorizationVerdict => ({ kind: 'deny', errorCode });
export const answer = (response: unknown): AuthorizationVerdict => ({ kind: 'answer', response });

/** A whole request on one resource: allowed, or the handler's error response with `errorCode`. */
export function requireOn(operation: AclOperationCode, resourceType: ResourceTypeCode, nameOf: (request: any) => string, errorCode: number): ApiPolicy {
  return (request, view) => (view.can(operation, resourceType, nameOf(request)) ? ALLOWED : deny(errorCode));
}

export function requireCluster(operation: AclOperationCode, errorCode: number): ApiPolicy {
  return (_request, view) => (view.canCluster(operation) ? ALLOWED : deny(errorCode));
}

export function operationsBits(resourceType: ResourceTypeCode, allowed: (op: AclOperationCode) => boolean): number {
  return (SUPPORTED_OPERATIONS[resourceType] ?? []).reduce<number>((acc, op) => (allowed(op) ? acc | (1 << op) : acc), 0);
}

/**
 * Splits the list `field` of the request by `allowed(nameOf(item))`. All allowed: ALLOWED. Else
 * the handler gets the allowed items and its response list `responseField` gets `refused(item)`
 * for each refused one appended. `after` post-processes every response (authorized operations).
 */
export function narrowList<T>(
  request: any,
  field: string,
  nameOf: (item: T) => string,
  allowed: (name: string) => boolean,
  responseField: string,
  refused: (item: T) => unknown,
  after?: (response: any) => any,
): AuthorizationVerdict {
  const items = (request[field] ?? []) as T[];
  const ok: T[] = [];
  const no: T[] = [];
  for (const item of items) (allowed(nameOf(item)) ? ok : no).push(item);
  if (no.length === 0 && after === undefined) return ALLOWED;
  return {
    kind: 'narrow',
    request: no.length === 0 ? request : { ...request, [field]: ok },
    complete: (response: any) => {
      if (response === undefined) return response;
      const withRefused = no.length === 0 ? response : { ...response, [responseField]: [...(response[responseField] ?? []), ...no.map(refused)] };
      return after === undefined ? withRefused : after(withRefused);
    },
  };
}

/** Keeps only the response list entries whose name is allowed (what may not be seen is not listed). */
export function hideInResponse<T>(field: string, nameOf: (item: T) => string, allowed: (name: string) => boolean): (response: any) => any {
  return (response) => (response === undefined ? response : { ...response, [field]: ((response[field] ?? []) as T[]).filter((i) => allowed(nameOf(i))) });
}

/** Chains two verdict steps: the second applies to the first's (narrowed) request, and both completes run. */
export function both(first: AuthorizationVerdict, second: (request: any) => AuthorizationVerdict, request: any): AuthorizationVerdict {
  if (first !== 'ALLOWED' && (first === 'DENIED' || first.kind !== 'narrow')) return first;
  const req = first === 'ALLOWED' ? request : first.request;
  const v2 = second(req);
  if (first === 'ALLOWED') return v2;
  if (v2 === 'ALLOWED') return first;
  if (v2 === 'DENIED' || v2.kind !== 'narrow') return v2;
  return { kind: 'narrow', request: v2.request, complete: (r: any) => first.complete(v2.complete(r)) };
}
