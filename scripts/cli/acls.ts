/**
 * acls.sh — Kafka's kafka-acls.sh over the Admin API (CreateAcls/DescribeAcls/DeleteAcls):
 * --add, --remove and --list of ACLs on topics, groups, the cluster and transactional ids, with
 * Kafka's flags (--allow-principal, --deny-principal, --allow-host, --deny-host, --operation,
 * --resource-pattern-type, the --producer/--consumer conveniences) and Kafka's output lines
 * (`Current ACLs for resource `ResourcePattern(...)`:` then one `(principal=…, host=…,
 * operation=…, permissionType=…)` per ACL).
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Admin } from '../../client/index.js';
import { AclOperation, AclPermission, aclEnumName, PatternType, ResourceType } from '../../protocol/index.js';
import { UsageError, type ParsedArgs, type ToolSpec } from './args.js';
import { BOOTSTRAP_FLAG, bootstrapList, connectAdmin, out, runTool } from './common.js';

type Binding = Parameters<Admin['createAcls']>[0][number];
type Filter = Parameters<Admin['describeAcls']>[0];
interface Resource { resourceType: number; name: string }

const spec: ToolSpec = {
  name: 'acls.sh',
  summary: 'Add, remove or list ACLs (needs a broker with authorizer.class.name=kafka.security.authorizer.AclAuthorizer).',
  flags: [
    BOOTSTRAP_FLAG,
    { name: 'command-config', arg: '<String: command config property file>', help: 'Client properties (client.id; security settings as the client supports them).' },
    { name: 'add', help: 'Add ACLs.' },
    { name: 'remove', help: 'Remove ACLs.' },
    { name: 'list', help: 'List ACLs (of the given resources, or all).' },
    { name: 'topic', arg: '<String: topic>', repeat: true, help: 'Topic resource (* for all topics).' },
    { name: 'group', arg: '<String: group>', repeat: true, help: 'Consumer group resource (* for all groups).' },
    { name: 'cluster', help: 'The cluster resource.' },
    { name: 'transactional-id', arg: '<String: transactional-id>', repeat: true, help: 'Transactional id resource (* for all).' },
    { name: 'resource-pattern-type', arg: '<ANY|MATCH|LITERAL|PREFIXED>', help: 'LITERAL (default for --add/--remove) or PREFIXED; --list also takes ANY (default) and MATCH.' },
    { name: 'allow-principal', arg: '<String: principal>', repeat: true, help: 'Principal to allow, e.g. User:alice (User:* for everyone).' },
    { name: 'deny-principal', arg: '<String: principal>', repeat: true, help: 'Principal to deny.' },
    { name: 'allow-host', arg: '<String: host>', repeat: true, help: 'Host (IP) the allow applies to; default *.' },
    { name: 'deny-host', arg: '<String: host>', repeat: true, help: 'Host (IP) the deny applies to; default *.' },
    { name: 'operation', arg: '<String: operation>', repeat: true, help: 'Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, All (default All).' },
    { name: 'principal', arg: '<String: principal>', repeat: true, help: 'With --list: only ACLs of these principals.' },
    { name: 'producer', help: 'Convenience: Write, Describe and Create on the topics (and Write, Describe on --transactional-id; IdempotentWrite on the cluster with --idempotent).' },
    { name: 'consumer', help: 'Convenience: Read and Describe on the topics and Read on the --group.' },
    { name: 'idempotent', help: 'With --producer: also IdempotentWrite on the cluster.' },
    { name: 'force', help: 'Remove without asking for confirmation.' },
  ],
  usageTail:
    'Examples:\n  acls.sh --bootstrap-server 127.0.0.1:9092 --add --allow-principal User:alice --operation Read --topic orders\n  acls.sh --bootstrap-server 127.0.0.1:9092 --add --allow-principal User:bob --producer --topic app- --resource-pattern-type prefixed\n  acls.sh --bootstrap-server 127.0.0.1:9092 --list --topic orders\n  acls.sh --bootstrap-server 127.0.0.1:9092 --remove --force --deny-principal User:mallory --operation All --topic orders',
};

const OPERATION_WORDS: Record<string, number> = {
  read: AclOperation.READ, write: AclOperation.WRITE, create: AclOperation.CREATE, delete: AclOperation.DELETE, alter: AclOperation.ALTER,
  describe: AclOperation.DESCRIBE, clusteraction: AclOperation.CLUSTER_ACTION, describeconfigs: AclOperation.DESCRIBE_CONFIGS,
  alterconfigs: AclOperation.ALTER_CONFIGS, idempotentwrite: AclOperation.IDEMPOTENT_WRITE, all: AclOperation.ALL,
};

runTool(spec, async (args) => {
  const actions = ['add', 'remove', 'list'].filter((a) => args.has(a));
  if (actions.length !== 1) throw new UsageError('exactly one of --add, --remove or --list is required');
  const patternType = patternTypeOf(args, actions[0] === 'list');
  const clientId = commandConfig(args);
  const admin = await connectAdmin(bootstrapList(args), clientId);
  try {
    if (args.has('list')) return await list(admin, args, patternType);
    const bindings = bindingsOf(args, patternType);
    if (bindings.length === 0) throw new UsageError('no ACL to change: give --allow-principal or --deny-principal (and a resource)');
    if (args.has('add')) {
      for (const [resource, group] of byResource(bindings)) {
        out(`Adding ACLs for resource \`${patternText(resource, patternType)}\`: `);
        for (const b of group) out(` \t${entryText(b)} `);
        out();
      }
      await admin.createAcls(bindings);
    } else {
      if (!args.has('force') && !(await confirm('Are you sure you want to remove ACLs: \n' + bindings.map((b) => ` \t${entryText(b)} \n`).join('') + ` from resource filter(s)? (y/n)`))) return 0;
      await admin.deleteAcls(bindings.map((b) => ({ ...b })));
    }
    for (const resource of new Set(bindings.map((b) => `${b.resourceType}|${b.resourceName}`))) {
      const [type, ...name] = resource.split('|');
      await printCurrent(admin, { resourceType: Number(type), resourceName: name.join('|'), patternType, principal: null, host: null, operation: AclOperation.ANY, permissionType: AclPermission.ANY });
    }
    return 0;
  } finally {
    admin.close();
  }
});

/** Only the properties the client acts on; anything else is refused rather than silently ignored. */
function commandConfig(args: ParsedArgs): string {
  const file = args.get('command-config');
  let clientId = 'samsa-acls';
  if (file === undefined) return clientId;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith('!')) continue;
    const i = t.search(/[=:]/);
    const [k, v] = i < 0 ? [t, ''] : [t.slice(0, i).trim(), t.slice(i + 1).trim()];
    if (k === 'client.id') clientId = v;
    else if (k === 'security.protocol' && v === 'PLAINTEXT') continue;
    else throw new UsageError(`--command-config ${file}: ${k}=${v} is not supported by this client`);
  }
  return clientId;
}

