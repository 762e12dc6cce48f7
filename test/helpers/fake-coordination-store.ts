/**
 * An in-memory ZooKeeper for unit tests: FakeZooKeeper is the server (znodes with versions,
 * czxids, ephemeral owners, sequential counters), FakeCoordinationStore a session on it with the
 * CoordinationStore API. Semantics follow ZooKeeper: one-shot watches per session, multi all or
 * nothing (check ops included), ephemerals deleted on session expiry or close.
 * `expire()` injects a server-side expiry: listeners get sessionExpired, then newSession.
 */
import {
  CoordinationError,
  createPersistentPath,
  type CoordinationErrorCode,
  type CoordinationStore,
  type CreateMode,
  type NodeData,
  type Op,
  type OpResult,
  parentOf,
  type SessionListener,
  type Stat,
  type Watcher,
  type WatchEventType,
} from '../../coordination/index.js';

interface Znode {
  data: Buffer | null;
  czxid: bigint;
  mzxid: bigint;
  pzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  ephemeralOwner: bigint;
  children: Set<string>;
  seq: number;
}

type WatchKind = 'data' | 'exists' | 'children';

interface Registered {
  session: FakeCoordinationStore;
  watcher: Watcher;
}

export class FakeZooKeeper {
  private readonly nodes = new Map<string, Znode>();
  private zxid = 0n;
  private nextSession = 0x1000n;
  private readonly watches: Record<WatchKind, Map<string, Registered[]>> = { data: new Map(), exists: new Map(), children: new Map() };
  /** Every successful write, for assertions: [sessionId, op, path]. */
  readonly writeLog: Array<{ sessionId: bigint; op: string; path: string }> = [];

  constructor() {
    this.nodes.set('/', this.newNode(null, 0n));
  }

  session(): FakeCoordinationStore {
    return new FakeCoordinationStore(this, this.nextSession++);
  }

  newSessionId(): bigint {
    return this.nextSession++;
  }

  get(path: string): Buffer | null | undefined {
    return this.nodes.get(path)?.data;
  }

  /** The `topic_id` of /brokers/topics/<topic> (KIP-516); undefined when the node or the id is absent. */
  topicId(topic: string): string | undefined {
    const text = this.text(`/brokers/topics/${topic}`);
    if (text === undefined) return undefined;
    const id = (JSON.parse(text) as { topic_id?: unknown }).topic_id;
    return typeof id === 'string' ? id : undefined;
  }

  text(path: string): string | undefined {
    const n = this.nodes.get(path);
    return n === undefined ? undefined : (n.data?.toString('utf8') ?? '');
  }

  stat(path: string): Stat | undefined {
    const n = this.nodes.get(path);
    return n === undefined ? undefined : this.statOf(n);
  }

  paths(prefix = '/'): string[] {
    return [...this.nodes.keys()].filter((p) => p === prefix || p.startsWith(prefix === '/' ? '/' : `${prefix}/`)).sort();
  }

  // ---- server operations (called by sessions) ------------------------------------------------

  private newNode(data: Buffer | null, owner: bigint): Znode {
    const z = ++this.zxid;
    return { data, czxid: z, mzxid: z, pzxid: z, ctime: BigInt(Date.now()), mtime: BigInt(Date.now()), version: 0, cversion: 0, ephemeralOwner: owner, children: new Set(), seq: 0 };
  }

  statOf(n: Znode): Stat {
    return {
      czxid: n.czxid,
      mzxid: n.mzxid,
      pzxid: n.pzxid,
      ctime: n.ctime,
      mtime: n.mtime,
      ephemeralOwner: n.ephemeralOwner,
      version: n.version,
      cversion: n.cversion,
      dataLength: n.data?.length ?? 0,
      numChildren: n.children.size,
    };
  }

  node(path: string): Znode | undefined {
    return this.nodes.get(path);
  }

