/**
 * The client's single seam onto protocol/: API keys, the versions the client speaks, framing
 * and the message codecs. When protocol/'s surface moves, only this file changes.
 */
import {
  encodeRequest,
  decodeResponse,
  FrameDecoder,
  describedVersions,
  errorInfo,
  encodeRecordBatch,
  CompressionType,
  ApiKey,
  iterateBatches,
  decodeRecordBatch,
  isControlBatch,
  isTransactional,
  decodeControlRecordType,
  RECORD_BATCH_HEADER_SIZE,
  compressionOf,
  decompress,
} from '../protocol/index.js';
import type { VersionRange } from './connection.js';

export { FrameDecoder, errorInfo, encodeRecordBatch, CompressionType, iterateBatches, decodeRecordBatch, isControlBatch, isTransactional, decodeControlRecordType, RECORD_BATCH_HEADER_SIZE, compressionOf, decompress };

/** Kafka API keys (protocol/'s table). */
export const API = ApiKey;

/**
 * The highest version of each API this client's code understands (its request builders and
 * response handling were written and tested for these; non-flexible versions, as KafkaJS and
 * librdkafka use, with ApiVersions v3 the one flexible exception). protocol/ describes more
 * (Kafka 2.8's maxima): raising a number here means checking the client code against that
 * version's new fields first. Intersected with what protocol/ describes, then per connection
 * with the broker's advertised range.
 */
const CLIENT_MAX: ReadonlyArray<[number, number, number]> = [
  [API.Produce, 3, 7],
  [API.Fetch, 4, 11],
  [API.ListOffsets, 1, 5],
  [API.Metadata, 1, 8],
  [API.OffsetCommit, 2, 7],
  // v7 (flexible): requireStable, so a read_committed consumer never starts from an offset a
  // pending transaction is about to replace (KIP-447).
  [API.OffsetFetch, 1, 7],
  [API.FindCoordinator, 0, 2],
  [API.JoinGroup, 0, 5],
  [API.Heartbeat, 0, 3],
  [API.LeaveGroup, 0, 3],
  [API.SyncGroup, 0, 3],
  [API.DescribeGroups, 0, 4],
  [API.ListGroups, 0, 2],
  [API.ApiVersions, 0, 3],
  [API.CreateTopics, 0, 4],
  [API.DeleteTopics, 0, 3],
  // v3+ carries the producer's current id/epoch, so an abort can bump the epoch without fencing a newer incarnation (KIP-360).
  [API.InitProducerId, 0, 4],
  [API.DescribeConfigs, 0, 2],
  [API.AlterConfigs, 0, 1],
  [API.CreatePartitions, 0, 1],
  [API.DeleteGroups, 0, 1],
  [API.AlterReplicaLogDirs, 0, 1],
  [API.DescribeLogDirs, 0, 1],
  [API.AddPartitionsToTxn, 0, 2],
  [API.AddOffsetsToTxn, 0, 2],
  [API.EndTxn, 0, 2],
  // v3 (flexible) carries the consumer's generation and member id (KIP-447 fencing).
  [API.TxnOffsetCommit, 0, 3],
  [API.DescribeTransactions, 0, 0],
  [API.ListTransactions, 0, 0],
  [API.SaslHandshake, 1, 1],
  [API.SaslAuthenticate, 0, 2],
  [API.DescribeUserScramCredentials, 0, 0],
  [API.AlterUserScramCredentials, 0, 0],
  [API.DescribeClientQuotas, 0, 1],
  [API.AlterClientQuotas, 0, 1],
];

function protocolRange(apiKey: number): VersionRange | undefined {
  return describedVersions(apiKey);
}

export const CLIENT_API_VERSIONS: ReadonlyMap<number, VersionRange> = new Map(
  CLIENT_MAX.flatMap(([key, min, max]) => {
    const codec = protocolRange(key);
    if (codec === undefined) return [];
    const range = { min: Math.max(min, codec.min), max: Math.min(max, codec.max) };
    return range.min <= range.max ? [[key, range] as const] : [];
  }),
);

export function encodeRequestFrame(apiKey: number, version: number, correlationId: number, clientId: string, body: unknown): Buffer {
  return encodeRequest(apiKey as never, version, correlationId, clientId, body as never);
}

export function decodeResponseFrame(apiKey: number, version: number, frame: Buffer): unknown {
  return decodeResponse(apiKey as never, version, frame).body;
}

export function peekCorrelationId(frame: Buffer): number {
  return frame.readInt32BE(0);
}
