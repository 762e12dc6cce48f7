/**
 * consumer-groups.sh — Kafka's kafka-consumer-groups.sh: list groups, describe a group's offsets
 * and lag (or its members / state), reset a group's committed offsets while it is inactive
 * (dry run unless --execute), delete groups.
 */
import { tpKey } from '../../common/index.js';
import type { Admin, GroupDescription } from '../../client/index.js';
import { UsageError, type ParsedArgs, type ToolSpec } from './args.js';
import { BOOTSTRAP_FLAG, bootstrapList, connectAdmin, err, out, retrying, runTool, table, ToolError } from './common.js';

const spec: ToolSpec = {
  name: 'consumer-groups.sh',
  summary: 'List all consumer groups, describe a consumer group, reset its offsets, or delete it.',
  flags: [
    BOOTSTRAP_FLAG,
    { name: 'list', help: 'List all consumer groups.' },
    { name: 'describe', help: 'Describe a consumer group: offsets and lag per partition (default), --members or --state.' },
    { name: 'reset-offsets', help: 'Reset the offsets of an inactive group (dry run unless --execute).' },
    { name: 'delete', help: 'Delete empty groups (and their committed offsets).' },
    { name: 'group', arg: '<String: consumer group>', repeat: true, help: 'The consumer group (repeatable with --delete).' },
    { name: 'all-groups', help: 'With --describe or --delete: every group.' },
    { name: 'members', help: 'With --describe: the members of the group.' },
    { name: 'offsets', help: 'With --describe: offsets and lag (the default).' },
    { name: 'state', help: 'With --describe: the state of the group.' },
    { name: 'topic', arg: '<String: topic[:partitions]>', repeat: true, help: 'With --reset-offsets: the topic, optionally with partitions, e.g. orders:0,1.' },
    { name: 'all-topics', help: 'With --reset-offsets: every topic the group has committed offsets for.' },
    { name: 'to-earliest', help: 'Reset to the earliest offset (logStartOffset).' },
    { name: 'to-latest', help: 'Reset to the latest offset (highWatermark).' },
    { name: 'to-current', help: 'Reset to the current committed offset.' },
    { name: 'to-offset', arg: '<Long: offset>', help: 'Reset to this offset (clamped into [earliest, latest]).' },
    { name: 'shift-by', arg: '<Long: number of offsets>', help: 'Move the committed offsets by n (may be negative; clamped).' },
    { name: 'to-datetime', arg: '<String: datetime>', help: 'Reset to the first offset at or after this time (ISO 8601, e.g. 2024-01-01T00:00:00.000).' },
    { name: 'execute', help: 'Apply the reset.' },
    { name: 'dry-run', help: 'Only show the result of the reset (default).' },
  ],
  usageTail:
    'Examples:\n  consumer-groups.sh --bootstrap-server 127.0.0.1:9092 --describe --group billing\n  consumer-groups.sh --bootstrap-server 127.0.0.1:9092 --reset-offsets --group billing --topic orders --to-earliest --execute',
};

runTool(spec, async (args) => {
  const actions = ['list', 'describe', 'reset-offsets', 'delete'].filter((a) => args.has(a));
  if (actions.length !== 1) throw new UsageError('exactly one of --list, --describe, --reset-offsets or --delete is required');
  const servers = bootstrapList(args);
  const admin = await connectAdmin(servers, 'samsa-consumer-groups');
  try {
    if (actions[0] === 'list') {
      for (const g of await retrying(() => admin.listGroups())) out(g.groupId);
      return 0;
    }
    const groups = args.has('all-groups') ? (await retrying(() => admin.listGroups())).map((g) => g.groupId) : args.all('group');
    if (groups.length === 0) throw new UsageError(`--${actions[0]} needs --group${actions[0] === 'reset-offsets' ? '' : ' or --all-groups'}`);
    if (actions[0] === 'describe') return await describe(admin, groups, args);
    if (actions[0] === 'delete') return await remove(admin, groups);
    if (groups.length !== 1) throw new UsageError('--reset-offsets takes exactly one --group');
    return await reset(admin, groups[0]!, args);
  } finally {
    admin.close();
  }
});

const exists = (g: GroupDescription) => g.state !== 'Dead';