function patternTypeOf(args: ParsedArgs, listing: boolean): number {
  const w = args.get('resource-pattern-type')?.toUpperCase();
  if (w === undefined) return listing ? PatternType.ANY : PatternType.LITERAL;
  const code = (PatternType as Record<string, number>)[w];
  if (code === undefined || code === PatternType.UNKNOWN) throw new UsageError(`--resource-pattern-type wants ANY, MATCH, LITERAL or PREFIXED, got "${w}"`);
  if (!listing && code !== PatternType.LITERAL && code !== PatternType.PREFIXED) throw new UsageError(`--add and --remove take LITERAL or PREFIXED resource patterns, got ${w}`);
  return code;
}

function resourcesOf(args: ParsedArgs): Resource[] {
  return [
    ...args.all('topic').map((name) => ({ resourceType: ResourceType.TOPIC, name })),
    ...args.all('group').map((name) => ({ resourceType: ResourceType.GROUP, name })),
    ...(args.has('cluster') ? [{ resourceType: ResourceType.CLUSTER, name: 'kafka-cluster' }] : []),
    ...args.all('transactional-id').map((name) => ({ resourceType: ResourceType.TRANSACTIONAL_ID, name })),
  ];
}

/** Resource → operations: --operation on every given resource, or what --producer/--consumer imply. */
function operationsByResource(args: ParsedArgs): [Resource, number[]][] {
  const resources = resourcesOf(args);
  if (args.has('producer') || args.has('consumer')) {
    const out: [Resource, number[]][] = [];
    const topics = resources.filter((r) => r.resourceType === ResourceType.TOPIC);
    if (topics.length === 0) throw new UsageError('--producer and --consumer need --topic');
    if (args.has('producer')) {
      for (const t of topics) out.push([t, [AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE]]);
      for (const r of resources.filter((x) => x.resourceType === ResourceType.TRANSACTIONAL_ID)) out.push([r, [AclOperation.WRITE, AclOperation.DESCRIBE]]);
      if (args.has('idempotent')) out.push([{ resourceType: ResourceType.CLUSTER, name: 'kafka-cluster' }, [AclOperation.IDEMPOTENT_WRITE]]);
    }
    if (args.has('consumer')) {
      const groups = resources.filter((r) => r.resourceType === ResourceType.GROUP);
      if (groups.length === 0) throw new UsageError('--consumer needs --group');
      for (const t of topics) out.push([t, [AclOperation.READ, AclOperation.DESCRIBE]]);
      for (const g of groups) out.push([g, [AclOperation.READ]]);
    }
    return out;
  }
  if (resources.length === 0) throw new UsageError('give at least one resource: --topic, --group, --cluster or --transactional-id');
  const ops = args.all('operation').map((w) => {
    const code = OPERATION_WORDS[w.toLowerCase().replace(/[_-]/g, '')];
    if (code === undefined) throw new UsageError(`unknown --operation "${w}"`);
    return code;
  });
  return resources.map((r) => [r, ops.length === 0 ? [AclOperation.ALL] : ops]);
}

