/**
 * topics.sh — Kafka's kafka-topics.sh: create, list, describe, alter (partitions, configs) and
 * delete topics through the Kafka admin APIs. `--topic` is a regular expression for list,
 * describe, alter and delete, as in Kafka.
 */
import type { Admin } from '../../client/index.js';
import { keyValues, UsageError, type ParsedArgs, type ToolSpec } from './args.js';
import { BOOTSTRAP_FLAG, bootstrapList, connectAdmin, isInternalTopic, out, runTool, ToolError, topicFilter } from './common.js';

const spec: ToolSpec = {
  name: 'topics.sh',
  summary: 'Create, delete, describe, or change a topic.',
  flags: [
    BOOTSTRAP_FLAG,
    { name: 'create', help: 'Create a new topic.' },
    { name: 'list', help: 'List all available topics.' },
    { name: 'describe', help: 'List details for the given topics.' },
    { name: 'alter', help: 'Alter the number of partitions and/or the configuration overrides of a topic.' },
    { name: 'delete', help: 'Delete a topic.' },
    { name: 'topic', arg: '<String: topic>', help: 'The topic to create, alter, describe or delete (a regex except for --create).' },
    { name: 'partitions', arg: '<Integer: # of partitions>', help: 'Partitions of the topic being created or altered (only grows).' },
    { name: 'replication-factor', arg: '<Integer: replication factor>', help: 'Replication factor of each partition of the topic being created.' },
    { name: 'config', arg: '<String: name=value>', repeat: true, help: 'A topic configuration override for the topic being created or altered.' },
    { name: 'delete-config', arg: '<String: name>', repeat: true, help: 'A topic configuration override to remove (with --alter).' },
    { name: 'if-not-exists', help: 'With --create: only create the topic if it does not already exist.' },
    { name: 'if-exists', help: 'With --alter, --describe or --delete: only act if the topic exists.' },
    { name: 'under-replicated-partitions', help: 'With --describe: only partitions whose ISR is smaller than their replica set.' },
    { name: 'unavailable-partitions', help: 'With --describe: only partitions without a leader.' },
    { name: 'under-min-isr-partitions', help: 'With --describe: only partitions whose ISR is smaller than min.insync.replicas.' },
    { name: 'exclude-internal', help: 'Exclude internal topics when listing or describing.' },
  ],
  usageTail: 'Examples:\n  topics.sh --bootstrap-server 127.0.0.1:9092 --create --topic orders --partitions 3 --replication-factor 3 --config retention.ms=86400000\n  topics.sh --bootstrap-server 127.0.0.1:9092 --describe --under-replicated-partitions',
};

runTool(spec, async (args) => {
  const actions = ['create', 'list', 'describe', 'alter', 'delete'].filter((a) => args.has(a));
  if (actions.length !== 1) throw new UsageError('exactly one of --create, --list, --describe, --alter or --delete is required');
  const servers = bootstrapList(args);
  const admin = await connectAdmin(servers, 'samsa-topics');
  try {
    switch (actions[0]) {
      case 'create':
        return await create(admin, args);
      case 'list':
        return await list(admin, args);
      case 'describe':
        return await describe(admin, args);
      case 'alter':
        return await alter(admin, args);
      default:
        return await remove(admin, args);
    }
  } finally {
    admin.close();
  }
});

async function matching(admin: Admin, args: ParsedArgs): Promise<string[]> {
  const match = topicFilter(args.get('topic'));
  const names = (await admin.listTopics()).filter((t) => match(t) && !(args.has('exclude-internal') && isInternalTopic(t)));
  if (names.length === 0 && args.get('topic') !== undefined && !args.has('if-exists')) {
    throw new ToolError(`Topic '${args.get('topic')}' does not exist as expected`);
  }
  return names;
}

async function create(admin: Admin, args: ParsedArgs): Promise<number> {
  const topic = args.require('topic', '(the topic to create)');
  const configs = keyValues(args.all('config'), '--config');
  const created = await admin.createTopics([
    { topic, numPartitions: args.int('partitions', -1)!, replicationFactor: args.int('replication-factor', -1)!, configs },
  ]);
  if (!created) {
    if (args.has('if-not-exists')) return 0;
    throw new ToolError(`Topic '${topic}' already exists.`);
  }
  out(`Created topic ${topic}.`);
  return 0;
}

