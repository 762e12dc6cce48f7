/**
 * Partition leader election strategies (Kafka's Election.scala / PartitionLeaderElectionAlgorithms)
 * as pure functions over (assignment, isr, live brokers). Each returns the new leader and ISR, or
 * null when no eligible leader exists; recipients of the resulting LeaderAndIsr are chosen by the
 * controller (see README).
 */
export interface ElectionResult {
  readonly leader: number;
  readonly isr: readonly number[];
  /** True when the leader was not in the ISR (data loss possible). */
  readonly unclean: boolean;
}

/**
 * Broker died or partition was offline: the first replica in assignment order that is live and
 * in the ISR; else, only if unclean election is allowed, the first live replica. The new ISR is
 * the live part of the old ISR, or just the unclean leader.
 */
export function offlinePartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  live: ReadonlySet<number>,
  uncleanLeaderElectionEnabled: boolean,
): ElectionResult | null {
  const clean = assignment.find((r) => live.has(r) && isr.includes(r));
  if (clean !== undefined) return { leader: clean, isr: isr.filter((r) => live.has(r)), unclean: false };
  if (!uncleanLeaderElectionEnabled) return null;
  const unclean = assignment.find((r) => live.has(r));
  return unclean === undefined ? null : { leader: unclean, isr: [unclean], unclean: true };
}

/** Reassignment: the first TARGET replica that is live and in the ISR; ISR unchanged. */
export function reassignPartitionLeaderElection(
  targetReplicas: readonly number[],
  isr: readonly number[],
  live: ReadonlySet<number>,
): ElectionResult | null {
  const leader = targetReplicas.find((r) => live.has(r) && isr.includes(r));
  return leader === undefined ? null : { leader, isr: [...isr], unclean: false };
}

/** Preferred replica: only the head of the assignment, if live and in the ISR; ISR unchanged. */
export function preferredReplicaPartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  live: ReadonlySet<number>,
): ElectionResult | null {
  const preferred = assignment[0];
  if (preferred === undefined || !live.has(preferred) || !isr.includes(preferred)) return null;
  return { leader: preferred, isr: [...isr], unclean: false };
}

/**
 * Controlled shutdown: the first replica in assignment order that is live (shutting-down brokers
 * count as live here), in the ISR and NOT shutting down; the shutting-down brokers leave the ISR.
 */
export function controlledShutdownPartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  live: ReadonlySet<number>,
  shuttingDown: ReadonlySet<number>,
): ElectionResult | null {
  const leader = assignment.find((r) => live.has(r) && isr.includes(r) && !shuttingDown.has(r));
  if (leader === undefined) return null;
  return { leader, isr: isr.filter((r) => !shuttingDown.has(r)), unclean: false };
}

/**
 * ISR shrink when replicas go offline (RSM.doRemoveReplicasFromIsr): drop them, but never empty
 * the ISR; the last member stays so that a later clean election is possible. A leader that
 * leaves becomes -1 (no leader).
 */
export function removeReplicasFromIsr(
  leader: number,
  isr: readonly number[],
  removed: ReadonlySet<number>,
): { leader: number; isr: readonly number[] } {
  const remaining = isr.filter((r) => !removed.has(r));
  const newIsr = remaining.length > 0 ? remaining : isr.length > 0 ? [isr[0]!] : [];
  const newLeader = removed.has(leader) ? -1 : leader;
  return { leader: newLeader, isr: newIsr };
}
