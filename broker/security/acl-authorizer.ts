/**
 * Kafka's AclAuthorizer over ZooKeeper: ACLs live in `/kafka-acl` (literal) and
 * `/kafka-acl-extended/prefixed` (prefixed) in Kafka's JSON, every broker keeps them all in an
 * AclCache loaded at start, and stays current through the change notifications of both stores,
 * handled in sequence order (ConfigChangeListener, the one notification mechanism), plus a full
 * reload on every new ZooKeeper session (watches were lost). Checks never read ZooKeeper.
 *
 * Writers (CreateAcls/DeleteAcls on any broker) update one resource node at a time,
 * read-modify-write conditional on its version, retrying a lost race, then write the change
 * notification; updates on one broker are serialized, as Kafka's lock does.
 */
import type { Logger } from 'pino';
import { backoffMs, sleep, systemScheduler, type Scheduler } from '../../common/index.js';
import {
  ACL_CHANGE_PREFIX,
  ACL_EXTENDED_CHANGES_PATH,
  ACL_LITERAL_CHANGES_PATH,
  ConfigChangeListener,
  conditionalSetAcls,
  decodeExtendedAclChange,
  decodeLiteralAclChange,
  listAclResources,
  readAclResource,
  writeAclChangeNotification,
  type AclChange,
  type AclEntryJson,
  type AclResourceRef,
  type CoordinationStore,
} from '../../coordination/index.js';
import {
  bindingKey,
  filterMatches,
  operationFromWord,
  operationWord,
  PatternType,
  permissionFromWord,
  permissionWord,
  resourceTypeFromWord,
  resourceTypeWord,
  type AccessControlEntry,
  type AclBinding,
  type AclBindingFilter,
  type AclOperationCode,
  type ResourcePattern,
  type ResourceTypeCode,
} from './acl.js';
import { AclCache, patternKey, type AuthorizerSettings, type Caller } from './acl-cache.js';

const MAX_UPDATE_ATTEMPTS = 10;

export interface AclAuthorizerOptions extends AuthorizerSettings {
  readonly store: CoordinationStore;
  readonly logger: Logger;
  readonly scheduler?: Scheduler;
}

/** One DeleteAcls filter's outcome. */
export interface DeleteOutcome {
  readonly deleted: AclBinding[];
  readonly error?: Error;
}

export class AclAuthorizer {
  private readonly cache: AclCache;
  private readonly log: Logger;
  private readonly listeners: ConfigChangeListener[] = [];
  private unsubscribe: (() => void) | undefined;
  private updates: Promise<unknown> = Promise.resolve();
  /** Bumped on every cache change, so a test (or a waiter) can see a change arrive. */
  private generationValue = 0;
  private readonly sched: Scheduler;

  constructor(private readonly o: AclAuthorizerOptions) {
    this.cache = new AclCache(o);
    this.log = o.logger.child({ module: 'acl-authorizer' });
    this.sched = o.scheduler ?? systemScheduler;
  }

  get generation(): number {
    return this.generationValue;
  }

  async start(): Promise<void> {
    for (const [changesPath, decode] of [[ACL_LITERAL_CHANGES_PATH, decodeLiteralAclChange], [ACL_EXTENDED_CHANGES_PATH, decodeExtendedAclChange]] as const) {
      const listener = new ConfigChangeListener({
        store: this.o.store,
        changesPath,
        prefix: ACL_CHANGE_PREFIX,
        logger: this.log,
        scheduler: this.sched,
        decode: (data, path) => {
          try {
            return JSON.stringify(decode(data, path));
          } catch (err) {
            // A notification we cannot read must not stall the ones after it.
            this.log.warn({ err, path }, 'unreadable ACL change notification skipped');
            return '';
          }
        },
        onChange: (text) => (text === '' ? undefined : this.reloadResource(JSON.parse(text) as AclChange)),
      });
      // Listen first, then load: a change racing the load is handled (again) by its notification.
      await listener.start();
      this.listeners.push(listener);
    }
    await this.loadAll();
    this.unsubscribe = this.o.store.addSessionListener({
      newSession: () => {
        void this.loadAll().catch((err: unknown) => this.log.warn({ err }, 'ACL reload after a new ZooKeeper session failed'));
      },
    });
  }

