/**
 * The data invariants of a failover run, checked against what was read back from the logs:
 * nothing acknowledged is lost, an acknowledged record sits at the offset it was acknowledged
 * with, no offset holds two records, real-time order is kept within a partition, and idempotent
 * producers leave no duplicates.
 */
import { tpKey } from '../../../common/index.js';
import type { CheckOptions, History, ProducedRecord, ReadRecord, Violation, ViolationKind } from './types.js';

export interface DataFindings {
  readonly violations: Violation[];
  readonly lostAll: number;
  readonly lostLeader: number;
  readonly duplicates: number;
  readonly foreign: number;
}

/** offset → ids read there, per partition; reads of the same record by several readers collapse. */
function readsByPartition(read: readonly ReadRecord[]): Map<string, Map<bigint, Set<string>>> {
  const out = new Map<string, Map<bigint, Set<string>>>();
  for (const r of read) {
    const k = tpKey(r.topic, r.partition);
    let offsets = out.get(k);
    if (offsets === undefined) out.set(k, (offsets = new Map()));
    let ids = offsets.get(r.offset);
    if (ids === undefined) offsets.set(r.offset, (ids = new Set()));
    ids.add(r.id);
  }
  return out;
}

export function checkData(h: History, options: CheckOptions = {}): DataFindings {
  const violations: Violation[] = [];
  const add = (kind: ViolationKind, detail: string): void => {
    violations.push({ kind, detail });
  };
  const produced = new Map<string, ProducedRecord>();
  for (const p of h.produced) produced.set(p.id, p);

  const logs = readsByPartition(h.read);
  // Where each id was found: "tp" → id → offsets.
  const locations = new Map<string, bigint[]>();
  let foreign = 0;
  for (const [tp, offsets] of logs) {
    for (const [offset, ids] of offsets) {
      if (ids.size > 1 && !options.lossAllowed) add('offset-two-records', `${tp} offset ${offset} was read as ${[...ids].join(' and ')}`);
      for (const id of ids) {
        const p = produced.get(id);
        if (p === undefined) {
          foreign++;
          continue;
        }
        const key = `${tp}\u0000${id}`;
        const list = locations.get(key) ?? [];
        list.push(offset);
        locations.set(key, list);
      }
    }
  }

  let lostAll = 0;
  let lostLeader = 0;
  for (const p of h.produced) {
    if (p.outcome !== 'acked') continue;
    const found = locations.get(`${tpKey(p.topic, p.partition)}\u0000${p.id}`);
    if (found === undefined) {
      if (p.acks === -1 && p.minIsrSatisfied !== false) {
        lostAll++;
        if (!options.lossAllowed) add('lost-acknowledged', `${p.id} (acks=all, ${tpKey(p.topic, p.partition)} offset ${p.offset}) acknowledged but not in the log`);
      } else if (p.acks === 1) {
        lostLeader++;
        if (options.leaderAcksDurable && !options.lossAllowed) add('lost-acknowledged', `${p.id} (acks=1, ${tpKey(p.topic, p.partition)} offset ${p.offset}) acknowledged but not in the log`);
      }
      continue;
    }
    if (p.offset !== undefined && p.offset >= 0n && !found.includes(p.offset) && !options.lossAllowed) {
      add('offset-mismatch', `${p.id} acknowledged at ${tpKey(p.topic, p.partition)} offset ${p.offset} but found at ${found.join(',')}`);
    }
  }

  let duplicates = 0;
  for (const [key, offsets] of locations) {
    if (offsets.length < 2) continue;
    duplicates++;
    const id = key.slice(key.indexOf('\u0000') + 1);
    if (produced.get(id)?.idempotent) add('idempotent-duplicate', `${id} from an idempotent producer is in the log ${offsets.length} times (offsets ${offsets.join(',')})`);
  }

  for (const [tp, offsets] of logs) checkOrder(tp, offsets, produced, add);
  return { violations, lostAll, lostLeader, duplicates, foreign };
}

/**
 * Real-time order: if B was acknowledged before A was sent, B must sit below A in the log.
 * Walking the log from the end with the smallest acknowledgement time seen so far finds any
 * such pair in one pass.
 */
function checkOrder(
  tp: string,
  offsets: Map<bigint, Set<string>>,
  produced: Map<string, ProducedRecord>,
  add: (kind: ViolationKind, detail: string) => void,
): void {
  const ordered = [...offsets.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let minAckAfter = Number.POSITIVE_INFINITY;
  let minAckId = '';
  for (let i = ordered.length - 1; i >= 0; i--) {
    const [offset, ids] = ordered[i]!;
    for (const id of ids) {
      const p = produced.get(id);
      if (p === undefined) continue;
      if (minAckAfter < p.sentAt) {
        add('order', `${tp}: ${minAckId} was acknowledged before ${id} was sent, yet sits after it (offset ${offset})`);
      }
    }
    for (const id of ids) {
      const p = produced.get(id);
      if (p?.outcome === 'acked' && p.answeredAt < minAckAfter) {
        minAckAfter = p.answeredAt;
        minAckId = id;
      }
    }
  }
}
