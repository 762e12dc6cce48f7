/**
 * Authorized operations (KIP-430) as Kafka answers them without an authorizer: every operation
 * the resource type supports (Kafka's AclEntry.supportedOperations), as a bit field with bit N
 * set for AclOperation code N. Asked-for only: a request that does not ask reads INT32_MIN.
 */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/** AclOperation codes (org.apache.kafka.common.acl.AclOperation). */
const OP = { READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9, DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12 } as const;

function bitField(codes: readonly number[]): number {
  return codes.reduce((acc, c) => acc | (1 << c), 0);
}

export const TOPIC_OPERATIONS = bitField([OP.READ, OP.WRITE, OP.CREATE, OP.DESCRIBE, OP.DELETE, OP.ALTER, OP.DESCRIBE_CONFIGS, OP.ALTER_CONFIGS]);
export const GROUP_OPERATIONS = bitField([OP.READ, OP.DESCRIBE, OP.DELETE]);
export const CLUSTER_OPERATIONS = bitField([OP.CREATE, OP.CLUSTER_ACTION, OP.DESCRIBE_CONFIGS, OP.ALTER_CONFIGS, OP.IDEMPOTENT_WRITE, OP.ALTER, OP.DESCRIBE]);
