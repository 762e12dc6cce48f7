/**
 * Thin callback→promise adapters over one node-zookeeper-client Client. No timeouts, no retries:
 * ZkSession adds those. Stat Buffers become bigints here and nowhere else.
 */
import zookeeper from 'node-zookeeper-client';
import { codeForZkError, CoordinationError } from '../errors.js';
import type { CreateMode, NodeData, Op, OpResult, Stat, Watcher, WatchEventType } from '../store.js';
import type { ZnodeAcls } from './znode-acls.js';

export type ZkClient = zookeeper.Client;

/** Largest znode payload the server accepts by default (jute.maxbuffer); the library asserts above it. */
const MAX_ZNODE_BYTES = 1_048_576 - 1024;

const MODES: Record<CreateMode, number> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  persistent_sequential: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral_sequential: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};

const EVENT_TYPES: Record<number, WatchEventType> = { 1: 'created', 2: 'deleted', 3: 'dataChanged', 4: 'childrenChanged' };

function big(b: unknown): bigint {
  return Buffer.isBuffer(b) && b.length >= 8 ? b.readBigInt64BE(0) : 0n;
}

function toStat(s: unknown): Stat {
  const r = s as Record<string, unknown>;
  return {
    czxid: big(r['czxid']),
    mzxid: big(r['mzxid']),
    pzxid: big(r['pzxid']),
    ctime: big(r['ctime']),
    mtime: big(r['mtime']),
    ephemeralOwner: big(r['ephemeralOwner']),
    version: Number(r['version'] ?? 0),
    cversion: Number(r['cversion'] ?? 0),
    dataLength: Number(r['dataLength'] ?? 0),
    numChildren: Number(r['numChildren'] ?? 0),
  };
}

function toCoordinationError(err: unknown, what: string, path?: string): CoordinationError {
  if (err instanceof CoordinationError) return err;
  const code = typeof (err as { code?: unknown })?.code === 'number' ? ((err as { code: number }).code) : undefined;
  const c = code === undefined ? 'CRD_UNKNOWN' : codeForZkError(code);
  const where = path === undefined ? '' : ` ${path}`;
  return new CoordinationError(c, `${what}${where}: ${(err as Error)?.message ?? String(err)}`, { path, cause: err });
}

// The library de-duplicates a watcher registered twice on a path only if it is the same
// function, so each of our watchers maps to one stable wrapper.
const wrapped = new WeakMap<Watcher, (e: zookeeper.Event) => void>();

function wrapWatcher(watcher: Watcher | undefined): ((e: zookeeper.Event) => void) | undefined {
  if (watcher === undefined) return undefined;
  let w = wrapped.get(watcher);
  if (w === undefined) {
    w = (e) => {
      const type = EVENT_TYPES[e.getType()];
      if (type !== undefined) watcher({ type, path: e.getPath() });
    };
    wrapped.set(watcher, w);
  }
  return w;
}

function checkSize(data: Buffer | null, path: string): void {
  if (data !== null && data.length > MAX_ZNODE_BYTES) {
    throw new CoordinationError('CRD_DATA_TOO_LARGE', `znode data for ${path} is ${data.length} bytes, above ${MAX_ZNODE_BYTES}`, { path });
  }
}

export function rawCreate(c: ZkClient, path: string, data: Buffer | null, mode: CreateMode, acls: ZnodeAcls): Promise<string> {
  checkSize(data, path);
  return new Promise((resolve, reject) => {
    const cb = (err: Error | zookeeper.Exception | null, p: string): void => (err ? reject(toCoordinationError(err, 'create', path)) : resolve(p));
    if (data === null) c.create(path, acls(path), MODES[mode], cb);
    else c.create(path, data, acls(path), MODES[mode], cb);
  });
}

export function rawGetData(c: ZkClient, path: string, watcher?: Watcher): Promise<NodeData> {
  return new Promise((resolve, reject) => {
    const cb = (err: Error | zookeeper.Exception | null, data: Buffer | undefined, stat: zookeeper.Stat): void => {
      if (err) reject(toCoordinationError(err, 'getData', path));
      else resolve({ data: data ?? null, stat: toStat(stat) });
    };
    const w = wrapWatcher(watcher);
    if (w) c.getData(path, w, cb as never);
    else c.getData(path, cb as never);
  });
}

export function rawSetData(c: ZkClient, path: string, data: Buffer, version: number): Promise<Stat> {
  checkSize(data, path);
  return new Promise((resolve, reject) => {
    c.setData(path, data, version, (err, stat) => (err ? reject(toCoordinationError(err, 'setData', path)) : resolve(toStat(stat))));
  });
}

export function rawExists(c: ZkClient, path: string, watcher?: Watcher): Promise<Stat | null> {
  return new Promise((resolve, reject) => {
    const cb = (err: Error | zookeeper.Exception | null, stat: zookeeper.Stat | null): void => {
      if (err) reject(toCoordinationError(err, 'exists', path));
      else resolve(stat ? toStat(stat) : null);
    };
    const w = wrapWatcher(watcher);
    if (w) c.exists(path, w, cb as never);
    else c.exists(path, cb as never);
  });
}

export function rawGetChildren(c: ZkClient, path: string, watcher?: Watcher): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const cb = (err: Error | zookeeper.Exception | null, children: string[]): void => {
      if (err) reject(toCoordinationError(err, 'getChildren', path));
      else resolve(children);
    };
    const w = wrapWatcher(watcher);
    if (w) c.getChildren(path, w, cb as never);
    else c.getChildren(path, cb as never);
  });
}

export function rawRemove(c: ZkClient, path: string, version: number): Promise<void> {
  return new Promise((resolve, reject) => {
    c.remove(path, version, (err) => (err ? reject(toCoordinationError(err, 'remove', path)) : resolve()));
  });
}

export function rawMulti(c: ZkClient, list: readonly Op[], acls: ZnodeAcls): Promise<OpResult[]> {
  const t = c.transaction();
  for (const o of list) {
    switch (o.op) {
      case 'create':
        checkSize(o.data, o.path);
        if (o.data === null) t.create(o.path, acls(o.path), MODES[o.mode]);
        else t.create(o.path, o.data, acls(o.path), MODES[o.mode]);
        break;
      case 'setData':
        checkSize(o.data, o.path);
        t.setData(o.path, o.data, o.version);
        break;
      case 'check':
        t.check(o.path, o.version);
        break;
      case 'remove':
        t.remove(o.path, o.version);
        break;
    }
  }
  return new Promise((resolve, reject) => {
    t.commit((err, results) => {
      if (err) {
        // The library reports the first failing op's code; results tell which op it was
        // (0 before it, its code at it, -2 RUNTIME_INCONSISTENCY after it).
        const rs = (results ?? []) as Array<{ type: number; err?: number }>;
        let index = rs.findIndex((r) => r.err !== undefined && r.err !== 0 && r.err !== -2);
        if (index < 0) index = 0;
        const failing = list[index];
        const base = toCoordinationError(err, `multi op ${index} (${failing?.op ?? '?'})`, failing?.path);
        reject(new CoordinationError(base.code, base.message, { path: failing?.path, opIndex: index, cause: err }));
        return;
      }
      const rs = results as Array<{ type: number; path?: string; stat?: unknown }>;
      resolve(
        list.map((o, i): OpResult => {
          const r = rs[i];
          switch (o.op) {
            case 'create':
              return { op: 'create', path: r?.path ?? o.path };
            case 'setData':
              return { op: 'setData', stat: toStat(r?.stat) };
            case 'check':
              return { op: 'check' };
            case 'remove':
              return { op: 'remove' };
          }
        }),
      );
    });
  });
}