  /** Validates one op against a scratch view; returns the error code or undefined. */
  private check(op: Op, view: Map<string, Znode | null>): CoordinationErrorCode | undefined {
    const get = (p: string): Znode | undefined => (view.has(p) ? (view.get(p) ?? undefined) : this.nodes.get(p));
    switch (op.op) {
      case 'create': {
        const parent = get(parentOf(op.path));
        if (parent === undefined) return 'CRD_NO_NODE';
        if (parent.ephemeralOwner !== 0n) return 'CRD_NO_CHILDREN_FOR_EPHEMERALS';
        if (!op.mode.endsWith('sequential') && get(op.path) !== undefined) return 'CRD_NODE_EXISTS';
        return undefined;
      }
      case 'setData':
      case 'check': {
        const n = get(op.path);
        if (n === undefined) return 'CRD_NO_NODE';
        if (op.version !== -1 && op.version !== n.version) return 'CRD_BAD_VERSION';
        return undefined;
      }
      case 'remove': {
        const n = get(op.path);
        if (n === undefined) return 'CRD_NO_NODE';
        if (op.version !== -1 && op.version !== n.version) return 'CRD_BAD_VERSION';
        if ([...n.children].some((c) => get(`${op.path === '/' ? '' : op.path}/${c}`) !== undefined)) return 'CRD_NOT_EMPTY';
        return undefined;
      }
    }
  }

  apply(session: FakeCoordinationStore, list: readonly Op[]): OpResult[] {
    // Validate against a scratch view first so that nothing applies unless everything can.
    const view = new Map<string, Znode | null>();
    list.forEach((op, i) => {
      const code = this.check(op, view);
      if (code !== undefined) throw new CoordinationError(code, `${code} at multi op ${i} (${op.op} ${op.path})`, { path: op.path, opIndex: i });
      if (op.op === 'create') view.set(op.path, this.newNodeScratch());
      if (op.op === 'remove') view.set(op.path, null);
      // As ZooKeeper: a later op of the same multi sees the version an earlier setData made.
      if (op.op === 'setData') {
        const n = view.get(op.path) ?? this.nodes.get(op.path)!;
        view.set(op.path, { ...n, version: n.version + 1 });
      }
    });
    return list.map((op) => this.applyOne(session, op));
  }

  private newNodeScratch(): Znode {
    return { data: null, czxid: 0n, mzxid: 0n, pzxid: 0n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, ephemeralOwner: 0n, children: new Set(), seq: 0 };
  }

  private applyOne(session: FakeCoordinationStore, op: Op): OpResult {
    this.writeLog.push({ sessionId: session.sessionId, op: op.op, path: op.path });
    switch (op.op) {
      case 'create': {
        const parentPath = parentOf(op.path);
        const parent = this.nodes.get(parentPath)!;
        let path = op.path;
        if (op.mode.endsWith('sequential')) path = `${op.path}${String(parent.seq).padStart(10, '0')}`;
        parent.seq++;
        const owner = op.mode.startsWith('ephemeral') ? session.sessionId : 0n;
        this.nodes.set(path, this.newNode(op.data, owner));
        const name = path.slice(parentPath === '/' ? 1 : parentPath.length + 1);
        parent.children.add(name);
        parent.cversion++;
        parent.pzxid = this.zxid;
        this.fire('exists', path, 'created');
        this.fire('data', path, 'created');
        this.fire('children', parentPath, 'childrenChanged');
        return { op: 'create', path };
      }
      case 'setData': {
        const n = this.nodes.get(op.path)!;
        n.data = op.data;
        n.version++;
        n.mzxid = ++this.zxid;
        n.mtime = BigInt(Date.now());
        this.fire('data', op.path, 'dataChanged');
        this.fire('exists', op.path, 'dataChanged');
        return { op: 'setData', stat: this.statOf(n) };
      }
      case 'check':
        return { op: 'check' };
      case 'remove': {
        this.deleteNode(op.path);
        return { op: 'remove' };
      }
    }
  }

  private deleteNode(path: string): void {
    this.nodes.delete(path);
    const parentPath = parentOf(path);
    const parent = this.nodes.get(parentPath);
    if (parent !== undefined) {
      parent.children.delete(path.slice(parentPath === '/' ? 1 : parentPath.length + 1));
      parent.cversion++;
      parent.pzxid = ++this.zxid;
    }
    this.fire('data', path, 'deleted');
    this.fire('exists', path, 'deleted');
    this.fire('children', path, 'deleted');
    this.fire('children', parentPath, 'childrenChanged');
  }

