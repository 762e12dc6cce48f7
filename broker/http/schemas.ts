/**
 * JSON schemas shared by the routes. They do three jobs: fastify validates input with them,
 * serializes output with them (offsets are bigint; a plain `integer` schema writes them exactly,
 * so every offset field is a non-nullable integer and unknown values are omitted instead), and
 * the OpenAPI document is generated from them.
 */

export type JsonSchema = Record<string, unknown>;

export const errorBodySchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Kafka error name (TOPIC_ALREADY_EXISTS, …) or INVALID_REQUEST, NOT_FOUND, NOT_IMPLEMENTED' },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
};

/** Every route documents and serializes its failures the same way. */
export const errorResponses = { '4xx': errorBodySchema, '5xx': errorBodySchema } as const;

export const int32: JsonSchema = { type: 'integer', minimum: -2147483648, maximum: 2147483647 };
export const brokerIdSchema: JsonSchema = { type: 'integer', minimum: 0, maximum: 2147483647 };
export const partitionIdSchema: JsonSchema = { type: 'integer', minimum: 0, maximum: 2147483647 };
/** Offsets are int64 on the wire; JSON numbers above 2^53 are written exactly but read lossily. */
export const offsetSchema: JsonSchema = { type: 'integer' };
export const replicaListSchema: JsonSchema = { type: 'array', items: brokerIdSchema, minItems: 1 };
export const stringMapSchema: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };
/** Config values are strings in Kafka; numbers and booleans are accepted and written as text. */
export const configValuesSchema: JsonSchema = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } };

/** partition id → replicas, preferred leader first: `{ "0": [1, 2], "1": [2, 3] }`. */
export const assignmentSchema: JsonSchema = {
  type: 'object',
  propertyNames: { pattern: '^(0|[1-9][0-9]{0,9})$' },
  additionalProperties: replicaListSchema,
  minProperties: 1,
};

export const topicNameParams: JsonSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', description: 'Topic name' } },
};

export const groupIdParams: JsonSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, description: 'Consumer group id' } },
};

export const topicPartitionSchema: JsonSchema = {
  type: 'object',
  required: ['topic', 'partition'],
  additionalProperties: false,
  properties: { topic: { type: 'string', minLength: 1 }, partition: partitionIdSchema },
};

export const partitionResultSchema: JsonSchema = {
  type: 'object',
  required: ['topic', 'partition', 'error'],
  properties: {
    topic: { type: 'string' },
    partition: { type: 'integer' },
    error: { type: ['string', 'null'], description: 'Kafka error name, null on success' },
    message: { type: 'string' },
  },
};

export const partitionResultsSchema: JsonSchema = {
  type: 'object',
  required: ['partitions'],
  properties: { partitions: { type: 'array', items: partitionResultSchema } },
};

/** One partition reassignment in progress (KIP-455's adding/removing replicas). */
export const reassignmentSchema = {
  type: 'object',
  required: ['topic', 'partition', 'replicas', 'addingReplicas', 'removingReplicas'],
  properties: {
    topic: { type: 'string' },
    partition: { type: 'integer' },
    replicas: { type: 'array', items: { type: 'integer' } },
    addingReplicas: { type: 'array', items: { type: 'integer' } },
    removingReplicas: { type: 'array', items: { type: 'integer' } },
  },
};
