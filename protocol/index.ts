// Public surface of protocol/: Kafka wire codecs, record batches, CRC32C, compression, error
// codes and the internal msgpack frame codec. Pure code: no sockets, files, timers or logging.
export { ProtocolError, PROTOCOL_ERRORS, type ProtocolErrorCode } from './errors.js';
export { ErrorCode, errorInfo, errorName, isErrorName, type ErrorInfo, type ErrorName } from './error-codes.js';
export { crc32c, crc32cJs } from './crc32c.js';
export {
  compress,
  decompress,
  CompressionType,
  compressionName,
  snappyCompressXerial,
  isXerialFramed,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
} from './compression/index.js';
export { Reader, Writer, uvarintSize, varintSize, varlongSize } from './primitives/index.js';
export {
  RECORD_BATCH_HEADER_SIZE,
  BatchOffsets,
  Attributes,
  TimestampType,
  readBatchHeader,
  batchTotalSize,
  batchLastOffset,
  setBaseOffset,
  setPartitionLeaderEpoch,
  setLogAppendTime,
  computeBatchCrc,
  verifyBatchCrc,
  compressionOf,
  timestampTypeOf,
  isTransactional,
  isControlBatch,
  type RecordBatchHeader,
} from './records/batch-header.js';
export { encodeRecordBatch, type RecordInput, type RecordHeader, type EncodeBatchOptions } from './records/encode.js';
export {
  decodeLegacyMessageSet,
  downConvertBatches,
  encodeLegacyMessageSet,
  recordSetMagic,
  upConvertToBatch,
  NO_TIMESTAMP,
  type LegacyMagic,
  type LegacyMessageInput,
  type LegacyMessageSet,
  type LegacyRecord,
} from './records/legacy.js';
export { countRecords, decodeRecordBatch, iterateRecords, iterateBatches, RecordCursor, type DecodedRecord, type BatchSlice } from './records/decode.js';
export {
  encodeControlRecordKey,
  encodeEndTxnMarkerValue,
  encodeEndTxnMarkerBatch,
  decodeControlRecordType,
  decodeEndTxnMarker,
  type ControlRecordType,
  type EndTxnMarker,
  type EndTxnMarkerBatchOptions,
} from './records/control-record.js';
export { ApiKey, apiName } from './api-keys.js';
export {
  decodeRequestHeader,
  decodeRequest,
  encodeResponse,
  encodeResponseChunks,
  encodeRequest,
  decodeResponse,
  encodeApiVersionsV0Error,
  isFlexibleVersion,
  type RequestHeader,
} from './api.js';
export { FrameDecoder, FrameTooLargeError, type FrameDecoderOptions } from './frame-decoder.js';
export { encodeInternalFrame, encodeInternalFrameWithTail, decodeInternalFrame, INTERNAL_TAIL_MARKER, TailedBody, type InternalFrame } from './internal-frame.js';
export type { MessageSpec, FieldSpec, FieldType, PrimitiveType, Body, MessageBody, Decoded } from './schema/spec.js';
export { messageCodec, isFlexible, type MessageCodec } from './schema/compile.js';
export * from './messages/index.js';
export {
  CONSUMER_PROTOCOL_TYPE,
  encodeSubscription,
  decodeSubscription,
  encodeAssignment,
  decodeAssignment,
  type Subscription,
  type Assignment,
  type TopicPartitions,
} from './consumer-protocol.js';
export * from './acl-codes.js';
export * from './sasl/index.js';
