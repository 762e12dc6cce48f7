export { rangeAssignor } from './range.js';
export { roundRobinAssignor } from './round-robin.js';
export { cooperativeStickyAssignor, stickyAssign, withholdTransfers, revokedPartitions } from './cooperative-sticky.js';
export {
  encodeSubscription,
  decodeSubscription,
  encodeAssignment,
  decodeAssignment,
  type Subscription,
  type Assignment,
  type TopicPartitions,
} from './consumer-protocol.js';
export { sortMembers, type Assignor, type GroupMember, type GroupAssignment, type RebalanceProtocol } from './types.js';
