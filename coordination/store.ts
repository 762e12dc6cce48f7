/**
 * The CoordinationStore: the few ZooKeeper primitives Samsa uses, as promises with typed errors.
 * The real implementation is ZkSession (zk/session.ts); unit tests use an in-memory fake with
 * the same semantics (versions, ephemeral owners, one-shot watches, all-or-nothing multi).
 */
import { CoordinationError } from './errors.js';

export type CreateMode = 'persistent' | 'ephemeral' | 'persistent_sequential' | 'ephemeral_sequential';

export interface Stat {
  readonly czxid: bigint;
  readonly mzxid: bigint;
  readonly pzxid: bigint;
  readonly ctime: bigint;
  readonly mtime: bigint;
  readonly ephemeralOwner: bigint;
  readonly version: number;
  readonly cversion: number;
  readonly dataLength: number;
  readonly numChildren: number;
}

export type WatchEventType = 'created' | 'deleted' | 'dataChanged' | 'childrenChanged';

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly path: string;
}

/** One-shot: fires at most once, never for connection or session events. */
export type Watcher = (event: WatchEvent) => void;

export type Op =
  | { readonly op: 'create'; readonly path: string; readonly data: Buffer | null; readonly mode: CreateMode }
  | { readonly op: 'setData'; readonly path: string; readonly data: Buffer; readonly version: number }
  | { readonly op: 'check'; readonly path: string; readonly version: number }
  | { readonly op: 'remove'; readonly path: string; readonly version: number };

export type OpResult =
  | { readonly op: 'create'; readonly path: string }
  | { readonly op: 'setData'; readonly stat: Stat }
  | { readonly op: 'check' }
  | { readonly op: 'remove' };

export interface NodeData {
  /** null when the node was created without data. */
  readonly data: Buffer | null;
  readonly stat: Stat;
}

export interface SessionListener {
  /** The session is gone: ephemerals are deleted, watches lost. Owners step down now. */
  sessionExpired?(oldSessionId: bigint): void;
  /**
   * A fresh session is connected, or the SAME session (same id) resumed on a new client object
   * (watchdog switch, outage longer than the handshake timeout): every watch is gone either way.
   * Re-register ephemerals (a no-op on the same session), re-arm every watch, re-read state.
   */
  newSession?(sessionId: bigint): void;
}

export interface CoordinationStore {
  /** Id of the current session (0n before the first connection). */
  readonly sessionId: bigint;
  create(path: string, data: Buffer | null, mode?: CreateMode): Promise<string>;
  getData(path: string, watcher?: Watcher): Promise<NodeData>;
  setData(path: string, data: Buffer, version?: number): Promise<Stat>;
  exists(path: string, watcher?: Watcher): Promise<Stat | null>;
  getChildren(path: string, watcher?: Watcher): Promise<string[]>;
  remove(path: string, version?: number): Promise<void>;
  /** All or nothing. On failure throws the failing op's error with `opIndex` set. */
  multi(ops: readonly Op[]): Promise<OpResult[]>;
  /** Creates the persistent path and its missing parents; existing nodes are fine. */
  mkdirp(path: string): Promise<void>;
  addSessionListener(listener: SessionListener): () => void;
}

/** Convenience builders so call sites read like Kafka's. */
export const ops = {
  create: (path: string, data: Buffer | null, mode: CreateMode = 'persistent'): Op => ({ op: 'create', path, data, mode }),
  setData: (path: string, data: Buffer, version = -1): Op => ({ op: 'setData', path, data, version }),
  check: (path: string, version: number): Op => ({ op: 'check', path, version }),
  remove: (path: string, version = -1): Op => ({ op: 'remove', path, version }),
};

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * `mkdirp` for any store: each missing node of `path` created persistent with no data, in order;
 * nodes that exist (another broker racing us) are fine.
 */
export async function createPersistentPath(store: Pick<CoordinationStore, 'create'>, path: string): Promise<void> {
  let cur = '';
  for (const part of path.split('/').filter((p) => p !== '')) {
    cur += `/${part}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await store.create(cur, null, 'persistent');
        break;
      } catch (err) {
        if (err instanceof CoordinationError && err.code === 'CRD_NODE_EXISTS') break;
        // Creating a path that may exist is idempotent, so a lost connection is retried as Kafka's
        // retryRequestsUntilConnected does (the next request waits for the reconnect); seen: a
        // broker start failing on `create /config` while ZooKeeper was starved of CPU.
        if (err instanceof CoordinationError && err.code === 'CRD_CONNECTION_LOSS' && attempt < MKDIRP_ATTEMPTS) continue;
        throw err;
      }
    }
  }
}

/** Tries per znode of a createPersistentPath before a lost connection is the caller's problem. */
const MKDIRP_ATTEMPTS = 5;