  stop(): void {
    this.unsubscribe?.();
    for (const l of this.listeners) l.stop();
  }

  isSuperUser(principal: string): boolean {
    return this.cache.isSuperUser(principal);
  }

  authorize(caller: Caller, operation: AclOperationCode, resourceType: ResourceTypeCode, name: string): boolean {
    return this.cache.authorize(caller, operation, resourceType, name);
  }

  authorizeByResourceType(caller: Caller, operation: AclOperationCode, resourceType: ResourceTypeCode): boolean {
    return this.cache.authorizeByResourceType(caller, operation, resourceType);
  }

  /** DescribeAcls: the cached bindings a filter matches. */
  acls(filter: AclBindingFilter): AclBinding[] {
    return this.cache.bindings().filter((b) => filterMatches(filter, b));
  }

  /** CreateAcls: each binding stored (or the error that stopped it), in order. */
  createAcls(bindings: readonly AclBinding[]): Promise<(Error | undefined)[]> {
    return this.serialized(async () => {
      const results: (Error | undefined)[] = bindings.map(() => undefined);
      const byPattern = new Map<string, { pattern: ResourcePattern; indexes: number[] }>();
      bindings.forEach((b, i) => {
        const k = patternKey(b.pattern);
        const g = byPattern.get(k) ?? { pattern: b.pattern, indexes: [] };
        g.indexes.push(i);
        byPattern.set(k, g);
      });
      for (const { pattern, indexes } of byPattern.values()) {
        try {
          await this.updateResource(pattern, (current) => {
            const keys = new Set(current.map((e) => bindingKey({ pattern, entry: e })));
            const added = indexes.map((i) => bindings[i]!.entry).filter((e) => !keys.has(bindingKey({ pattern, entry: e })) && keys.add(bindingKey({ pattern, entry: e })));
            return [...current, ...added];
          });
        } catch (err) {
          for (const i of indexes) results[i] = err as Error;
        }
      }
      return results;
    });
  }

  /** DeleteAcls: per filter, the bindings it removed (matched against ZooKeeper's current state). */
  deleteAcls(filters: readonly AclBindingFilter[]): Promise<DeleteOutcome[]> {
    return this.serialized(async () => {
      const deleted = filters.map(() => [] as AclBinding[]);
      const errors: (Error | undefined)[] = filters.map(() => undefined);
      const patterns = new Map<string, ResourcePattern>();
      for (const b of this.cache.bindings()) if (filters.some((f) => filterMatches(f, b))) patterns.set(patternKey(b.pattern), b.pattern);
      for (const pattern of patterns.values()) {
        try {
          const removedNow: AclBinding[][] = filters.map(() => []);
          await this.updateResource(pattern, (current) => {
            removedNow.forEach((r) => (r.length = 0));
            return current.filter((entry) => {
              const b = { pattern, entry };
              let hit = false;
              filters.forEach((f, i) => {
                if (filterMatches(f, b)) {
                  removedNow[i]!.push(b);
                  hit = true;
                }
              });
              return !hit;
            });
          });
          removedNow.forEach((r, i) => deleted[i]!.push(...r));
        } catch (err) {
          filters.forEach((f, i) => {
            if (this.cache.get(pattern).some((entry) => filterMatches(f, { pattern, entry }))) errors[i] = err as Error;
          });
        }
      }
      return filters.map((_, i) => (errors[i] === undefined ? { deleted: deleted[i]! } : { deleted: deleted[i]!, error: errors[i] }));
    });
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.updates.then(fn, fn);
    this.updates = run.catch(() => undefined);
    return run;
  }