async function list(admin: Admin, args: ParsedArgs): Promise<number> {
  const match = topicFilter(args.get('topic'));
  for (const t of await admin.listTopics()) if (match(t) && !(args.has('exclude-internal') && isInternalTopic(t))) out(t);
  return 0;
}

async function describe(admin: Admin, args: ParsedArgs): Promise<number> {
  const names = await matching(admin, args);
  if (names.length === 0) return 0;
  const metas = await admin.fetchTopicMetadata(names);
  const topicIds = await admin.fetchTopicIds(names);
  const filtered = args.has('under-replicated-partitions') || args.has('unavailable-partitions') || args.has('under-min-isr-partitions');
  for (const m of metas) {
    const entries = await admin.describeConfigEntries('topic', m.name);
    const overrides = entries.filter((e) => e.isOverride).map((e) => `${e.name}=${e.isSensitive ? '(sensitive)' : (e.value ?? '')}`);
    const minIsr = Number(entries.find((e) => e.name === 'min.insync.replicas')?.value ?? '1');
    const partitions = [...m.partitions].sort((a, b) => a.partition - b.partition);
    const rf = partitions[0]?.replicas.length ?? 0;
    const shown = partitions.filter((p) => {
      if (!filtered) return true;
      if (args.has('under-replicated-partitions') && p.isr.length < p.replicas.length) return true;
      if (args.has('unavailable-partitions') && p.leader < 0) return true;
      return args.has('under-min-isr-partitions') && p.isr.length < minIsr;
    });
    // Kafka prints the topic summary only when no partition filter is given.
    if (!filtered) out(`Topic: ${m.name}${topicIds.has(m.name) ? `\tTopicId: ${topicIds.get(m.name)}` : ''}\tPartitionCount: ${partitions.length}\tReplicationFactor: ${rf}\tConfigs: ${overrides.join(',')}`);
    for (const p of shown) {
      const offline = p.replicas.filter((r) => !p.isr.includes(r) && p.leader < 0);
      out(
        `\tTopic: ${m.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}` +
          (offline.length > 0 ? `\tOffline: ${offline.join(',')}` : ''),
      );
    }
  }
  return 0;
}

async function alter(admin: Admin, args: ParsedArgs): Promise<number> {
  if (args.get('topic') === undefined) throw new UsageError('--alter needs --topic');
  if (args.has('replication-factor')) throw new UsageError('--replication-factor cannot be altered; use reassign-partitions.sh');
  const partitions = args.int('partitions');
  const set = keyValues(args.all('config'), '--config');
  const unset = args.all('delete-config');
  if (partitions === undefined && Object.keys(set).length === 0 && unset.length === 0) throw new UsageError('--alter needs --partitions, --config or --delete-config');
  const names = await matching(admin, args);
  for (const name of names) {
    if (partitions !== undefined) {
      await admin.createPartitions([{ topic: name, count: partitions }]);
      out(`Adding partitions succeeded for topic ${name}: now ${partitions} partitions.`);
    }
    if (Object.keys(set).length > 0 || unset.length > 0) {
      const current = Object.fromEntries((await admin.describeConfigEntries('topic', name)).filter((e) => e.isOverride && e.value !== null).map((e) => [e.name, e.value!]));
      for (const k of unset) delete current[k];
      await admin.alterConfigs('topic', name, { ...current, ...set });
      out(`Updated config for topic ${name}.`);
    }
  }
  return 0;
}

async function remove(admin: Admin, args: ParsedArgs): Promise<number> {
  if (args.get('topic') === undefined) throw new UsageError('--delete needs --topic');
  const names = await matching(admin, args);
  if (names.some(isInternalTopic)) throw new ToolError('internal topics cannot be deleted');
  if (names.length > 0) await admin.deleteTopics(names);
  for (const n of names) out(`Topic ${n} is marked for deletion.`);
  return 0;
}
