/**
 * configs.sh — Kafka's kafka-configs.sh for topics and brokers: describe the dynamic overrides
 * (or --all), add and delete them. Brokers: `--entity-name <id>` (that broker's dynamic configs)
 * or `--entity-default` (every broker's). The broker's AlterConfigs replaces the whole override
 * set, so --alter reads the current overrides first and writes the merged set.
 */
import type { Admin, ConfigResourceType } from '../../client/index.js';
import { keyValues, UsageError, type ParsedArgs, type ToolSpec } from './args.js';
import { alterUser, describeUsers } from './configs-users.js';
import { alterQuotas, describeQuotas, isQuotaConfig } from './configs-quotas.js';
import { BOOTSTRAP_FLAG, bootstrapList, connectAdmin, out, runTool, ToolError } from './common.js';

const spec: ToolSpec = {
  name: 'configs.sh',
  summary: 'Describe or change the configuration overrides of a topic, or the dynamic configs of a broker or of every broker.',
  flags: [
    BOOTSTRAP_FLAG,
    { name: 'describe', help: 'List the configs of the given entity.' },
    { name: 'alter', help: 'Alter the configs of the given entity.' },
    { name: 'entity-type', arg: '<String: type>', repeat: true, help: 'topics, brokers, users or clients (users and clients together: a user+client-id quota entity).' },
    { name: 'entity-name', arg: '<String: name>', repeat: true, help: 'The topic name, broker id, user name or client id (in the order of --entity-type).' },
    { name: 'entity-default', help: 'The default entity: of every broker (brokers), of users or of clients (quotas).' },
    { name: 'topic', arg: '<String: topic>', help: 'Short for --entity-type topics --entity-name <topic>.' },
    { name: 'broker', arg: '<String: broker id>', help: 'Short for --entity-type brokers --entity-name <id>.' },
    { name: 'all', help: 'With --describe: every config, not only the dynamic overrides.' },
    { name: 'add-config', arg: '<String: k1=v1,k2=[v1,v2]>', repeat: true, help: 'Overrides to add or change (square brackets for values with commas).' },
    { name: 'delete-config', arg: '<String: k1,k2>', repeat: true, help: 'Overrides to remove.' },
  ],
  usageTail:
    'Examples:\n  configs.sh --bootstrap-server 127.0.0.1:9092 --entity-type clients --entity-name app --alter --add-config producer_byte_rate=1048576\n  configs.sh --bootstrap-server 127.0.0.1:9092 --entity-type users --entity-name alice --entity-type clients --entity-default --describe\n  configs.sh --bootstrap-server 127.0.0.1:9092 --entity-type users --entity-name alice --alter --add-config \'SCRAM-SHA-256=[iterations=8192,password=alice-secret]\'\n  configs.sh --bootstrap-server 127.0.0.1:9092 --entity-type brokers --entity-default --alter --add-config log.retention.ms=3600000\n  configs.sh --bootstrap-server 127.0.0.1:9092 --entity-type topics --entity-name orders --alter --add-config retention.ms=3600000,cleanup.policy=compact\n  configs.sh --bootstrap-server 127.0.0.1:9092 --entity-type topics --entity-name orders --describe',
};

const SOURCES: Record<number, string> = { 1: 'DYNAMIC_TOPIC_CONFIG', 2: 'DYNAMIC_BROKER_CONFIG', 3: 'DYNAMIC_DEFAULT_BROKER_CONFIG', 4: 'STATIC_BROKER_CONFIG', 5: 'DEFAULT_CONFIG' };

