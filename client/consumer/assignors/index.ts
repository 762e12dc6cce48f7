export { rangeAssignor } from './range.js';
export { roundRobinAssignor } from './round-robin.js';
export { cooperativeStickyAssignor, stickyAssign, revokedPartitions } from './cooperative-sticky.js';
export { sortMembers, type Assignor, type GroupMember, type GroupAssignment, type RebalanceProtocol } from './types.js';
