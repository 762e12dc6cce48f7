/**
 * Consumer-group members driven by real Kafka clients, all behind one small shape so the group
 * tests can count records and watch assignments the same way whichever client runs:
 * - kcat -G (librdkafka's balanced consumer) as a child process: records on stdout
 *   (`partition|offset|value`), rebalances from its stderr lines
 *   "% Group g rebalanced (memberid m): assigned: t [0], t [3]" (eager; a revoke takes all) or
 *   "% Group g rebalanced: incremental assignment of 2 partition(s) (…): t [0], t [3]";
 * - kafka-python's KafkaConsumer(group_id=…) via python-member.py, same stdout format, its
 *   rebalance listener printing "ASSIGNED 0,3" on stderr;
 * - KafkaJS 2.2.4 consumer.run({ eachMessage }) in this process.
 * Every member is stopped cleanly (SIGTERM / disconnect → commit + LeaveGroup) or killed by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { waitFor } from '../../helpers/wait-for.js';
import { backgroundScheduler, sleep } from '../../../common/index.js';

export interface ConsumedRecord {
  member: string;
  partition: number;
  offset: number;
  value: string;
}

export interface GroupMember {
  readonly name: string;
  /** Every record this member has handed to the application so far. */
  readonly records: ConsumedRecord[];
  /** Partitions held now; undefined before the first assignment. */
  assignment(): number[] | undefined;
  /** How many assignments (rebalance callbacks with partitions given) this member has seen. */
  assignments(): number;
  /** Clean stop: commit and LeaveGroup. */
  stop(): Promise<void>;
  /** Abrupt stop (SIGKILL of the child; KafkaJS: disconnect). */
  kill(): Promise<void>;
  /** Diagnostics for failure messages. */
  diagnostics(): string;
}

export const PYTHON = '/usr/bin/python3';
const PYTHON_MEMBER = join(import.meta.dirname, 'python-member.py');

class ChildMember implements GroupMember {
  readonly records: ConsumedRecord[] = [];
  private current: number[] | undefined;
  private count = 0;
  private stdoutTail = '';
  private stderrTail = '';
  private stderrLog = '';
  private readonly exited: Promise<number | null>;
  private alive = true;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private readonly parseRebalance: (line: string) => RebalanceEvent | undefined,
  ) {
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    child.on('close', () => {
      this.alive = false;
    });
    child.on('error', (e) => {
      this.stderrLog += `\nspawn error: ${e.message}`;
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (this.stdoutTail + chunk.toString()).split('\n');
      this.stdoutTail = lines.pop() ?? '';
      for (const line of lines) {
        const [p, o, ...rest] = line.split('|');
        if (rest.length === 0) continue;
        this.records.push({ member: name, partition: Number(p), offset: Number(o), value: rest.join('|') });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.stderrLog = (this.stderrLog + text).slice(-20_000);
      const lines = (this.stderrTail + text).split('\n');
      this.stderrTail = lines.pop() ?? '';
      for (const line of lines) {
        // Incremental semantics fit both protocols: eager clients revoke everything they hold.
        const r = this.parseRebalance(line);
        if (r?.kind === 'revoked') this.current = (this.current ?? []).filter((p) => !r.partitions.includes(p));
        else if (r?.kind === 'assigned') {
          this.current = [...new Set([...(this.current ?? []), ...r.partitions])].sort((a, b) => a - b);
          this.count++;
        }
      }
    });
  }

  assignment(): number[] | undefined {
    return this.current;
  }

  assignments(): number {
    return this.count;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), sleep(backgroundScheduler, 20_000).then(() => false)]);
    if (!done) {
      this.child.kill('SIGKILL');
      await this.exited;
      throw new Error(`${this.name} did not stop within 20 s after SIGTERM; ${this.diagnostics()}`);
    }
  }

  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  diagnostics(): string {
    return `${this.name}: alive=${this.alive} assignment=${JSON.stringify(this.current)} records=${this.records.length} stderr tail: ${this.stderrLog.slice(-3000)}`;
  }
}

const KCAT_REBALANCE = /rebalanced \(memberid [^)]*\): (assigned|revoked): ?(.*)$/;
const KCAT_INCREMENTAL = /rebalanced: incremental (assignment|revoke) of \d+ partition\(s\) \([^)]*\): ?(.*)$/;

interface RebalanceEvent {
  kind: 'assigned' | 'revoked';
  partitions: number[];
}

function parseKcatRebalance(line: string): RebalanceEvent | undefined {
  const eager = KCAT_REBALANCE.exec(line);
  const coop = eager === null ? KCAT_INCREMENTAL.exec(line) : null;
  const m = eager ?? coop;
  if (m === null) return undefined;
  const kind = m[1] === 'assigned' || m[1] === 'assignment' ? 'assigned' : 'revoked';
  return { kind, partitions: [...m[2]!.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1])) };
}

