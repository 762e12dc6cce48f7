/**
 * Replica assignment for new topics and partitions (Kafka's AdminUtils.assignReplicasToBrokers):
 * leaders spread round-robin from a start index, followers shifted so that replicas of
 * consecutive partitions land on different broker pairs; rack-aware when every broker has a rack
 * (brokers interleaved by rack; a partition's replicas take distinct racks while possible).
 * Pure: the random start index and shift are parameters.
 */
import { BrokerError } from '../errors.js';

export interface BrokerRack {
  readonly id: number;
  readonly rack: string | null;
}

export class AssignmentError extends BrokerError<'BRK_INVALID_PARTITIONS' | 'BRK_INVALID_REPLICATION_FACTOR' | 'BRK_INVALID_REPLICA_ASSIGNMENT'> {
  override readonly name = 'AssignmentError';
}

export interface AssignOptions {
  /** Index of the first partition's leader in the broker list; random in Kafka. */
  startIndex?: number;
  /** Initial follower shift; random in Kafka. */
  replicaShift?: number;
  /** First new partition id (adding partitions to an existing topic). */
  startPartitionId?: number;
}

function replicaIndex(firstReplicaIndex: number, secondReplicaShift: number, replicaIndexInList: number, nBrokers: number): number {
  const shift = 1 + ((secondReplicaShift + replicaIndexInList) % (nBrokers - 1));
  return (firstReplicaIndex + shift) % nBrokers;
}

export function assignReplicas(
  brokers: readonly BrokerRack[],
  numPartitions: number,
  replicationFactor: number,
  options: AssignOptions = {},
): Map<number, number[]> {
  if (numPartitions <= 0) throw new AssignmentError('BRK_INVALID_PARTITIONS', `number of partitions must be larger than 0 (got ${numPartitions})`);
  if (replicationFactor <= 0) throw new AssignmentError('BRK_INVALID_REPLICATION_FACTOR', `replication factor must be larger than 0 (got ${replicationFactor})`);
  if (replicationFactor > brokers.length) {
    throw new AssignmentError(
      'BRK_INVALID_REPLICATION_FACTOR',
      `replication factor: ${replicationFactor} larger than available brokers: ${brokers.length}`,
    );
  }
  const sorted = [...brokers].sort((a, b) => a.id - b.id);
  const racks = sorted.every((b) => b.rack !== null);
  const n = sorted.length;
  const start = options.startIndex ?? Math.floor(Math.random() * n);
  const shift0 = options.replicaShift ?? Math.floor(Math.random() * n);
  const firstPartition = options.startPartitionId ?? 0;
  return racks
    ? assignRackAware(sorted, numPartitions, replicationFactor, start, shift0, firstPartition)
    : assignRackUnaware(sorted.map((b) => b.id), numPartitions, replicationFactor, start, shift0, firstPartition);
}

function assignRackUnaware(ids: number[], numPartitions: number, rf: number, start: number, shift0: number, firstPartition: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  const n = ids.length;
  let currentPartitionId = Math.max(0, firstPartition);
  let nextReplicaShift = shift0;
  for (let i = 0; i < numPartitions; i++) {
    if (currentPartitionId > 0 && currentPartitionId % n === 0) nextReplicaShift++;
    const first = (currentPartitionId + start) % n;
    const replicas = [ids[first]!];
    for (let j = 0; j < rf - 1; j++) replicas.push(ids[replicaIndex(first, nextReplicaShift, j, n)]!);
    out.set(currentPartitionId, replicas);
    currentPartitionId++;
  }
  return out;
}

/** Brokers ordered rack by rack in turn: r1b1, r2b1, r3b1, r1b2, … */
export function rackAlternatedBrokers(brokers: readonly BrokerRack[]): number[] {
  const byRack = new Map<string, number[]>();
  for (const b of [...brokers].sort((x, y) => x.id - y.id)) {
    const list = byRack.get(b.rack ?? '') ?? [];
    list.push(b.id);
    byRack.set(b.rack ?? '', list);
  }
  const rackNames = [...byRack.keys()].sort();
  const out: number[] = [];
  for (let round = 0; out.length < brokers.length; round++) {
    for (const r of rackNames) {
      const id = byRack.get(r)![round];
      if (id !== undefined) out.push(id);
    }
  }
  return out;
}

