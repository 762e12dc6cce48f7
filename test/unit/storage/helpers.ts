/** Shared fixtures for storage tests: batches built with the protocol encoder, a fake clock, quiet logs. */
import { pino } from 'pino';
import { decodeRecordBatch, encodeRecordBatch, iterateBatches, type CompressionType, type RecordInput } from '../../../protocol/index.js';
import { PartitionLog, type Clock, type PartitionLogOptions, type ScheduledTask, type Scheduler } from '../../../storage/index.js';
import { tmpDir } from '../../helpers/tmp.js';

export const quiet = pino({ level: 'silent' });

export class FakeClock implements Clock {
  constructor(public ms = 1_700_000_000_000) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Runs scheduled work only when the test says so. */
export class ManualScheduler implements Scheduler {
  readonly once: { name: string; task: () => Promise<void> | void; dueMs: number; cancelled: boolean }[] = [];
  readonly periodic: { name: string; task: () => Promise<void> | void; periodMs: number; cancelled: boolean }[] = [];
  constructor(private readonly clock: FakeClock) {}
  schedulePeriodic(name: string, task: () => Promise<void> | void, periodMs: number): ScheduledTask {
    const t = { name, task, periodMs, cancelled: false };
    this.periodic.push(t);
    return { cancel: () => void (t.cancelled = true) };
  }
  scheduleOnce(name: string, task: () => Promise<void> | void, delayMs: number): ScheduledTask {
    const t = { name, task, dueMs: this.clock.now() + delayMs, cancelled: false };
    this.once.push(t);
    return { cancel: () => void (t.cancelled = true) };
  }
  /** Runs one-shot tasks that are due. */
  async runDue(): Promise<number> {
    const due = this.once.filter((t) => !t.cancelled && t.dueMs <= this.clock.now());
    for (const t of due) {
      t.cancelled = true;
      await t.task();
    }
    return due.length;
  }
  async runPeriodic(name: string): Promise<void> {
    for (const t of this.periodic.filter((p) => p.name === name && !p.cancelled)) await t.task();
  }
}

export interface BatchSpec {
  count?: number;
  valueSize?: number;
  timestamp?: bigint;
  keys?: (string | null)[];
  values?: (string | null)[];
  prefix?: string;
  compression?: CompressionType;
}

/** One producer-style batch (baseOffset 0, epoch -1). */
export function batch(spec: BatchSpec = {}): Buffer {
  const n = spec.keys?.length ?? spec.values?.length ?? spec.count ?? 1;
  const ts = spec.timestamp ?? 1_700_000_000_000n;
  const records: RecordInput[] = [];
  for (let i = 0; i < n; i++) {
    const key = spec.keys ? spec.keys[i] : undefined;
    const value = spec.values ? spec.values[i] : `${spec.prefix ?? 'v'}-${i}-`.padEnd(spec.valueSize ?? 10, 'x');
    records.push({ key: key === undefined || key === null ? null : Buffer.from(key), value: value === null || value === undefined ? null : Buffer.from(value), timestamp: ts + BigInt(i) });
  }
  return encodeRecordBatch(records, { compression: spec.compression });
}

export interface ReadRecord {
  offset: bigint;
  timestamp: bigint;
  key: string | null;
  value: string | null;
  leaderEpoch: number;
}

/** Decodes every record in a run of batches. */
export function records(buf: Buffer): ReadRecord[] {
  const out: ReadRecord[] = [];
  for (const b of iterateBatches(buf)) {
    const { header, records: recs } = decodeRecordBatch(buf, b.start);
    for (const r of recs) {
      out.push({ offset: r.offset, timestamp: r.timestamp, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, leaderEpoch: header.partitionLeaderEpoch });
    }
  }
  return out;
}

/** Reads the whole log from logStartOffset through repeated fetches. */
export async function readAll(log: PartitionLog, maxBytes = 64 * 1024): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  let offset = log.logStartOffset;
  for (let i = 0; i < 100_000 && offset < log.logEndOffset; i++) {
    const r = await log.read(offset, maxBytes);
    if (r.nextOffset === undefined) break;
    out.push(...records(r.records).filter((x) => x.offset >= offset));
    offset = r.nextOffset;
  }
  return out;
}

export async function openLog(o: Partial<PartitionLogOptions> & { clock?: FakeClock } = {}): Promise<PartitionLog> {
  return PartitionLog.open({ dir: o.dir ?? `${tmpDir('samsa-log-')}/t-0`, topic: 't', partition: 0, logger: quiet, ...o, config: { fileDeleteDelayMs: 0, ...o.config } });
}
