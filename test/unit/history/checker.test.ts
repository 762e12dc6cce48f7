import { expect } from 'chai';
import {
  checkHistory,
  formatVerdict,
  parseControllerActions,
  type History,
  type ProducedRecord,
  type ReadRecord,
} from '../../helpers/history/index.js';

function sent(id: string, o: Partial<ProducedRecord> & { offset?: bigint; at?: number }): ProducedRecord {
  const at = o.at ?? 0;
  return {
    id,
    producer: o.producer ?? 'p1',
    topic: o.topic ?? 't',
    partition: o.partition ?? 0,
    acks: o.acks ?? -1,
    idempotent: o.idempotent ?? false,
    sentAt: o.sentAt ?? at,
    answeredAt: o.answeredAt ?? at + 1,
    outcome: o.outcome ?? 'acked',
    offset: o.offset,
    minIsrSatisfied: o.minIsrSatisfied,
  };
}

function read(id: string, offset: bigint, partition = 0, reader = 'final'): ReadRecord {
  return { topic: 't', partition, offset, id, reader, at: 1000 };
}

function history(h: Partial<History>): History {
  return { produced: [], read: [], commits: [], controller: [], faults: [], ...h };
}

describe('history checker', () => {
  it('passes a clean history and prints a one-line report', () => {
    const h = history({
      produced: [sent('a', { offset: 0n, at: 0 }), sent('b', { offset: 1n, at: 10 }), sent('c', { outcome: 'failed', at: 20 })],
      read: [read('a', 0n), read('b', 1n)],
    });
    const v = checkHistory(h);
    expect(v.ok).to.equal(true);
    expect(v.stats).to.include({ sent: 3, acked: 2, failed: 1, read: 2, lostAll: 0, duplicates: 0 });
    expect(formatVerdict('s', 'kill -9 leader', v)).to.match(/^\[s\] fault: kill -9 leader \| unavailable: n\/a \| verdict: OK \(2\/3 acked/);
  });

  it('flags an acknowledged acks=all record missing from the log, unless loss is allowed', () => {
    const h = history({ produced: [sent('a', { offset: 0n }), sent('b', { offset: 1n, at: 5 })], read: [read('a', 0n)] });
    const v = checkHistory(h);
    expect(v.ok).to.equal(false);
    expect(v.counts['lost-acknowledged']).to.equal(1);
    expect(v.violations[0]!.detail).to.include('b (acks=all');
    const allowed = checkHistory(h, { lossAllowed: true });
    expect(allowed.ok).to.equal(true);
    expect(allowed.stats.lostAll).to.equal(1);
    expect(formatVerdict('u', 'unclean', allowed)).to.include('LOST acks=all 1');
  });

  it('reports acks=1 losses without failing, and fails them when the scenario says they are durable', () => {
    const h = history({ produced: [sent('a', { acks: 1, offset: 0n })], read: [] });
    expect(checkHistory(h).ok).to.equal(true);
    expect(checkHistory(h).stats.lostLeader).to.equal(1);
    expect(checkHistory(h, { leaderAcksDurable: true }).counts['lost-acknowledged']).to.equal(1);
  });

  it('does not count a record acknowledged below min ISR as lost', () => {
    const h = history({ produced: [sent('a', { offset: 0n, minIsrSatisfied: false })], read: [] });
    expect(checkHistory(h).ok).to.equal(true);
  });

  it('tolerates failed sends appearing or not', () => {
    const h = history({ produced: [sent('a', { outcome: 'failed' }), sent('b', { outcome: 'failed' })], read: [read('a', 0n)] });
    expect(checkHistory(h).ok).to.equal(true);
  });

  it('flags an offset read as two different records (divergent logs)', () => {
    const h = history({ produced: [sent('a', { offset: 0n }), sent('b', { outcome: 'failed' })], read: [read('a', 0n, 0, 'consumer'), read('b', 0n, 0, 'final')] });
    const v = checkHistory(h);
    expect(v.counts['offset-two-records']).to.equal(1);
  });

  it('flags a record found at another offset than the one acknowledged', () => {
    const h = history({ produced: [sent('a', { offset: 3n })], read: [read('a', 0n)] });
    expect(checkHistory(h).counts['offset-mismatch']).to.equal(1);
  });

  it('flags a real-time order inversion within a partition but not across partitions', () => {
    // b was acknowledged (t=11) before c was sent (t=20), yet c sits below b.
    const produced = [sent('b', { at: 10, offset: 1n }), sent('c', { at: 20, offset: 0n }), sent('x', { at: 30, partition: 1, offset: 0n })];
    const v = checkHistory(history({ produced, read: [read('c', 0n), read('b', 1n), read('x', 0n, 1)] }));
    expect(v.counts.order).to.equal(1);
    expect(v.counts['offset-mismatch']).to.equal(undefined);
    // Concurrent sends (neither acknowledged before the other was sent) may land in any order.
    const concurrent = [sent('b', { sentAt: 10, answeredAt: 30, offset: 1n }), sent('c', { sentAt: 20, answeredAt: 25, offset: 0n })];
    expect(checkHistory(history({ produced: concurrent, read: [read('c', 0n), read('b', 1n)] })).ok).to.equal(true);
  });

  it('counts duplicates from retries, and fails them for an idempotent producer', () => {
    const plain = history({ produced: [sent('a', { offset: 1n })], read: [read('a', 0n), read('a', 1n)] });
    expect(checkHistory(plain).ok).to.equal(true);
    expect(checkHistory(plain).stats.duplicates).to.equal(1);
    const idem = history({ produced: [sent('a', { offset: 1n, idempotent: true })], read: [read('a', 0n), read('a', 1n)] });
    expect(checkHistory(idem).counts['idempotent-duplicate']).to.equal(1);
  });

  it('collapses the same record read by several readers', () => {
    const h = history({ produced: [sent('a', { offset: 0n, idempotent: true })], read: [read('a', 0n, 0, 'consumer'), read('a', 0n, 0, 'final')] });
    expect(checkHistory(h).ok).to.equal(true);
  });

  it('flags a committed group offset moving backwards', () => {
    const c = (offset: bigint, at: number) => ({ group: 'g', topic: 't', partition: 0, offset, at });
    expect(checkHistory(history({ commits: [c(5n, 1), c(5n, 2), c(9n, 3)] })).ok).to.equal(true);
    const v = checkHistory(history({ commits: [c(5n, 1), c(9n, 2), c(7n, 3)] }));
    expect(v.counts['commit-backwards']).to.equal(1);
    expect(v.violations[0]!.detail).to.include('from 9 to 7');
  });

  it('flags two brokers acting as controller in one epoch, and epochs going backwards', () => {
    const a = (brokerId: number, controllerEpoch: number, at: number, kind: 'became-active' | 'action' = 'action') => ({ brokerId, loggedBy: brokerId, controllerEpoch, at, kind, msg: '' });
    expect(checkHistory(history({ controller: [a(1, 1, 0, 'became-active'), a(1, 1, 5), a(2, 2, 10, 'became-active'), a(1, 1, 12)] })).ok).to.equal(true);
    expect(checkHistory(history({ controller: [a(1, 3, 0), a(2, 3, 5)] })).counts['two-controllers-one-epoch']).to.equal(1);
    expect(checkHistory(history({ controller: [a(1, 4, 0, 'became-active'), a(2, 3, 5, 'became-active')] })).counts['controller-epoch-backwards']).to.equal(1);
  });

  it('caps the listed details but keeps exact counts', () => {
    const produced = Array.from({ length: 30 }, (_, i) => sent(`r${i}`, { at: i, offset: BigInt(i) }));
    const v = checkHistory(history({ produced }), { maxDetails: 3 });
    expect(v.counts['lost-acknowledged']).to.equal(30);
    expect(v.violations).to.have.length(3);
  });

  it('measures unavailability as the longest write gap around a fault, per affected partition', () => {
    const acked = (t: number, partition = 0) => sent(`w${t}-${partition}`, { at: t - 1, answeredAt: t, partition });
    const produced = [acked(100), acked(200), acked(1200), acked(1300), acked(100, 1), acked(2100, 1)];
    const v = checkHistory(history({ produced, faults: [{ name: 'kill', at: 250, healedAt: 900 }] }), { lossAllowed: true });
    // Partition 0: 200 → 1200; partition 1: 100 → 2100.
    // After the heal at 900: partition 0 writes at 1200, partition 1 at 2100 → 1200 ms.
    expect(v.unavailability).to.deep.equal([{ fault: 'kill', ms: 2000, recovered: true, afterHealMs: 1200 }]);
    const only0 = checkHistory(history({ produced, faults: [{ name: 'kill', at: 250, healedAt: 900, partitions: ['t-0'] }] }), { lossAllowed: true });
    expect(only0.unavailability[0]!.ms).to.equal(1000);
    const never = checkHistory(history({ produced, faults: [{ name: 'late', at: 1250, healedAt: 5000, partitions: ['t-0'] }] }), { lossAllowed: true });
    expect(never.unavailability[0]).to.include({ recovered: false });
  });

  it('reads controller actions out of pino state-change lines', () => {
    const lines = [
      JSON.stringify({ level: 30, time: '2026-01-01T00:00:00.000Z', brokerId: 2, module: 'state-change', controllerId: 2, controllerEpoch: 7, msg: 'controller failover: became active controller' }),
      JSON.stringify({ level: 30, time: '2026-01-01T00:00:01.000Z', brokerId: 2, module: 'state-change', controllerId: 2, controllerEpoch: 7, topic: 't', msg: 'partition state change' }),
      JSON.stringify({ level: 40, time: '2026-01-01T00:00:02.000Z', brokerId: 2, module: 'state-change', controllerEpoch: 7, zkControllerEpoch: 8, msg: 'partition state written by a newer controller' }),
      JSON.stringify({ level: 30, brokerId: 3, module: 'state-change', controllerId: 2, controllerEpoch: 7, msg: 'controller failover: became active controller' }),
      JSON.stringify({ level: 30, brokerId: 2, module: 'controller', controllerEpoch: 7, msg: 'other module' }),
      'not json "state-change" controllerEpoch',
    ].join('\n');
    const actions = parseControllerActions(lines);
    expect(actions.map((a) => [a.brokerId, a.loggedBy, a.controllerEpoch, a.kind])).to.deep.equal([
      [2, 2, 7, 'became-active'],
      [2, 2, 7, 'action'],
      [2, 3, 7, 'action'],
    ]);
    expect(actions[0]!.at).to.equal(Date.parse('2026-01-01T00:00:00.000Z'));
  });
});