function assignRackAware(
  brokers: readonly BrokerRack[],
  numPartitions: number,
  rf: number,
  start: number,
  shift0: number,
  firstPartition: number,
): Map<number, number[]> {
  const rackOf = new Map(brokers.map((b) => [b.id, b.rack ?? '']));
  const arranged = rackAlternatedBrokers(brokers);
  const n = arranged.length;
  const numRacks = new Set(rackOf.values()).size;
  const out = new Map<number, number[]>();
  let currentPartitionId = Math.max(0, firstPartition);
  let nextReplicaShift = shift0;
  for (let i = 0; i < numPartitions; i++) {
    if (currentPartitionId > 0 && currentPartitionId % n === 0) nextReplicaShift++;
    const first = (currentPartitionId + start) % n;
    const leader = arranged[first]!;
    const replicas = [leader];
    const racksWith = new Set([rackOf.get(leader)!]);
    const brokersWith = new Set([leader]);
    let k = 0;
    for (let j = 0; j < rf - 1; j++) {
      // Bounded: after 2n candidates fall back to any broker not yet used.
      let placed = false;
      for (let tries = 0; tries < 2 * n && !placed; tries++) {
        const broker = arranged[replicaIndex(first, nextReplicaShift * numRacks, k, n)]!;
        const rack = rackOf.get(broker)!;
        k++;
        if ((!racksWith.has(rack) || racksWith.size === numRacks) && !brokersWith.has(broker)) {
          replicas.push(broker);
          racksWith.add(rack);
          brokersWith.add(broker);
          placed = true;
        }
      }
      if (!placed) {
        const any = arranged.find((b) => !brokersWith.has(b))!;
        replicas.push(any);
        brokersWith.add(any);
        racksWith.add(rackOf.get(any)!);
      }
    }
    out.set(currentPartitionId, replicas);
    currentPartitionId++;
  }
  return out;
}

/** Checks a user-given assignment: same size per partition, distinct live-or-known brokers. */
export function validateManualAssignment(
  assignment: ReadonlyMap<number, readonly number[]>,
  knownBrokers: ReadonlySet<number>,
  expectedFirstPartition = 0,
): void {
  const ids = [...assignment.keys()].sort((a, b) => a - b);
  if (ids.length === 0) throw new AssignmentError('BRK_INVALID_REPLICA_ASSIGNMENT', 'the replica assignment is empty');
  ids.forEach((p, i) => {
    if (p !== expectedFirstPartition + i) {
      throw new AssignmentError('BRK_INVALID_REPLICA_ASSIGNMENT', `partitions should be a consecutive 0-based integer sequence; got ${ids.join(',')}`);
    }
  });
  const rf = assignment.get(ids[0]!)!.length;
  for (const [p, replicas] of assignment) {
    if (replicas.length === 0) throw new AssignmentError('BRK_INVALID_REPLICA_ASSIGNMENT', `partition ${p} has no replicas`);
    if (replicas.length !== rf) throw new AssignmentError('BRK_INVALID_REPLICA_ASSIGNMENT', `partition ${p} has ${replicas.length} replicas, partition ${ids[0]} has ${rf}`);
    if (new Set(replicas).size !== replicas.length) throw new AssignmentError('BRK_INVALID_REPLICA_ASSIGNMENT', `partition ${p} lists a broker twice: ${replicas.join(',')}`);
    const unknown = replicas.filter((r) => !knownBrokers.has(r));
    if (unknown.length > 0) throw new AssignmentError('BRK_INVALID_REPLICA_ASSIGNMENT', `partition ${p} is assigned to unknown broker(s) ${unknown.join(',')}`);
  }
}
