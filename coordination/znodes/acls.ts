/**
 * AclAuthorizer's znode JSON (kafka.security.authorizer.AclEntry, ZkData's AclChangeStores):
 * a resource node holds `{"version":1,"acls":[{principal, permissionType, operation, host}]}`
 * with Kafka's Pascal-case words (Allow, Read, ...); a literal change notification is the plain
 * string `TOPIC:foo`, an extended one `{"version":1,"resourceType":"TOPIC","name":"fo","patternType":"PREFIXED"}`.
 * Coordination keeps these as words; broker/security gives them meaning.
 */
import { bad, encode, parseJsonObject, str, type Json } from './json.js';

export interface AclEntryJson {
  readonly principal: string;
  readonly permissionType: string;
  readonly operation: string;
  readonly host: string;
}

export function encodeAcls(entries: readonly AclEntryJson[]): Buffer {
  return encode({ version: 1, acls: entries.map((e) => ({ principal: e.principal, permissionType: e.permissionType, operation: e.operation, host: e.host })) });
}

export function decodeAcls(data: Buffer | null, path: string): AclEntryJson[] {
  if (data === null || data.length === 0) return [];
  const o = parseJsonObject(data, path);
  const acls = o['acls'];
  if (!Array.isArray(acls)) throw bad(path, 'has no "acls" array');
  return acls.map((a: Json) => {
    if (typeof a !== 'object' || a === null || Array.isArray(a)) throw bad(path, 'has an ACL entry that is not an object');
    return { principal: str(a, 'principal', path), permissionType: str(a, 'permissionType', path), operation: str(a, 'operation', path), host: str(a, 'host', path) };
  });
}

/** What a change notification names: one resource pattern (resourceType upper case, as Kafka writes it). */
export interface AclChange {
  readonly patternType: 'LITERAL' | 'PREFIXED';
  readonly resourceType: string;
  readonly name: string;
}

export function encodeLiteralAclChange(resourceType: string, name: string): Buffer {
  return Buffer.from(`${resourceType.toUpperCase()}:${name}`, 'utf8');
}

export function encodeExtendedAclChange(c: AclChange): Buffer {
  return encode({ version: 1, resourceType: c.resourceType.toUpperCase(), name: c.name, patternType: c.patternType });
}

export function decodeLiteralAclChange(data: Buffer | null, path: string): AclChange {
  const s = data?.toString('utf8') ?? '';
  const i = s.indexOf(':');
  if (i <= 0) throw bad(path, `is not a <ResourceType>:<name> ACL change: ${s.slice(0, 80)}`);
  return { patternType: 'LITERAL', resourceType: s.slice(0, i).toUpperCase(), name: s.slice(i + 1) };
}

export function decodeExtendedAclChange(data: Buffer | null, path: string): AclChange {
  const o = parseJsonObject(data, path);
  const patternType = str(o, 'patternType', path).toUpperCase();
  if (patternType !== 'LITERAL' && patternType !== 'PREFIXED') throw bad(path, `has an unknown patternType ${patternType}`);
  return { patternType, resourceType: str(o, 'resourceType', path).toUpperCase(), name: str(o, 'name', path) };
}
