import { expect } from 'chai';
import { isValidPartitionTransition, isValidReplicaTransition, type PartitionState, type ReplicaState } from '../../../broker/controller/index.js';

describe('controller > state machine transitions (tables)', () => {
  const P: PartitionState[] = ['NonExistentPartition', 'NewPartition', 'OnlinePartition', 'OfflinePartition'];
  const validP = new Set([
    'NonExistentPartition>NewPartition',
    'NewPartition>OnlinePartition',
    'OnlinePartition>OnlinePartition',
    'OfflinePartition>OnlinePartition',
    'NewPartition>OfflinePartition',
    'OnlinePartition>OfflinePartition',
    'OfflinePartition>OfflinePartition',
    'OfflinePartition>NonExistentPartition',
  ]);
  for (const from of P) {
    for (const to of P) {
      const ok = validP.has(`${from}>${to}`);
      it(`partition ${from} → ${to}: ${ok ? 'valid' : 'invalid'}`, () => expect(isValidPartitionTransition(from, to)).to.equal(ok));
    }
  }

  const R: ReplicaState[] = ['NonExistentReplica', 'NewReplica', 'OnlineReplica', 'OfflineReplica', 'ReplicaDeletionStarted', 'ReplicaDeletionSuccessful', 'ReplicaDeletionIneligible'];
  const validR = new Set([
    'NonExistentReplica>NewReplica',
    'NewReplica>OnlineReplica',
    'OnlineReplica>OnlineReplica',
    'OfflineReplica>OnlineReplica',
    'ReplicaDeletionIneligible>OnlineReplica',
    'NewReplica>OfflineReplica',
    'OnlineReplica>OfflineReplica',
    'OfflineReplica>OfflineReplica',
    'ReplicaDeletionIneligible>OfflineReplica',
    'OfflineReplica>ReplicaDeletionStarted',
    'ReplicaDeletionStarted>ReplicaDeletionSuccessful',
    'OfflineReplica>ReplicaDeletionIneligible',
    'ReplicaDeletionStarted>ReplicaDeletionIneligible',
    'ReplicaDeletionSuccessful>NonExistentReplica',
  ]);
  it('replica transitions match Kafka\'s table', () => {
    const got: string[] = [];
    for (const from of R) for (const to of R) if (isValidReplicaTransition(from, to)) got.push(`${from}>${to}`);
    expect(new Set(got)).to.deep.equal(validR);
  });
});