async function describe(admin: Admin, groupIds: string[], args: ParsedArgs): Promise<number> {
  let missing = 0;
  for (const d of await retrying(() => admin.describeGroups(groupIds))) {
    out('');
    if (!exists(d)) {
      err(`Error: Consumer group '${d.groupId}' does not exist.`);
      missing++;
      continue;
    }
    if (args.has('state')) {
      out(table(['GROUP', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'], [[d.groupId, d.protocol || '', d.state, String(d.members.length)]]).join('\n'));
    } else if (args.has('members')) {
      if (d.members.length === 0) out(`Consumer group '${d.groupId}' has no active members.`);
      else {
        const rows = d.members.map((m) => [d.groupId, m.memberId, m.groupInstanceId ?? '-', m.clientHost, m.clientId, String(m.assignment?.reduce((n, t) => n + t.partitions.length, 0) ?? 0)]);
        out(table(['GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS'], rows).join('\n'));
      }
    } else {
      await describeOffsets(admin, d);
    }
  }
  return missing > 0 ? 1 : 0;
}

async function describeOffsets(admin: Admin, d: GroupDescription): Promise<void> {
  const committed = await retrying(() => admin.listGroupOffsets(d.groupId));
  const owner = new Map<string, { memberId: string; host: string; clientId: string }>();
  for (const m of d.members) {
    for (const t of m.assignment ?? []) for (const p of t.partitions) owner.set(tpKey(t.topic, p), { memberId: m.memberId, host: m.clientHost, clientId: m.clientId });
  }
  const keys = new Map<string, { topic: string; partition: number }>();
  for (const c of committed) keys.set(tpKey(c.topic, c.partition), { topic: c.topic, partition: c.partition });
  for (const k of owner.keys()) {
    const [topic, p] = k.split('\u0000');
    keys.set(k, { topic: topic!, partition: Number(p) });
  }
  const tps = [...keys.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  const ends = new Map((await retrying(() => admin.listOffsets(tps, 'latest')).catch(() => [])).map((o) => [tpKey(o.topic, o.partition), o.offset]));
  const current = new Map(committed.map((c) => [tpKey(c.topic, c.partition), c.offset]));
  if (d.members.length === 0) out(`Consumer group '${d.groupId}' has no active members.`);
  out('');
  const rows = tps.map((tp) => {
    const k = tpKey(tp.topic, tp.partition);
    const cur = current.get(k);
    const end = ends.get(k);
    const o = owner.get(k);
    return [
      d.groupId,
      tp.topic,
      String(tp.partition),
      cur === undefined ? '-' : String(cur),
      end === undefined ? '-' : String(end),
      cur === undefined || end === undefined ? '-' : String(end - cur < 0n ? 0n : end - cur),
      o?.memberId ?? '-',
      o?.host ?? '-',
      o?.clientId ?? '-',
    ];
  });
  out(table(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'], rows).join('\n'));
}

async function remove(admin: Admin, groupIds: string[]): Promise<number> {
  await retrying(() => admin.deleteGroups(groupIds));
  out(`Deletion of requested consumer groups (${groupIds.map((g) => `'${g}'`).join(', ')}) was successful.`);
  return 0;
}

async function reset(admin: Admin, groupId: string, args: ParsedArgs): Promise<number> {
  const scenarios = ['to-earliest', 'to-latest', 'to-current', 'to-offset', 'shift-by', 'to-datetime'].filter((s) => args.has(s));
  if (scenarios.length !== 1) throw new UsageError('--reset-offsets needs exactly one of --to-earliest, --to-latest, --to-current, --to-offset, --shift-by, --to-datetime');
  if (args.has('execute') && args.has('dry-run')) throw new UsageError('--execute and --dry-run exclude each other');
  if (args.all('topic').length === 0 && !args.has('all-topics')) throw new UsageError('--reset-offsets needs --topic or --all-topics');
  const [d] = await retrying(() => admin.describeGroups([groupId]));
  if (d !== undefined && d.state !== 'Empty' && d.state !== 'Dead') {
    throw new ToolError(`Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${d.state}.`);
  }
  const committed = await retrying(() => admin.listGroupOffsets(groupId));
  const tps: Array<{ topic: string; partition: number }> = [];
  if (args.has('all-topics')) {
    tps.push(...committed.map((c) => ({ topic: c.topic, partition: c.partition })));
  } else {
    for (const t of args.all('topic')) {
      const [topic, parts] = t.split(':') as [string, string | undefined];
      if (parts !== undefined) {
        for (const p of parts.split(',')) {
          if (!/^\d+$/.test(p)) throw new UsageError(`bad partition "${p}" in --topic ${t}`);
          tps.push({ topic, partition: Number(p) });
        }
      } else {
        const [m] = await admin.fetchTopicMetadata([topic]);
        for (const p of m!.partitions) tps.push({ topic, partition: p.partition });
      }
    }
  }
  const earliest = await retrying(() => admin.listOffsets(tps, 'earliest'));
  const latest = await retrying(() => admin.listOffsets(tps, 'latest'));
  const cur = new Map(committed.map((c) => [tpKey(c.topic, c.partition), c.offset]));
  const byTime = args.has('to-datetime') ? await retrying(() => admin.listOffsets(tps, { timestamp: parseDatetime(args.get('to-datetime')!) })) : undefined;
  const target = tps.map((tp, i) => {
    const lo = earliest[i]!.offset;
    const hi = latest[i]!.offset;
    const clamp = (o: bigint) => (o < lo ? lo : o > hi ? hi : o);
    const current = cur.get(tpKey(tp.topic, tp.partition));
    let offset: bigint;
    if (args.has('to-earliest')) offset = lo;
    else if (args.has('to-latest')) offset = hi;
    else if (args.has('to-offset')) offset = clamp(args.bigint('to-offset')!);
    else if (args.has('shift-by')) offset = clamp((current ?? hi) + args.bigint('shift-by')!);
    else if (byTime !== undefined) offset = byTime[i]!.offset < 0n ? hi : byTime[i]!.offset;
    else offset = current ?? hi;
    return { ...tp, offset };
  });
  if (args.has('execute')) await retrying(() => admin.alterGroupOffsets(groupId, target));
  else if (!args.has('dry-run')) err('WARN: No action will be performed as the --execute option is missing. In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.');
  out('');
  out(table(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], target.map((t) => [groupId, t.topic, String(t.partition), String(t.offset)])).join('\n'));
  return 0;
}

function parseDatetime(s: string): bigint {
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  if (Number.isNaN(ms)) throw new UsageError(`--to-datetime wants an ISO 8601 time like 2024-01-01T00:00:00.000, got "${s}"`);
  return BigInt(ms);
}
