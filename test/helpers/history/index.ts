export type {
  Acks,
  CheckOptions,
  CommitObservation,
  ControllerAction,
  FaultWindow,
  History,
  Outcome,
  ProducedRecord,
  ReadRecord,
  UnavailabilityWindow,
  Verdict,
  Violation,
  ViolationKind,
} from './types.js';
export { checkData, type DataFindings } from './data-checks.js';
export { checkCommits, checkControllers, parseControllerActions, type ControllerFindings } from './group-and-controller-checks.js';
export { unavailability } from './availability.js';
export { checkHistory, describeViolations, formatVerdict } from './verdict.js';
export { checkExactlyOnce, formatExactlyOnce, type ExactlyOnceVerdict, type InputRecord } from './exactly-once.js';
