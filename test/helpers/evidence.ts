/**
 * Keeps what a failing loop or soak run leaves behind, in one folder, before the cluster's temporary
 * directories are removed: the error, the history (JSON, bigints as strings), each broker's log
 * and its state-change lines, copies of the raw log files (broker.out and the ones the start
 * script rotated) and any named extras (a fault list, a client log). Used by the bench loops
 * (groups-failover-loop, failover-soak) so every runner keeps the same layout.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface BrokerEvidence {
  brokerId: number;
  /** The broker's log over the run (text). */
  log: string;
  /** Raw files to copy as they are into `broker-<id>/` (missing ones are skipped). */
  files?: readonly string[];
}

export interface Evidence {
  error: string;
  /** Anything JSON-able: the run's history with its context. */
  history: unknown;
  brokers: readonly BrokerEvidence[];
  /** More files, by name: text is written as is, anything else as JSON. */
  extra?: Record<string, unknown>;
}

/** JSON with bigints as strings (histories hold offsets and producer ids as bigints). */
export function evidenceJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 1);
}

/** The state-change lines of a broker's log (the JSON lines of the "state-change" module). */
export function stateChangeLines(log: string): string {
  return log.split('\n').filter((l) => l.includes('"module":"state-change"')).join('\n') + '\n';
}

/** `file` and the rotated copies next to it (`file.1` … `file.N`, Kafka's and the start script's scheme). */
export function withRotated(file: string): string[] {
  const dir = join(file, '..');
  if (!existsSync(dir)) return [];
  const name = basename(file);
  return readdirSync(dir)
    .filter((f) => f === name || (f.startsWith(`${name}.`) && /^\d+$|^archive$/.test(f.slice(name.length + 1))))
    .sort()
    .map((f) => join(dir, f));
}

/** Writes the evidence into `dir` (created) and returns `dir`. */
export function keepEvidence(dir: string, e: Evidence): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'error.txt'), `${e.error}\n`);
  writeFileSync(join(dir, 'history.json'), evidenceJson(e.history));
  for (const b of e.brokers) {
    writeFileSync(join(dir, `broker-${b.brokerId}.log`), b.log);
    writeFileSync(join(dir, `broker-${b.brokerId}.state-change.log`), stateChangeLines(b.log));
    const files = (b.files ?? []).filter((f) => existsSync(f));
    if (files.length === 0) continue;
    const raw = join(dir, `broker-${b.brokerId}`);
    mkdirSync(raw, { recursive: true });
    for (const f of files) copyFileSync(f, join(raw, basename(f)));
  }
  for (const [name, content] of Object.entries(e.extra ?? {})) writeFileSync(join(dir, name), typeof content === 'string' ? content : evidenceJson(content));
  return dir;
}