function bindingsOf(args: ParsedArgs, patternType: number): Binding[] {
  const out: Binding[] = [];
  const sides: [number, string[], string[]][] = [
    [AclPermission.ALLOW, args.all('allow-principal'), args.all('allow-host')],
    [AclPermission.DENY, args.all('deny-principal'), args.all('deny-host')],
  ];
  for (const [resource, ops] of operationsByResource(args)) {
    for (const [permissionType, principals, hosts] of sides) {
      for (const principal of principals) {
        for (const host of hosts.length === 0 ? ['*'] : hosts) {
          for (const operation of ops) out.push({ resourceType: resource.resourceType, resourceName: resource.name, patternType, principal, host, operation, permissionType });
        }
      }
    }
  }
  return out;
}

async function list(admin: Admin, args: ParsedArgs, patternType: number): Promise<number> {
  const resources = resourcesOf(args);
  const principals = args.all('principal');
  const filters: Filter[] = (resources.length === 0 ? [{ resourceType: ResourceType.ANY, name: null as string | null }] : resources).flatMap((r) =>
    (principals.length === 0 ? [null] : principals).map((principal) => ({ resourceType: r.resourceType, resourceName: r.name, patternType, principal, host: null, operation: AclOperation.ANY, permissionType: AclPermission.ANY })),
  );
  for (const f of filters) await printCurrent(admin, f);
  return 0;
}

async function printCurrent(admin: Admin, filter: Filter): Promise<void> {
  const acls = await admin.describeAcls(filter);
  for (const [resource, group] of byResource(acls)) {
    out(`Current ACLs for resource \`${patternText(resource, group[0]!.patternType)}\`: `);
    for (const b of group) out(` \t${entryText(b)} `);
    out();
  }
}

function byResource(bindings: readonly Binding[]): Map<string, Binding[]> {
  const m = new Map<string, Binding[]>();
  for (const b of bindings) {
    const k = `${b.resourceType}|${b.patternType}|${b.resourceName}`;
    m.set(k, [...(m.get(k) ?? []), b]);
  }
  return new Map([...m.values()].map((g) => [`${g[0]!.resourceType}|${g[0]!.resourceName}`, g]));
}

function patternText(resourceKey: string, patternType: number): string {
  const [type, ...name] = resourceKey.split('|');
  return `ResourcePattern(resourceType=${aclEnumName(ResourceType, Number(type))}, name=${name.join('|')}, patternType=${aclEnumName(PatternType, patternType)})`;
}

function entryText(b: Binding): string {
  return `(principal=${b.principal}, host=${b.host}, operation=${aclEnumName(AclOperation, b.operation)}, permissionType=${aclEnumName(AclPermission, b.permissionType)})`;
}

async function confirm(question: string): Promise<boolean> {
  out(question);
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line.trim().toLowerCase() === 'y';
  }
  return false;
}
