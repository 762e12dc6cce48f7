/**
 * Where the wire's message formats meet the log's. The log holds record batches v2 only (Kafka
 * 2.8's default `log.message.format.version`), so a magic 0/1 message set produced with Produce
 * v0–2 is validated and up-converted before the append, and Fetch v0–3 answers get the log's
 * batches down-converted to the magic those versions can read (0 for v0–1, 1 for v2–3).
 */
import { decodeLegacyMessageSet, downConvertBatches, recordSetMagic, upConvertToBatch } from '../../protocol/index.js';
import { BrokerError } from '../errors.js';

/** Produce v3+ carries record batches v2 only (Kafka's ProduceRequest.validateRecords). */
const FIRST_PRODUCE_VERSION_V2_ONLY = 3;
/** Fetch v10 is the first whose clients can be sent zstd (KIP-110). */
const FIRST_FETCH_VERSION_ZSTD = 10;

/** The records to append: v2 batches as sent, magic 0/1 sets up-converted into one batch. */
export function toStoredFormat(records: Buffer, produceVersion: number): Buffer {
  const magic = recordSetMagic(records);
  if (magic === undefined || magic === 2) return records;
  if (magic !== 0 && magic !== 1) throw new BrokerError('BRK_INVALID_RECORD', `record set with magic ${magic}`);
  if (produceVersion >= FIRST_PRODUCE_VERSION_V2_ONLY) {
    throw new BrokerError('BRK_INVALID_RECORD', `Produce v${produceVersion} requests may only carry record batches with magic 2, got magic ${magic}`);
  }
  return upConvertToBatch(decodeLegacyMessageSet(records));
}

/** Magic 0/1 for the fetch versions that predate record batches v2, undefined from v4 on. */
export function fetchMagic(fetchVersion: number): 0 | 1 | undefined {
  return fetchVersion <= 1 ? 0 : fetchVersion <= 3 ? 1 : undefined;
}

/**
 * Kafka 2.8 (KafkaApis.maybeConvertFetchedData) refuses Fetch below v10 on a topic whose
 * compression.type is zstd: such a client could not decompress it. With compression.type=producer
 * zstd batches go out as they are, as in Kafka.
 */
export function refusesZstdFetch(topicCompressionType: string, fetchVersion: number): boolean {
  return topicCompressionType === 'zstd' && fetchVersion < FIRST_FETCH_VERSION_ZSTD;
}

/** The fetched records as this fetch version reads them. */
export function toFetchFormat(records: Buffer, fetchVersion: number): Buffer {
  const magic = fetchMagic(fetchVersion);
  if (magic === undefined || records.length === 0) return records;
  return downConvertBatches(records, magic);
}