runTool(spec, async (args) => {
  if (args.has('describe') === args.has('alter')) throw new UsageError('exactly one of --describe or --alter is required');
  const servers = bootstrapList(args);
  const types = args.all('entity-type');
  const changed = [...Object.keys(keyValues(args.all('add-config'), '--add-config', true)), ...args.all('delete-config').flatMap((s) => s.split(',')).map((s) => s.trim())];
  const quotas = types.includes('clients') || types.length > 1 || (types[0] === 'users' && (args.has('entity-default') || changed.some(isQuotaConfig)));
  if (quotas) {
    const admin = await connectAdmin(servers, 'samsa-configs');
    try {
      return args.has('describe') ? await describeQuotas(admin, args) : await alterQuotas(admin, args);
    } finally {
      admin.close();
    }
  }
  if (types[0] === 'users') {
    const user = args.get('entity-name');
    if (args.has('alter') && user === undefined) throw new UsageError('--alter of users needs --entity-name <user>');
    const admin = await connectAdmin(servers, 'samsa-configs');
    try {
      if (args.has('describe')) {
        // Kafka's describe of users shows quotas and SCRAM credentials.
        await describeQuotas(admin, args);
        return await describeUsers(admin, user);
      }
      return await alterUser(admin, user!, args);
    } finally {
      admin.close();
    }
  }
  const { type, name } = entity(args);
  const admin = await connectAdmin(servers, 'samsa-configs');
  try {
    return args.has('describe') ? await describe(admin, type, name, args.has('all')) : await alter(admin, type, name, args);
  } finally {
    admin.close();
  }
});

function entity(args: ParsedArgs): { type: ConfigResourceType; name: string } {
  if (args.get('topic') !== undefined) return { type: 'topic', name: args.get('topic')! };
  if (args.get('broker') !== undefined) return { type: 'broker', name: args.get('broker')! };
  const t = args.require('entity-type');
  if (t === 'brokers' && args.has('entity-default')) return { type: 'broker', name: '' };
  const name = args.require('entity-name');
  if (t === 'topics') return { type: 'topic', name };
  if (t === 'brokers') {
    if (!/^\d+$/.test(name)) throw new UsageError(`a broker's --entity-name is its id, got "${name}"`);
    return { type: 'broker', name };
  }
  throw new UsageError(`--entity-type must be topics, brokers, users or clients (got "${t}")`);
}

async function describe(admin: Admin, type: ConfigResourceType, name: string, all: boolean): Promise<number> {
  const entries = await admin.describeConfigEntries(type, name);
  const shown = all ? entries : entries.filter((e) => e.isOverride);
  if (type === 'broker' && name === '') out('Default configs for brokers in the cluster are:');
  else out(all ? `All configs for ${what(type, name)} are:` : `Dynamic configs for ${what(type, name)} are:`);
  for (const e of (type === 'broker' && name === '' ? entries : shown).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const value = e.isSensitive ? null : e.value;
    const source = SOURCES[e.source] ?? 'UNKNOWN';
    out(`  ${e.name}=${value ?? 'null'} sensitive=${e.isSensitive} synonyms={${source}:${e.name}=${value ?? 'null'}}`);
  }
  return 0;
}

function what(type: ConfigResourceType, name: string): string {
  return type === 'topic' ? `topic ${name}` : name === '' ? 'brokers in the cluster' : `broker ${name}`;
}

async function alter(admin: Admin, type: ConfigResourceType, name: string, args: ParsedArgs): Promise<number> {
  const add = keyValues(args.all('add-config'), '--add-config', true);
  const del = args.all('delete-config').flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (Object.keys(add).length === 0 && del.length === 0) throw new UsageError('--alter needs --add-config or --delete-config');
  const entries = await admin.describeConfigEntries(type, name);
  // The default entity lists only its own (dynamic default) values.
  const isDefault = type === 'broker' && name === '';
  const current = Object.fromEntries(entries.filter((e) => (isDefault || e.isOverride) && e.value !== null).map((e) => [e.name, e.value!]));
  for (const k of del) {
    if (!(k in current)) throw new ToolError(`Invalid config(s): ${k} (not an override of ${what(type, name)})`);
    delete current[k];
  }
  await admin.alterConfigs(type, name, { ...current, ...add });
  out(isDefault ? 'Completed updating default config for brokers in the cluster.' : `Completed updating config for ${what(type, name)}.`);
  return 0;
}