  addWatch(kind: WatchKind, path: string, session: FakeCoordinationStore, watcher: Watcher): void {
    const list = this.watches[kind].get(path) ?? [];
    if (!list.some((r) => r.session === session && r.watcher === watcher)) list.push({ session, watcher });
    this.watches[kind].set(path, list);
  }

  private fire(kind: WatchKind, path: string, type: WatchEventType): void {
    const list = this.watches[kind].get(path);
    if (list === undefined) return;
    this.watches[kind].delete(path);
    for (const r of list) {
      if (!r.session.alive) continue;
      queueMicrotask(() => r.watcher({ type, path }));
    }
  }

  dropSession(session: FakeCoordinationStore): void {
    for (const kind of ['data', 'exists', 'children'] as const) {
      for (const [p, list] of this.watches[kind]) this.watches[kind].set(p, list.filter((r) => r.session !== session));
    }
    for (const [p, n] of [...this.nodes]) if (n.ephemeralOwner === session.sessionId && this.nodes.has(p)) this.deleteNode(p);
  }
}

export class FakeCoordinationStore implements CoordinationStore {
  alive = true;
  closed = false;
  /** While true, every request fails with CRD_CONNECTION_LOSS (a partitioned client). */
  partitioned = false;
  private readonly listeners = new Set<SessionListener>();

  constructor(
    readonly server: FakeZooKeeper,
    private currentId: bigint,
  ) {}

  get sessionId(): bigint {
    return this.currentId;
  }

  addSessionListener(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Server-side expiry: ephemerals and watches go, then a fresh session is connected. */
  async expire(): Promise<void> {
    const old = this.currentId;
    this.alive = false;
    this.server.dropSession(this);
    for (const l of [...this.listeners]) l.sessionExpired?.(old);
    await Promise.resolve();
    this.currentId = this.server.newSessionId();
    this.alive = true;
    for (const l of [...this.listeners]) l.newSession?.(this.currentId);
  }

  async close(): Promise<void> {
    this.alive = false;
    this.closed = true;
    this.server.dropSession(this);
  }

  private async gate(): Promise<void> {
    await Promise.resolve();
    if (this.closed) throw new CoordinationError('CRD_CLOSED', 'session closed');
    if (this.partitioned || !this.alive) throw new CoordinationError('CRD_CONNECTION_LOSS', 'connection loss');
  }

  async create(path: string, data: Buffer | null, mode: CreateMode = 'persistent'): Promise<string> {
    await this.gate();
    const r = this.server.apply(this, [{ op: 'create', path, data, mode }])[0]!;
    return r.op === 'create' ? r.path : path;
  }

  async getData(path: string, watcher?: Watcher): Promise<NodeData> {
    await this.gate();
    const n = this.server.node(path);
    if (n === undefined) throw new CoordinationError('CRD_NO_NODE', `no node ${path}`, { path });
    if (watcher) this.server.addWatch('data', path, this, watcher);
    return { data: n.data, stat: this.server.statOf(n) };
  }

  async setData(path: string, data: Buffer, version = -1): Promise<Stat> {
    await this.gate();
    const r = this.server.apply(this, [{ op: 'setData', path, data, version }])[0]!;
    if (r.op !== 'setData') throw new Error('unreachable');
    return r.stat;
  }

  async exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    await this.gate();
    const n = this.server.node(path);
    if (watcher) this.server.addWatch(n === undefined ? 'exists' : 'data', path, this, watcher);
    return n === undefined ? null : this.server.statOf(n);
  }

  async getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    await this.gate();
    const n = this.server.node(path);
    if (n === undefined) throw new CoordinationError('CRD_NO_NODE', `no node ${path}`, { path });
    if (watcher) this.server.addWatch('children', path, this, watcher);
    return [...n.children];
  }

  async remove(path: string, version = -1): Promise<void> {
    await this.gate();
    this.server.apply(this, [{ op: 'remove', path, version }]);
  }

  async multi(list: readonly Op[]): Promise<OpResult[]> {
    await this.gate();
    return this.server.apply(this, list);
  }

  mkdirp(path: string): Promise<void> {
    return createPersistentPath(this, path);
  }
}
