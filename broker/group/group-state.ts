/**
 * The group state machine as pure data and decisions (Kafka's GroupMetadata states). Everything
 * here is a table or a total function of its inputs, so it is tested as tables.
 */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const GROUP_STATES: readonly GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];

/** Target state → the states it may be entered from (Kafka's `validPreviousStates`). */
const VALID_PREVIOUS_STATES: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export function canTransition(from: GroupState, to: GroupState): boolean {
  return VALID_PREVIOUS_STATES[to].includes(from);
}

/** A rebalance may start only from a state PreparingRebalance can be entered from. */
export function canRebalance(state: GroupState): boolean {
  return canTransition(state, 'PreparingRebalance');
}

/** Heartbeat from a valid member of the current generation: what to answer, and whether it counts. */
export function heartbeatDecision(state: GroupState): { errorCode: 'NONE' | 'REBALANCE_IN_PROGRESS' | 'UNKNOWN_MEMBER_ID' | 'COORDINATOR_NOT_AVAILABLE'; keepAlive: boolean } {
  switch (state) {
    case 'Stable':
    case 'CompletingRebalance':
      // Clients may heartbeat between the JoinGroup and SyncGroup responses.
      return { errorCode: 'NONE', keepAlive: true };
    case 'PreparingRebalance':
      return { errorCode: 'REBALANCE_IN_PROGRESS', keepAlive: true };
    case 'Empty':
      return { errorCode: 'UNKNOWN_MEMBER_ID', keepAlive: false };
    case 'Dead':
      return { errorCode: 'COORDINATOR_NOT_AVAILABLE', keepAlive: false };
  }
}

/** SyncGroup from a valid member of the current generation. */
export function syncDecision(state: GroupState): 'AWAIT_ASSIGNMENT' | 'RETURN_CURRENT' | 'REBALANCE_IN_PROGRESS' | 'UNKNOWN_MEMBER_ID' | 'COORDINATOR_NOT_AVAILABLE' {
  switch (state) {
    case 'CompletingRebalance':
      return 'AWAIT_ASSIGNMENT';
    case 'Stable':
      return 'RETURN_CURRENT';
    case 'PreparingRebalance':
      return 'REBALANCE_IN_PROGRESS';
    case 'Empty':
      return 'UNKNOWN_MEMBER_ID';
    case 'Dead':
      return 'COORDINATOR_NOT_AVAILABLE';
  }
}

/** OffsetCommit from a valid member of the current generation. */
export function commitDecision(state: GroupState): 'STORE' | 'REBALANCE_IN_PROGRESS' | 'UNKNOWN_MEMBER_ID' | 'COORDINATOR_NOT_AVAILABLE' {
  switch (state) {
    case 'Stable':
    case 'PreparingRebalance':
      // Members learn of the rebalance from their next heartbeat; their commit still counts.
      return 'STORE';
    case 'CompletingRebalance':
      return 'REBALANCE_IN_PROGRESS';
    case 'Empty':
      return 'UNKNOWN_MEMBER_ID';
    case 'Dead':
      return 'COORDINATOR_NOT_AVAILABLE';
  }
}

/** JoinGroup from a known member: rejoin (possibly rebalancing) or just return the current generation. */
export function knownMemberJoinDecision(
  state: GroupState,
  isLeader: boolean,
  sameMetadata: boolean,
): 'REBALANCE' | 'RETURN_CURRENT' | 'UNKNOWN_MEMBER_ID' {
  switch (state) {
    case 'PreparingRebalance':
      return 'REBALANCE';
    case 'CompletingRebalance':
      // The member probably lost its JoinGroup response: hand the same generation back.
      return sameMetadata ? 'RETURN_CURRENT' : 'REBALANCE';
    case 'Stable':
      // A leader's rejoin is how clients ask for a new assignment (e.g. topic metadata changed).
      return isLeader || !sameMetadata ? 'REBALANCE' : 'RETURN_CURRENT';
    case 'Empty':
    case 'Dead':
      return 'UNKNOWN_MEMBER_ID';
  }
}

/**
 * Whether a joining member fits under `group.max.size`. Members already counted (awaiting join in
 * a rebalance, or present in a settled group) always fit.
 */
export function acceptJoiningMember(input: {
  state: GroupState;
  maxSize: number;
  isMember: boolean;
  memberAwaitingJoin: boolean;
  numAwaitingJoin: number;
  numMembers: number;
}): boolean {
  switch (input.state) {
    case 'Empty':
    case 'Dead':
      return true;
    case 'PreparingRebalance':
      return (input.isMember && input.memberAwaitingJoin) || input.numAwaitingJoin < input.maxSize;
    case 'CompletingRebalance':
    case 'Stable':
      return input.isMember || input.numMembers < input.maxSize;
  }
}