export interface ChildMemberOptions {
  bootstrap: string;
  groupId: string;
  topic: string;
  name: string;
  /** Extra librdkafka properties (-X k=v). */
  properties?: Record<string, string | number>;
}

/**
 * A kcat -G member: auto commit, earliest reset, 300 ms heartbeats. kcat's `-X
 * auto.commit.interval.ms` lands in librdkafka's (deprecated) topic config, so the consumer
 * keeps its 5 s default commit interval: callers wait for commits with waitCommittedToEnd.
 */
export function kcatMember(o: ChildMemberOptions): GroupMember {
  const props: Record<string, string | number> = {
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': 'true',
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 300,
    'client.id': o.name,
    ...o.properties,
  };
  const args = ['-b', o.bootstrap, '-G', o.groupId, '-u', '-f', '%p|%o|%s\\n'];
  for (const [k, v] of Object.entries(props)) args.push('-X', `${k}=${v}`);
  args.push(o.topic);
  const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new ChildMember(o.name, child, parseKcatRebalance);
}

function parsePythonRebalance(line: string): RebalanceEvent | undefined {
  const m = /^(ASSIGNED|REVOKED) ?(.*)$/.exec(line);
  if (m === null) return undefined;
  const list = m[2]!.trim();
  return { kind: m[1] === 'ASSIGNED' ? 'assigned' : 'revoked', partitions: list.length === 0 ? [] : list.split(',').map(Number) };
}

/** A kafka-python KafkaConsumer(group_id=…) member (Debian's python3-kafka, system python). */
export function pythonMember(o: ChildMemberOptions): GroupMember {
  const child = spawn(PYTHON, [PYTHON_MEMBER, o.bootstrap, o.groupId, o.topic, o.name], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  return new ChildMember(o.name, child, parsePythonRebalance);
}

export interface KafkaJsMemberOptions extends ChildMemberOptions {
  consumer?: Partial<Parameters<Kafka['consumer']>[0]>;
  /** No auto commit: consumer.commitOffsets() after every message. */
  manualCommit?: boolean;
}

class KafkaJsMember implements GroupMember {
  readonly records: ConsumedRecord[] = [];
  private current: number[] | undefined;
  private count = 0;
  private readonly errors: string[] = [];
  private stopped = false;

  constructor(
    readonly name: string,
    readonly consumer: Consumer,
  ) {
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const assigned = Object.values(e.payload.memberAssignment).flat();
      this.current = assigned.sort((a, b) => a - b);
      this.count++;
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.errors.push(`crash: ${e.payload.error.message}`);
    });
  }

  assignment(): number[] | undefined {
    return this.current;
  }

  assignments(): number {
    return this.count;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.consumer.disconnect();
  }

  kill(): Promise<void> {
    return this.stop();
  }

  diagnostics(): string {
    return `${this.name}: assignment=${JSON.stringify(this.current)} records=${this.records.length} errors=${this.errors.join('; ')}`;
  }
}

/** A KafkaJS consumer in this process, running eachMessage with auto commit every 200 ms. */
export async function kafkajsMember(o: KafkaJsMemberOptions): Promise<GroupMember> {
  const kafka = new Kafka({ clientId: o.name, brokers: o.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
  const consumer = kafka.consumer({ groupId: o.groupId, sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 200, rebalanceTimeout: 20_000, ...o.consumer });
  const member = new KafkaJsMember(o.name, consumer);
  await consumer.connect();
  await consumer.subscribe({ topic: o.topic, fromBeginning: true });
  await consumer.run({
    autoCommit: o.manualCommit !== true,
    autoCommitInterval: 200,
    eachMessage: async ({ topic, partition, message }) => {
      member.records.push({ member: o.name, partition, offset: Number(message.offset), value: message.value?.toString() ?? '' });
      if (o.manualCommit === true) await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
    },
  });
  return member;
}

/** Waits until the given members hold disjoint assignments covering exactly `partitions`, with sizes differing by at most one. */
export async function waitForBalanced(members: GroupMember[], partitions: number, timeoutMs = 30_000): Promise<number[][]> {
  return waitFor(
    () => {
      const sets = members.map((m) => m.assignment());
      if (sets.some((s) => s === undefined)) return false;
      const all = sets.flatMap((s) => s!);
      if (all.length !== partitions || new Set(all).size !== partitions) return false;
      const sizes = sets.map((s) => s!.length);
      if (Math.max(...sizes) - Math.min(...sizes) > 1) return false;
      return sets as number[][];
    },
    `${members.length} members to split ${partitions} partitions; now ${members.map((m) => `${m.name}=${JSON.stringify(m.assignment())}`).join(' ')}`,
    { timeoutMs, intervalMs: 50 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${members.map((m) => m.diagnostics()).join('\n')}`);
  });
}

/** Stops every member, cleanly when possible; never throws. */
export async function stopAll(members: GroupMember[]): Promise<void> {
  await Promise.all(members.map((m) => m.stop().catch(() => m.kill().catch(() => undefined))));
}
