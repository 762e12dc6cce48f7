/**
 * The `log_dirs` of a reassignment plan (Kafka's kafka-reassign-partitions.sh): per replica, the
 * log directory of its broker it should live in, or "any". Needs --bootstrap-server: the moves are
 * AlterReplicaLogDirs requests to each broker, sent once before the reassignment is written (a
 * replica not hosted yet answers REPLICA_NOT_AVAILABLE and the broker creates it in that
 * directory) and again after, until every replica answered or --timeout passed.
 */
import { resolve } from 'node:path';
import { sleep, systemScheduler } from '../../common/index.js';
import type { Admin, ReplicaLogDirMove } from '../../client/index.js';
import type { PartitionReassignment } from '../../coordination/index.js';
import { out, ToolError } from './common.js';

const REPLICA_NOT_AVAILABLE = 9;
const RETRY_MS = 500;

/** One replica's wanted directory. */
export interface ReplicaDir {
  readonly topic: string;
  readonly partition: number;
  readonly broker: number;
  readonly logDir: string;
}

/** The replicas with a directory other than "any"; `raw` is the plan's partitions array. */
export function replicaDirs(raw: readonly { log_dirs?: unknown }[], plan: readonly PartitionReassignment[]): ReplicaDir[] {
  const dirs: ReplicaDir[] = [];
  plan.forEach((p, i) => {
    const ld = raw[i]?.log_dirs;
    if (ld === undefined) return;
    if (!Array.isArray(ld) || ld.length !== p.replicas.length || !ld.every((d) => typeof d === 'string' && d !== '')) {
      throw new ToolError(`log_dirs of ${p.topic}-${p.partition} must list one directory (or "any") per replica`);
    }
    ld.forEach((d: string, r) => {
      if (d !== 'any') dirs.push({ topic: p.topic, partition: p.partition, broker: p.replicas[r]!, logDir: d });
    });
  });
  return dirs;
}

const name = (d: ReplicaDir) => `${d.topic}-${d.partition}-${d.broker}`;

async function alterOnce(admin: Admin, dirs: readonly ReplicaDir[]): Promise<ReplicaDir[]> {
  const pending: ReplicaDir[] = [];
  for (const broker of new Set(dirs.map((d) => d.broker))) {
    const mine = dirs.filter((d) => d.broker === broker);
    const moves: ReplicaLogDirMove[] = mine.map((d) => ({ topic: d.topic, partition: d.partition, logDir: d.logDir }));
    const codes = await admin.alterReplicaLogDirs(broker, moves);
    for (const d of mine) {
      const code = codes.get(`${d.topic}-${d.partition}`) ?? REPLICA_NOT_AVAILABLE;
      if (code === REPLICA_NOT_AVAILABLE) pending.push(d);
      else if (code !== 0) throw new ToolError(`broker ${d.broker} refused to move ${d.topic}-${d.partition} to ${d.logDir} (error code ${code})`);
    }
  }
  return pending;
}

/** Before the reassignment is written: brokers remember the directory of replicas they will create. */
export async function preferLogDirs(admin: Admin, dirs: readonly ReplicaDir[]): Promise<void> {
  await alterOnce(admin, dirs);
}

/** After it: every replica's move has started, or ToolError at the timeout. */
export async function startLogDirMoves(admin: Admin, dirs: readonly ReplicaDir[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = await alterOnce(admin, dirs);
  while (pending.length > 0) {
    if (Date.now() >= deadline) throw new ToolError(`replicas ${pending.map(name).join(',')} did not appear on their brokers within ${timeoutMs} ms; run --execute again once they do`);
    await sleep(systemScheduler, RETRY_MS);
    pending = await alterOnce(admin, pending);
  }
  out(`Successfully started log directory move${dirs.length === 1 ? '' : 's'} for: ${dirs.map(name).join(',')}`);
}

/** --verify: each replica completed (in its directory, not future), in progress, or missing. Returns how many are not completed. */
export async function verifyLogDirs(admin: Admin, dirs: readonly ReplicaDir[]): Promise<number> {
  let notDone = 0;
  for (const broker of new Set(dirs.map((d) => d.broker))) {
    const described = await admin.describeLogDirs(broker);
    for (const d of dirs.filter((x) => x.broker === broker)) {
      const here = described.find((x) => resolve(x.logDir) === resolve(d.logDir))?.replicas.filter((r) => r.topic === d.topic && r.partition === d.partition) ?? [];
      if (here.some((r) => !r.isFuture)) {
        out(`Reassignment of replica ${name(d)} completed.`);
        continue;
      }
      notDone++;
      if (here.some((r) => r.isFuture)) out(`Reassignment of replica ${name(d)} is still in progress.`);
      else out(`Reassignment of replica ${name(d)} is not in ${d.logDir} on broker ${broker}.`);
    }
  }
  return notDone;
}
