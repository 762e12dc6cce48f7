/**
 * ZooKeeper ACLs of the znodes a session creates, as Kafka's `zookeeper.set.acl`
 * (ZkData.defaultAcls): when secure, the creator's identity may do everything and the world may
 * only read, except below the sensitive roots (SCRAM credentials and broker configs), which the
 * world may not even read; `/consumers` (the old consumer's root) stays open. The creator is the
 * session's authenticated identity (ZooKeeper's `auth` scheme), here a digest user.
 */
import { createHash } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';

const SENSITIVE_ROOTS = ['/config/users', '/config/brokers', '/delegation_token'];
const OPEN_PATHS = new Set(['/consumers']);

export type ZnodeAcls = (path: string) => zookeeper.ACL[];

const ANYONE_ALL = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('world', 'anyone'))];
const CREATOR_ALL = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('auth', ''))];
const CREATOR_ALL_ANYONE_READ = [...CREATOR_ALL, new zookeeper.ACL(zookeeper.Permission.READ, new zookeeper.Id('world', 'anyone'))];

const isSensitive = (path: string): boolean => SENSITIVE_ROOTS.some((root) => path === root || path.startsWith(`${root}/`));

/** The ACLs to create `path` with. */
export function znodeAcls(secure: boolean): ZnodeAcls {
  if (!secure) return () => ANYONE_ALL;
  return (path) => (OPEN_PATHS.has(path) ? ANYONE_ALL : isSensitive(path) ? CREATOR_ALL : CREATOR_ALL_ANYONE_READ);
}

/** `user:password` as the digest scheme authenticates it (addAuthInfo). */
export interface DigestCredentials {
  readonly username: string;
  readonly password: string;
}

/** The id ZooKeeper derives from digest credentials: `user:base64(sha1("user:password"))` (what `getAcl` shows). */
export function digestId(c: DigestCredentials): string {
  return `${c.username}:${createHash('sha1').update(`${c.username}:${c.password}`).digest('base64')}`;
}