  /** Read-modify-write of one resource node, conditional on its version; then the notification. */
  private async updateResource(pattern: ResourcePattern, change: (current: AccessControlEntry[]) => AccessControlEntry[]): Promise<void> {
    const ref = toRef(pattern);
    for (let attempt = 0; ; attempt++) {
      const stored = await readAclResource(this.o.store, ref);
      const current = this.decodeEntries(stored.entries, ref);
      const next = change(current);
      if (sameEntries(current, next)) {
        this.setCache(pattern, current);
        return;
      }
      if (await conditionalSetAcls(this.o.store, ref, next.map(toJson), stored.version)) {
        this.setCache(pattern, next);
        await writeAclChangeNotification(this.o.store, ref);
        return;
      }
      if (attempt + 1 >= MAX_UPDATE_ATTEMPTS) throw new Error(`ACLs of ${ref.resourceType}:${ref.name} changed concurrently ${MAX_UPDATE_ATTEMPTS} times; giving up`);
      await sleep(this.sched, backoffMs({ initialMs: 20, maxMs: 500 }, attempt));
    }
  }

  private async loadAll(): Promise<void> {
    const refs = await listAclResources(this.o.store);
    const loaded: [ResourcePattern, AccessControlEntry[]][] = [];
    for (const ref of refs) {
      const pattern = toPattern(ref);
      if (pattern === undefined) {
        this.log.warn({ ref }, 'ACL node of an unknown resource type ignored');
        continue;
      }
      loaded.push([pattern, this.decodeEntries((await readAclResource(this.o.store, ref)).entries, ref)]);
    }
    this.cache.clear();
    for (const [p, e] of loaded) this.cache.set(p, e);
    this.generationValue++;
    this.log.info({ resources: loaded.length }, 'ACLs loaded');
  }

  private async reloadResource(c: AclChange): Promise<void> {
    const resourceType = resourceTypeFromWord(c.resourceType);
    const word = resourceType === undefined ? undefined : resourceTypeWord(resourceType);
    if (resourceType === undefined || word === undefined) return;
    const ref: AclResourceRef = { patternType: c.patternType, resourceType: word, name: c.name };
    this.setCache(toPattern(ref)!, this.decodeEntries((await readAclResource(this.o.store, ref)).entries, ref));
    this.log.debug({ change: c }, 'ACL change applied');
  }

  private setCache(pattern: ResourcePattern, entries: readonly AccessControlEntry[]): void {
    this.cache.set(pattern, entries);
    this.generationValue++;
  }

  private decodeEntries(json: readonly AclEntryJson[], ref: AclResourceRef): AccessControlEntry[] {
    const out: AccessControlEntry[] = [];
    for (const j of json) {
      const operation = operationFromWord(j.operation);
      const permission = permissionFromWord(j.permissionType);
      if (operation === undefined || permission === undefined) {
        this.log.warn({ ref, entry: j }, 'ACL entry with an unknown operation or permission ignored');
        continue;
      }
      out.push({ principal: j.principal, host: j.host, operation, permission: permission as AccessControlEntry['permission'] });
    }
    return out;
  }
}

function toRef(p: ResourcePattern): AclResourceRef {
  return { patternType: p.patternType === PatternType.PREFIXED ? 'PREFIXED' : 'LITERAL', resourceType: resourceTypeWord(p.resourceType)!, name: p.name };
}

function toPattern(ref: AclResourceRef): ResourcePattern | undefined {
  const resourceType = resourceTypeFromWord(ref.resourceType);
  if (resourceType === undefined) return undefined;
  return { resourceType, name: ref.name, patternType: ref.patternType === 'PREFIXED' ? PatternType.PREFIXED : PatternType.LITERAL };
}

function toJson(e: AccessControlEntry): AclEntryJson {
  return { principal: e.principal, permissionType: permissionWord(e.permission)!, operation: operationWord(e.operation)!, host: e.host };
}

function sameEntries(a: readonly AccessControlEntry[], b: readonly AccessControlEntry[]): boolean {
  return a.length === b.length && a.every((e, i) => toJson(e).principal === b[i]!.principal && e.host === b[i]!.host && e.operation === b[i]!.operation && e.permission === b[i]!.permission);
}
