/**
 * Invariants outside the data: committed group offsets never move backwards, and at most one
 * broker acts as controller in any controller epoch, with epochs that only grow over time.
 */
import type { CommitObservation, ControllerAction, Violation } from './types.js';

export function checkCommits(commits: readonly CommitObservation[]): Violation[] {
  const out: Violation[] = [];
  const last = new Map<string, CommitObservation>();
  for (const c of [...commits].sort((a, b) => a.at - b.at)) {
    const k = `${c.group}/${c.topic}-${c.partition}`;
    const prev = last.get(k);
    if (prev !== undefined && c.offset < prev.offset) {
      out.push({ kind: 'commit-backwards', detail: `${k}: committed offset went from ${prev.offset} to ${c.offset}` });
    }
    if (prev === undefined || c.offset >= prev.offset) last.set(k, c);
  }
  return out;
}

export interface ControllerFindings {
  readonly violations: Violation[];
  readonly epochs: number;
}

export function checkControllers(actions: readonly ControllerAction[]): ControllerFindings {
  const violations: Violation[] = [];
  const byEpoch = new Map<number, Set<number>>();
  for (const a of actions) {
    const ids = byEpoch.get(a.controllerEpoch) ?? new Set<number>();
    ids.add(a.brokerId);
    byEpoch.set(a.controllerEpoch, ids);
  }
  for (const [epoch, ids] of byEpoch) {
    if (ids.size > 1) violations.push({ kind: 'two-controllers-one-epoch', detail: `brokers ${[...ids].sort().join(' and ')} both acted as controller in epoch ${epoch}` });
  }
  const activations = actions.filter((a) => a.kind === 'became-active').sort((a, b) => a.at - b.at);
  for (let i = 1; i < activations.length; i++) {
    const prev = activations[i - 1]!;
    const cur = activations[i]!;
    if (cur.controllerEpoch <= prev.controllerEpoch) {
      violations.push({
        kind: 'controller-epoch-backwards',
        detail: `broker ${cur.brokerId} became controller in epoch ${cur.controllerEpoch} after broker ${prev.brokerId} had in epoch ${prev.controllerEpoch}`,
      });
    }
  }
  return { violations, epochs: byEpoch.size };
}

/**
 * Controller actions out of broker log text (pino JSON lines). A line counts when it comes from
 * the state-change logger and names both a controllerId and a controllerEpoch: the controller's
 * own transitions and every broker's application of its requests, so two controllers accepted
 * in one epoch show up even when only the receivers logged it.
 */
export function parseControllerActions(logText: string): ControllerAction[] {
  const out: ControllerAction[] = [];
  for (const line of logText.split('\n')) {
    if (!line.includes('"state-change"') || !line.includes('controllerEpoch')) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const epoch = o['controllerEpoch'];
    const controllerId = o['controllerId'];
    // Lines about another controller (e.g. "written by a newer controller") carry no controllerId.
    if (o['module'] !== 'state-change' || typeof epoch !== 'number' || typeof controllerId !== 'number') continue;
    const loggedBy = typeof o['brokerId'] === 'number' ? o['brokerId'] : controllerId;
    const msg = typeof o['msg'] === 'string' ? o['msg'] : '';
    const own = loggedBy === controllerId;
    const kind = own && msg.startsWith('controller failover: became active') ? 'became-active' : own && msg.startsWith('resigned') ? 'resigned' : 'action';
    const time = typeof o['time'] === 'string' ? Date.parse(o['time']) : typeof o['time'] === 'number' ? o['time'] : Number.NaN;
    out.push({ brokerId: controllerId, loggedBy, controllerEpoch: epoch, at: Number.isFinite(time) ? time : 0, kind, msg });
  }
  return out;
}
